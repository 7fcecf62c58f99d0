package io.github.lossvariants.tversky;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.testkit.LossChecks;
import io.github.lossvariants.tversky.LovaszLoss.Mode;
import io.github.lossvariants.tversky.internal.SortedRanks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LovaszLossTest {
    private static final IActivation SIGMOID = new ActivationSigmoid();
    private static final IActivation SOFTMAX = new ActivationSoftmax();
    private static final IActivation IDENTITY = new ActivationIdentity();

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static INDArray oneHot(Random r, int rows, int classes) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, rows, classes);
        for (int i = 0; i < rows; i++) {
            y.putScalar(i, r.nextInt(classes), 1.0);
        }
        return y;
    }

    static INDArray binary(Random r, int rows, int classes, double p) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, rows, classes);
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < classes; c++) {
                y.putScalar(i, c, r.nextDouble() < p ? 1.0 : 0.0);
            }
        }
        return y;
    }

    static INDArray gaussian(Random r, int rows, int classes, double scale) {
        INDArray z = Nd4j.zeros(DataType.DOUBLE, rows, classes);
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < classes; c++) {
                z.putScalar(i, c, scale * r.nextGaussian());
            }
        }
        return z;
    }

    /** The rows {@code from .. to-1} whose mask is not 0, as {@code [positions][classes]}. */
    static double[][] rows(INDArray a, int from, int to, INDArray rowMask) {
        List<double[]> out = new ArrayList<>();
        for (int r = from; r < to; r++) {
            if (rowMask == null || rowMask.getDouble(r, 0) != 0) {
                out.add(a.getRow(r).toDoubleVector());
            }
        }
        return out.toArray(new double[0][]);
    }

    /** The oracle: smp/Berman per group (image or minibatch), Lovász hinge averaged over channels. */
    static double reference(Mode mode, INDArray z, INDArray y, INDArray rowMask, int groups) {
        int per = (int) (z.size(0) / groups);
        double total = 0;
        for (int gr = 0; gr < groups; gr++) {
            double[][] zg = rows(z, gr * per, (gr + 1) * per, rowMask);
            double[][] yg = rows(y, gr * per, (gr + 1) * per, rowMask);
            if (mode == Mode.MULTICLASS) {
                total += zg.length == 0 ? 0 : References.lovaszSoftmax(References.softmax(zg), yg);
            } else {
                int classes = (int) z.size(1);
                for (int c = 0; c < classes; c++) {
                    total += References.lovaszHinge(References.column(zg, c), References.column(yg, c)) / classes;
                }
            }
        }
        return total;
    }

    @Test
    void matchesBermanOnRandomImagesWithMasks() {
        Random r = new Random(11);
        int n = 3;
        int positions = 7;
        for (Mode mode : Mode.values()) {
            for (boolean perImage : new boolean[]{true, false}) {
                for (int classes : new int[]{mode == Mode.MULTICLASS ? 2 : 1, 3}) {
                    int rows = n * positions;
                    INDArray z = gaussian(r, rows, classes, 2.0);
                    INDArray y = mode == Mode.MULTICLASS ? oneHot(r, rows, classes) : binary(r, rows, classes, 0.4);
                    INDArray mask = binary(r, rows, 1, 0.75);
                    IActivation act = mode == Mode.MULTICLASS ? SOFTMAX : SIGMOID;
                    LovaszLoss loss = new LovaszLoss(mode, perImage, positions);
                    String what = mode + " perImage=" + perImage + " C=" + classes;
                    int groups = perImage ? n : 1;
                    assertEquals(reference(mode, z, y, null, groups), loss.computeScore(y, z, act, null, false), 1e-12,
                            what);
                    double masked = reference(mode, z, y, mask, groups);
                    assertEquals(masked, loss.computeScore(y, z, act, mask, false), 1e-12, what + " masked");
                    assertEquals(masked / n, loss.computeScore(y, z, act, mask, true), 1e-12, what + " average");
                    INDArray perRow = loss.computeScoreArray(y, z, act, mask);
                    assertEquals(masked, perRow.sumNumber().doubleValue(), 1e-12, what + " row sum");
                    if (perImage) {
                        for (int i = 0; i < n; i++) {
                            double image = reference(mode, z.get(range(i, positions)), y.get(range(i, positions)),
                                    mask.get(range(i, positions)), 1);
                            double rowsOfImage = perRow.get(range(i, positions)).sumNumber().doubleValue();
                            assertEquals(image, rowsOfImage, 1e-12, what + " image " + i);
                        }
                    } else {
                        for (int row = 0; row < rows; row++) {
                            double expected = mask.getDouble(row, 0) == 0 ? 0
                                    : masked / mask.sumNumber().doubleValue();
                            assertEquals(expected, perRow.getDouble(row, 0), 1e-14, what + " row " + row);
                        }
                    }
                    // IDENTITY reads the same logits as SIGMOID in binary mode
                    if (mode == Mode.BINARY) {
                        assertEquals(loss.computeScore(y, z, SIGMOID, mask, false),
                                loss.computeScore(y, z, IDENTITY, mask, false), 0.0);
                    }
                }
            }
        }
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex[] range(int image, int positions) {
        return new org.nd4j.linalg.indexing.INDArrayIndex[]{
                org.nd4j.linalg.indexing.NDArrayIndex.interval(image * positions, (image + 1) * positions),
                org.nd4j.linalg.indexing.NDArrayIndex.all()};
    }

    /** Berman et al., section 3: on hard predictions the Lovász hinge is the Jaccard loss it extends. */
    @Test
    void handValues() {
        // one image, 4 pixels, labels 1 1 0 0; logits with margins: errors 1 - z s = 0.5, 3, 0.25, -1
        INDArray y = Nd4j.createFromArray(new double[][]{{1}, {1}, {0}, {0}});
        INDArray z = Nd4j.createFromArray(new double[][]{{0.5}, {-2}, {-0.75}, {-2}});
        // sorted errors 3 (g=1), 0.5 (g=1), 0.25 (g=0), 0 (relu of -1, g=0); G = 2
        // J_1 = 1/(2+1-1) = 0.5, J_2 = 2/(2+2-2) = 1, J_3 = 3/(2+3-2) = 1, J_4 = 1
        // loss = 3 * 0.5 + 0.5 * 0.5 + 0.25 * 0 + 0 = 1.75
        LovaszLoss hinge = new LovaszLoss(Mode.BINARY, true, 4);
        assertEquals(1.75, hinge.computeScore(y, z, SIGMOID, null, false), 1e-15);
        // gradient: -(2g - 1) (J_k - J_(k-1)) where the error is positive
        INDArray g = hinge.computeGradient(y, z, SIGMOID, null);
        double[] expected = {-0.5, -0.5, 0.0, 0.0};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], g.getDouble(i, 0), 1e-15, "pixel " + i);
        }
        // no foreground: the loss is the largest error (J_1 = 1, all later steps 0)
        INDArray none = Nd4j.zeros(DataType.DOUBLE, 4, 1);
        assertEquals(1 + 2.0, hinge.computeScore(none, Nd4j.createFromArray(new double[][]{{0}, {2}, {-1}, {1}}),
                SIGMOID, null, false), 1e-15);
        // softmax: classes absent from the image do not count; a fully masked image scores 0
        LovaszLoss softmax = new LovaszLoss(Mode.MULTICLASS, true, 2);
        INDArray ys = Nd4j.createFromArray(new double[][]{{1, 0, 0}, {1, 0, 0}});
        INDArray zs = Nd4j.createFromArray(new double[][]{{Math.log(3), 0, 0}, {0, 0, 0}});
        // class 0 only: p = 0.6, 1/3, errors 0.4, 2/3, G = 2: sorted 2/3, 0.4, J_1 = 1/2, J_2 = 1
        assertEquals(2.0 / 3 * 0.5 + 0.4 * 0.5, softmax.computeScore(ys, zs, SOFTMAX, null, false), 1e-15);
        assertEquals(0.0, softmax.computeScore(ys, zs, SOFTMAX, Nd4j.zeros(DataType.DOUBLE, 2, 1), false), 0.0);
        assertEquals(0.0, softmax.computeGradient(ys, zs, SOFTMAX, Nd4j.zeros(DataType.DOUBLE, 2, 1))
                .amaxNumber().doubleValue(), 0.0);
    }

    /**
     * Away from ties the sort permutation is locally constant, so central differences of the score
     * agree with the gradient: logits are drawn until every list's errors are at least 1e-3 apart
     * (and, for the hinge, at least 1e-3 away from the relu's kink at 0).
     */
    @Test
    void finiteDifferencesWithDistinctLogits() {
        Random r = new Random(5);
        int n = 2;
        int positions = 6;
        int rows = n * positions;
        for (Mode mode : Mode.values()) {
            for (boolean perImage : new boolean[]{true, false}) {
                int classes = 3;
                IActivation act = mode == Mode.MULTICLASS ? SOFTMAX : (perImage ? IDENTITY : SIGMOID);
                INDArray y = mode == Mode.MULTICLASS ? oneHot(r, rows, classes) : binary(r, rows, classes, 0.4);
                INDArray z;
                int attempts = 0;
                do {
                    z = gaussian(r, rows, classes, 2.0);
                    attempts++;
                } while (!distinctErrors(mode, z, y, perImage ? positions : rows) && attempts < 100);
                assertTrue(attempts < 100, "no draw with distinct errors");
                LovaszLoss loss = new LovaszLoss(mode, perImage, positions);
                LossChecks.assertGradientMatchesFiniteDifferences(loss, y, z, act, null);
                INDArray rowMask = Nd4j.ones(DataType.DOUBLE, rows, 1);
                rowMask.putScalar(1, 0, 0.0);
                rowMask.putScalar(8, 0, 0.0);
                LossChecks.assertGradientMatchesFiniteDifferences(loss, y, z, act, rowMask);
                if (mode == Mode.BINARY) {
                    INDArray outMask = Nd4j.ones(DataType.DOUBLE, rows, classes);
                    outMask.putScalar(0, 1, 0.0);
                    outMask.putScalar(7, 2, 0.0);
                    LossChecks.assertGradientMatchesFiniteDifferences(loss, y, z, act, outMask);
                }
            }
        }
    }

    private static boolean distinctErrors(Mode mode, INDArray z, INDArray y, int perList) {
        INDArray e = mode == Mode.MULTICLASS
                ? Nd4j.createFromArray(References.softmax(z.toDoubleMatrix())).sub(y)
                : y.mul(2).subi(1).muli(z).rsubi(1);
        for (int start = 0; start < e.size(0); start += perList) {
            for (int c = 0; c < e.size(1); c++) {
                double[] v = e.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(start, start + perList),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(c)).toDoubleVector();
                for (int i = 0; i < v.length; i++) {
                    v[i] = mode == Mode.MULTICLASS ? Math.abs(v[i]) : v[i];
                    if (mode == Mode.BINARY && Math.abs(v[i]) < 1e-3) {
                        return false;
                    }
                }
                Arrays.sort(v);
                for (int i = 1; i < v.length; i++) {
                    if (v[i] - v[i - 1] < 1e-3) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** At ties the value does not depend on the order; the gradient is finite and one of the subgradients. */
    @Test
    void tiesGiveFiniteValuesAndAValidSubgradient() {
        INDArray y = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}, {0}, {0}, {1}});
        INDArray z = Nd4j.zeros(DataType.DOUBLE, 6, 1);  // every error 1
        LovaszLoss hinge = new LovaszLoss(Mode.BINARY, true, 6);
        // all errors 1: loss = 1 * J_6 = 1 whatever the order
        assertEquals(1.0, hinge.computeScore(y, z, SIGMOID, null, false), 1e-15);
        INDArray g = hinge.computeGradient(y, z, SIGMOID, null);
        // a subgradient: the steps of some order, signed: they sum (with signs -(2g-1)) to -(J_6 - J_0) ... each step
        // of J is in [0, 1] and the steps sum to 1
        double stepSum = 0;
        for (int i = 0; i < 6; i++) {
            double step = -g.getDouble(i, 0) / (2 * y.getDouble(i, 0) - 1);
            assertTrue(step >= 0 && step <= 1, "step " + step);
            stepSum += step;
        }
        assertEquals(1.0, stepSum, 1e-15);
        // saturated softmax (p exactly 0 or 1 in FLOAT) and extreme hinge logits stay finite
        INDArray zs = Nd4j.createFromArray(new float[][]{{1e4f, -1e4f}, {-1e4f, 1e4f}, {1e4f, 1e4f}, {0f, 0f}});
        INDArray ys = Nd4j.createFromArray(new float[][]{{0, 1}, {0, 1}, {1, 0}, {1, 0}});
        LovaszLoss softmax = new LovaszLoss(Mode.MULTICLASS, true, 2);
        assertTrue(Double.isFinite(softmax.computeScore(ys, zs, SOFTMAX, null, false)));
        assertEquals(0.0, softmax.computeGradient(ys, zs, SOFTMAX, null).isNaN().castTo(DataType.INT)
                .sumNumber().intValue());
    }

    /**
     * The packed-key argsort against Java's sort (negative errors as 0; ties positives first, then by
     * decreasing index, as the keys order them), several lengths.
     */
    @Test
    void sortedRanksMatchAJavaArgsort() {
        Random r = new Random(3);
        for (int length : new int[]{1, 2, 5, 64, 70_000}) {
            int lists = 3;
            double[][] e = new double[lists][length];
            double[][] g = new double[lists][length];
            for (int t = 0; t < lists; t++) {
                for (int i = 0; i < length; i++) {
                    // some negatives, some exact ties, one tiny value
                    double v = r.nextInt(10) == 0 ? r.nextInt(3) : r.nextGaussian();
                    e[t][i] = i == 0 ? 1e-300 : v;
                    g[t][i] = r.nextBoolean() ? 1 : 0;
                }
            }
            SortedRanks ranks = SortedRanks.of(Nd4j.createFromArray(e), Nd4j.createFromArray(g));
            for (int t = 0; t < lists; t++) {
                double[] et = e[t];
                double[] gt = g[t];
                Integer[] order = IntStream.range(0, length).boxed().toArray(Integer[]::new);
                Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -Math.max(et[i], 0))
                        .thenComparingDouble(i -> -gt[i]).thenComparingInt(i -> -i));
                double positives = 0;
                for (int k = 0; k < length; k++) {
                    int i = order[k];
                    assertEquals(k, ranks.rank.getDouble(t, i), 0.0, "length " + length + " list " + t + " element " + i);
                    assertEquals(positives, ranks.positivesBefore.getDouble(t, i), 0.0);
                    positives += g[t][i];
                }
            }
        }
    }

    @Test
    void clearErrors() {
        INDArray y = Nd4j.createFromArray(new double[][]{{1, 0}, {0, 1}});
        INDArray z = Nd4j.createFromArray(new double[][]{{1, 0}, {0, 1}});
        LovaszLoss multiclass = new LovaszLoss();
        LovaszLoss binary = new LovaszLoss(Mode.BINARY, true, 1);
        String m = assertThrows(LossConfigurationException.class,
                () -> multiclass.computeScore(y, z, SIGMOID, null, false)).getMessage();
        assertTrue(m.contains("lovasz(mode=multiclass)") && m.contains("SOFTMAX") && m.contains("mode=binary"), m);
        m = assertThrows(LossConfigurationException.class,
                () -> binary.computeScore(y, z, SOFTMAX, null, false)).getMessage();
        assertTrue(m.contains("lovasz(mode=binary)") && m.contains("SIGMOID") && m.contains("IDENTITY"), m);
        m = assertThrows(LossConfigurationException.class,
                () -> binary.computeScore(y, z, new ActivationReLU(), null, false)).getMessage();
        assertTrue(m.contains("relu"), m);
        INDArray soft = Nd4j.createFromArray(new double[][]{{0.7, 0.3}, {0, 1}});
        m = assertThrows(LossConfigurationException.class,
                () -> multiclass.computeScore(soft, z, SOFTMAX, null, false)).getMessage();
        assertTrue(m.contains("one-hot"), m);
        m = assertThrows(LossConfigurationException.class,
                () -> binary.computeScore(soft, z, SIGMOID, null, false)).getMessage();
        assertTrue(m.contains("each 0 or 1") && m.contains("row 0 is [0.7, 0.3]"), m);
        m = assertThrows(LossConfigurationException.class, () -> binary.computeScore(y, z, SIGMOID,
                Nd4j.createFromArray(new double[][]{{0.5}, {1}}), false)).getMessage();
        assertTrue(m.contains("mask values must be 0") && m.contains("0.5"), m);
        m = assertThrows(LossConfigurationException.class, () -> multiclass.computeScore(
                Nd4j.ones(DataType.DOUBLE, 2, 1), Nd4j.ones(DataType.DOUBLE, 2, 1), SOFTMAX, null, false)).getMessage();
        assertTrue(m.contains("at least 2 channels"), m);
        m = assertThrows(LossConfigurationException.class, () -> new LovaszLoss(Mode.BINARY, true, 4)
                .computeScore(y, z, SIGMOID, null, false)).getMessage();
        assertTrue(m.contains("2 rows") && m.contains("rowsPerExample = 4"), m);
        long tooMany = SortedRanks.MAX_LIST_LENGTH + 1;
        INDArray big = Nd4j.zeros(DataType.FLOAT, tooMany, 1);
        m = assertThrows(LossConfigurationException.class, () -> new LovaszLoss(Mode.BINARY, false, 1)
                .computeScore(big, big, SIGMOID, null, false)).getMessage();
        assertTrue(m.contains(tooMany + " positions") && m.contains("perImage=true"), m);
        m = assertThrows(LossConfigurationException.class,
                () -> LossRegistry.discover().create("lovasz(mode=hinge)")).getMessage();
        assertTrue(m.contains("mode") && m.contains("multiclass") && m.contains("binary"), m);
    }

    @Test
    void registryAndSpec() {
        LossRegistry registry = LossRegistry.discover();
        LovaszLoss l = (LovaszLoss) registry.create("lovasz(mode=binary, perImage=false)");
        assertEquals(Mode.BINARY, l.getMode());
        assertEquals(false, l.isPerImage());
        assertEquals(l, registry.create(l.spec()));
        assertEquals(new LovaszLoss(), registry.create("lovasz"));
        assertEquals("lovasz(mode=multiclass, perImage=true, rowsPerExample=16)", new LovaszLoss().withRowsPerExample(16).spec());
    }
}
