package io.github.lossvariants.longtail;

import io.github.lossvariants.api.LossConfigurationException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code two-way}: against a plain-Java loop implementation of the formula (with 0/1 masks as
 * removal), the minibatch semantics (masking a row equals leaving it out, shares), the empty case,
 * and its errors.
 */
class TwoWayLossTest {
    private static final IActivation IDENTITY = new ActivationIdentity();

    /**
     * Loss by loops, gradient into {@code g}: for every column, then every row, with a positive
     * among its unmasked entries, softplus(tn LSE(x/tn - 100 [y &gt; 0]) + tp LSE(-x/tp - 100 [y = 0]))
     * over the unmasked entries (m = 0 leaves an entry out), averaged over such columns (rows).
     */
    static double reference(double[][] x, double[][] y, double[][] m, double tp, double tn, double[][] g) {
        int n = x.length;
        int c = x[0].length;
        double total = 0;
        for (int pass = 0; pass < 2; pass++) {
            boolean columns = pass == 0;
            int groups = columns ? c : n;
            int size = columns ? n : c;
            double[] softplus = new double[groups];
            double[] sigmoid = new double[groups];
            double[][] diff = new double[groups][size];
            boolean[] counted = new boolean[groups];
            int count = 0;
            for (int k = 0; k < groups; k++) {
                double[] an = new double[size];
                double[] ap = new double[size];
                double maxN = Double.NEGATIVE_INFINITY;
                double maxP = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < size; j++) {
                    int i = columns ? j : k;
                    int cl = columns ? k : j;
                    an[j] = x[i][cl] / tn - (y[i][cl] > 0 ? 100 : 0);
                    ap[j] = -x[i][cl] / tp - (y[i][cl] > 0 ? 0 : 100);
                    if (m[i][cl] != 0) {
                        counted[k] |= y[i][cl] > 0;
                        maxN = Math.max(maxN, an[j]);
                        maxP = Math.max(maxP, ap[j]);
                    }
                }
                if (!counted[k]) {
                    continue;
                }
                count++;
                double sumN = 0;
                double sumP = 0;
                for (int j = 0; j < size; j++) {
                    int i = columns ? j : k;
                    int cl = columns ? k : j;
                    if (m[i][cl] != 0) {
                        sumN += Math.exp(an[j] - maxN);
                        sumP += Math.exp(ap[j] - maxP);
                    }
                }
                double u = tn * (maxN + Math.log(sumN)) + tp * (maxP + Math.log(sumP));
                softplus[k] = Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
                sigmoid[k] = 1 / (1 + Math.exp(-u));
                for (int j = 0; j < size; j++) {
                    int i = columns ? j : k;
                    int cl = columns ? k : j;
                    if (m[i][cl] != 0) {
                        diff[k][j] = Math.exp(an[j] - maxN) / sumN - Math.exp(ap[j] - maxP) / sumP;
                    }
                }
            }
            for (int k = 0; k < groups; k++) {
                if (!counted[k]) {
                    continue;
                }
                total += softplus[k] / count;
                for (int j = 0; j < size; j++) {
                    int i = columns ? j : k;
                    int cl = columns ? k : j;
                    g[i][cl] += sigmoid[k] / count * diff[k][j];
                }
            }
        }
        return total;
    }

    private static double[][] randomLabels(int n, int c, Random rng, double pPositive) {
        double[][] y = new double[n][c];
        for (double[] row : y) {
            for (int j = 0; j < c; j++) {
                row[j] = rng.nextDouble() < pPositive ? 1 : 0;
            }
        }
        return y;
    }

    private static double[][] random(int n, int c, Random rng, double scale) {
        double[][] x = new double[n][c];
        for (double[] row : x) {
            for (int j = 0; j < c; j++) {
                row[j] = scale * rng.nextGaussian();
            }
        }
        return x;
    }

    private static double[][] ones(int n, int c) {
        double[][] m = new double[n][c];
        for (double[] row : m) {
            Arrays.fill(row, 1.0);
        }
        return m;
    }

    private static void assertMatchesReference(TwoWayLoss loss, double[][] x, double[][] y, double[][] m, INDArray mask) {
        double[][] g = new double[x.length][x[0].length];
        double expected = reference(x, y, m, loss.getTp(), loss.getTn(), g);
        INDArray z = Nd4j.createFromArray(x);
        INDArray labels = Nd4j.createFromArray(y);
        assertEquals(expected, loss.computeScore(labels, z, IDENTITY, mask, false), 1e-10 * Math.max(1, expected));
        double[][] actual = loss.computeGradient(labels, z, IDENTITY, mask).toDoubleMatrix();
        for (int i = 0; i < g.length; i++) {
            assertArrayEquals(g[i], actual[i], 1e-10, "gradient row " + i);
        }
    }

    @Test
    void matchesALoopImplementation() {
        Random rng = new Random(3);
        for (double[] t : new double[][]{{4, 1}, {2, 0.5}, {1, 3}}) {
            TwoWayLoss loss = new TwoWayLoss(t[0], t[1]);
            for (double scale : new double[]{1, 5, 60}) {
                double[][] x = random(7, 5, rng, scale);
                double[][] y = randomLabels(7, 5, rng, 0.3);
                assertMatchesReference(loss, x, y, ones(7, 5), null);
            }
        }
    }

    @Test
    void theSoftMaskOfTheReferenceMattersAtLogitsOfAHundred() {
        // a positive with logit 100 sits at 100/tn - 100 = 0 inside the negatives' LSE: it counts
        double[][] x = {{100, -3, 2}, {-100, 1, 100}};
        double[][] y = {{1, 0, 0}, {0, 0, 1}};
        assertMatchesReference(TwoWayLoss.defaults(), x, y, ones(2, 3), null);
    }

    @Test
    void masksLeaveOutputsOut() {
        Random rng = new Random(4);
        TwoWayLoss loss = TwoWayLoss.defaults();
        double[][] x = random(6, 4, rng, 2);
        double[][] y = randomLabels(6, 4, rng, 0.4);
        double[][] m = new double[6][4];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 4; j++) {
                m[i][j] = (i * 4 + j) % 5 == 2 ? 0 : 1;
            }
        }
        assertMatchesReference(loss, x, y, m, Nd4j.createFromArray(m));
    }

    @Test
    void aMaskedRowIsTheSameAsALeftOutRow() {
        Random rng = new Random(5);
        TwoWayLoss loss = TwoWayLoss.defaults();
        INDArray z = Nd4j.createFromArray(random(5, 4, rng, 3));
        INDArray y = Nd4j.createFromArray(randomLabels(5, 4, rng, 0.4));
        INDArray rowMask = Nd4j.createFromArray(new double[][]{{1}, {1}, {0}, {1}, {1}});
        int[] kept = {0, 1, 3, 4};
        INDArray zKept = Nd4j.pullRows(z, 1, kept);
        INDArray yKept = Nd4j.pullRows(y, 1, kept);
        assertEquals(loss.computeScore(yKept, zKept, IDENTITY, null, false),
                loss.computeScore(y, z, IDENTITY, rowMask, false), 1e-12);
        INDArray g = loss.computeGradient(y, z, IDENTITY, rowMask);
        INDArray gKept = loss.computeGradient(yKept, zKept, IDENTITY, null);
        assertArrayEquals(Nd4j.toFlattened(gKept).toDoubleVector(), Nd4j.toFlattened(Nd4j.pullRows(g, 1, kept)).toDoubleVector(),
                1e-12);
        assertArrayEquals(new double[4], g.getRow(2).toDoubleVector(), 0.0);
        // each unmasked row's share is L / 4, the masked row's 0
        double total = loss.computeScore(yKept, zKept, IDENTITY, null, false);
        double q = total / 4;
        assertArrayEquals(new double[]{q, q, 0, q, q}, loss.computeScoreArray(y, z, IDENTITY, rowMask).toDoubleVector(),
                1e-12);
        // average = true divides by the minibatch size, as DL4J's layers do
        assertEquals(total / 5, loss.computeScore(y, z, IDENTITY, rowMask, true), 1e-12);
    }

    @Test
    void aMinibatchWithoutPositivesScoresZero() {
        INDArray z = Nd4j.createFromArray(new double[][]{{1, -2}, {3, 0.5}});
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 2, 2);
        assertEquals(0.0, TwoWayLoss.defaults().computeScore(y, z, IDENTITY, null, false), 0.0);
        assertArrayEquals(new double[4], Nd4j.toFlattened(TwoWayLoss.defaults().computeGradient(y, z, IDENTITY, null))
                .toDoubleVector(), 0.0);
    }

    @Test
    void fractionalMasksAndSoftmaxAreRejected() {
        INDArray z = Nd4j.createFromArray(new double[][]{{1, -2}, {3, 0.5}});
        INDArray y = Nd4j.createFromArray(new double[][]{{1, 0}, {0, 1}});
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> TwoWayLoss.defaults()
                .computeScore(y, z, IDENTITY, Nd4j.createFromArray(new double[][]{{1}, {0.5}}), false));
        assertTrue(e.getMessage().startsWith("two-way: mask values must be 0 or 1"), e.getMessage());
        e = assertThrows(LossConfigurationException.class, () -> TwoWayLoss.defaults()
                .computeGradient(y, z, new ActivationSoftmax(), null));
        assertTrue(e.getMessage().contains("two-way") && e.getMessage().contains("IDENTITY"), e.getMessage());
    }
}
