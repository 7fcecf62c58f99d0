package io.github.lossvariants.calibration;

import io.github.lossvariants.api.CompoundLoss;
import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Score against independent double-loop references, gradient against central finite differences
 * in double, masks, no mutation, extreme logits, registry and spec round trips.
 */
class CalibrationLossesTest {
    static final int ROWS = 6;
    static final int COLS = 4;

    static List<LossCase> cases() {
        return LossCase.all();
    }

    private static double[][] labels(LossCase c, int rows, int cols, long seed) {
        return c.oneHot ? TestArrays.oneHot(rows, cols, seed) : TestArrays.binary(rows, cols, seed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void scoresMatchIndependentReference(LossCase c) {
        double[][] z = TestArrays.logits(ROWS, COLS, 2.0, 11);
        double[][] y = labels(c, ROWS, COLS, 12);
        IActivation act = c.activation.getActivationFunction();
        INDArray rows = c.loss.computeScoreArray(TestArrays.arr(y, DataType.DOUBLE), TestArrays.arr(z, DataType.DOUBLE),
                act, null);
        assertEquals(ROWS, rows.size(0));
        assertEquals(1, rows.size(1));
        double total = c.loss.computeScore(TestArrays.arr(y, DataType.DOUBLE), TestArrays.arr(z, DataType.DOUBLE), act,
                null, false);
        if (c.rowReference != null) {
            double sum = 0;
            for (int i = 0; i < ROWS; i++) {
                double expected = c.rowReference.apply(z[i], y[i]);
                assertEquals(expected, rows.getDouble(i, 0), 1e-12 + 1e-10 * Math.abs(expected), "row " + i);
                sum += expected;
            }
            assertEquals(sum, total, 1e-10);
        } else {
            double beta = ((MdcaLoss) c.loss).getBeta();
            double expected = Reference.mdcaTotal(z, y, beta, c.activation == org.nd4j.linalg.activations.Activation.SOFTMAX);
            assertTrue(expected > 0);
            assertEquals(expected, total, 1e-12);
            assertEquals(expected, rows.sumNumber().doubleValue(), 1e-12);
        }
        double avg = c.loss.computeScore(TestArrays.arr(y, DataType.DOUBLE), TestArrays.arr(z, DataType.DOUBLE), act,
                null, true);
        assertEquals(total / ROWS, avg, 1e-12);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesCentralDifferences(LossCase c) {
        for (String maskKind : new String[]{"none", "example", "output"}) {
            if (maskKind.equals("output") && !c.perOutputMask) {
                continue;
            }
            for (int rows : new int[]{1, 5}) {
                double[][] z = TestArrays.logits(rows, COLS, 2.0, 21 + rows);
                double[][] y = labels(c, rows, COLS, 22 + rows);
                INDArray mask = null;
                if (maskKind.equals("example")) {
                    mask = Nd4j.ones(DataType.DOUBLE, rows, 1);
                    if (rows > 1) {
                        mask.putScalar(1, 0, 0.0);
                        mask.putScalar(2, 0, 0.5);
                    }
                } else if (maskKind.equals("output") && c.activation == org.nd4j.linalg.activations.Activation.SOFTMAX) {
                    // softmax losses accept only labels-shaped masks constant within each row
                    mask = Nd4j.ones(DataType.DOUBLE, rows, COLS);
                    if (rows > 1) {
                        mask.getRow(3).assign(0.0);
                        mask.getRow(4).assign(0.5);
                    } else {
                        mask.assign(0.5);
                    }
                    INDArray partial = Nd4j.ones(DataType.DOUBLE, rows, COLS);
                    partial.putScalar(rows - 1, 1, 0.0);
                    LossConfigurationException e = assertThrows(LossConfigurationException.class,
                            () -> c.loss.computeGradient(TestArrays.arr(y, DataType.DOUBLE),
                                    TestArrays.arr(z, DataType.DOUBLE), c.activation.getActivationFunction(), partial), c.id);
                    assertTrue(e.getMessage().startsWith(c.loss.registryName()
                            + ": a per-output (labels-shaped) mask must be constant within each row for a softmax"
                            + " output, but row " + (rows - 1) + " has mask values"), e.getMessage());
                } else if (maskKind.equals("output")) {
                    mask = Nd4j.ones(DataType.DOUBLE, rows, COLS);
                    mask.putScalar(0, 1, 0.0);
                    if (rows > 1) {
                        mask.putScalar(3, 2, 0.0);
                        mask.putScalar(4, 0, 0.0);
                    }
                }
                checkGradient(c, z, y, mask, c.id + " mask=" + maskKind + " rows=" + rows);
            }
        }
    }

    /**
     * Central differences in double: element by element for a single row, and along 4 random
     * directions v (comparing v . grad with (L(z + eps v) - L(z - eps v)) / 2 eps) for more rows,
     * which checks every element's contribution at a fraction of the cost. (The testkit's
     * LossContractTest also checks every element.)
     */
    static void checkGradient(LossCase c, double[][] z, double[][] y, INDArray mask, String what) {
        IActivation act = c.activation.getActivationFunction();
        INDArray labels = TestArrays.arr(y, DataType.DOUBLE);
        INDArray logits = TestArrays.arr(z, DataType.DOUBLE);
        INDArray g = c.loss.computeGradient(labels, logits, act, mask);
        assertTrue(g.amaxNumber().doubleValue() > 1e-6, what + ": gradient is (near) zero, test would be vacuous");
        double eps = 1e-6;
        double maxErr = 0;
        if (z.length == 1) {
            for (int k = 0; k < z[0].length; k++) {
                INDArray v = Nd4j.zeros(DataType.DOUBLE, 1, z[0].length);
                v.putScalar(0, k, 1.0);
                maxErr = Math.max(maxErr, directionalError(c, labels, logits, v, g, act, mask, eps));
            }
        } else {
            java.util.Random r = new java.util.Random(99);
            for (int d = 0; d < 4; d++) {
                double[][] dir = new double[z.length][z[0].length];
                for (double[] row : dir) {
                    for (int k = 0; k < row.length; k++) {
                        row[k] = r.nextGaussian();
                    }
                }
                maxErr = Math.max(maxErr, directionalError(c, labels, logits, Nd4j.createFromArray(dir), g, act, mask,
                        eps));
            }
        }
        assertTrue(maxErr < 1e-7, what + ": max error " + maxErr);
    }

    private static double directionalError(LossCase c, INDArray labels, INDArray logits, INDArray v, INDArray g,
                                           IActivation act, INDArray mask, double eps) {
        double fd = (c.loss.computeScore(labels, logits.add(v.mul(eps)), act, mask, false)
                - c.loss.computeScore(labels, logits.sub(v.mul(eps)), act, mask, false)) / (2 * eps);
        double an = g.mul(v).sumNumber().doubleValue();
        return Math.abs(fd - an) / Math.max(1.0, Math.abs(fd));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void masksZeroWhatTheyMask(LossCase c) {
        double[][] z = TestArrays.logits(ROWS, COLS, 2.0, 31);
        double[][] y = labels(c, ROWS, COLS, 32);
        IActivation act = c.activation.getActivationFunction();
        INDArray mask = Nd4j.ones(DataType.DOUBLE, ROWS, 1);
        mask.putScalar(2, 0, 0.0);
        INDArray s = c.loss.computeScoreArray(TestArrays.arr(y, DataType.DOUBLE), TestArrays.arr(z, DataType.DOUBLE),
                act, mask);
        INDArray g = c.loss.computeGradient(TestArrays.arr(y, DataType.DOUBLE), TestArrays.arr(z, DataType.DOUBLE),
                act, mask);
        assertEquals(0.0, s.getDouble(2, 0), 0.0);
        assertEquals(0.0, g.getRow(2).amaxNumber().doubleValue(), 0.0);
        INDArray zeros = Nd4j.zeros(DataType.DOUBLE, ROWS, 1);
        assertEquals(0.0, c.loss.computeScore(TestArrays.arr(y, DataType.DOUBLE), TestArrays.arr(z, DataType.DOUBLE),
                act, zeros, false), 0.0);
        if (c.rowwise) {
            // masking a row leaves the other rows' scores unchanged
            INDArray unmasked = c.loss.computeScoreArray(TestArrays.arr(y, DataType.DOUBLE),
                    TestArrays.arr(z, DataType.DOUBLE), act, null);
            assertEquals(unmasked.getDouble(0, 0), s.getDouble(0, 0), 1e-12);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void neverMutatesInputs(LossCase c) {
        INDArray z = TestArrays.arr(TestArrays.logits(ROWS, COLS, 2.0, 41), DataType.FLOAT);
        INDArray y = TestArrays.arr(labels(c, ROWS, COLS, 42), DataType.FLOAT);
        INDArray m = Nd4j.ones(DataType.FLOAT, ROWS, 1);
        INDArray z0 = z.dup();
        INDArray y0 = y.dup();
        INDArray m0 = m.dup();
        IActivation act = c.activation.getActivationFunction();
        c.loss.computeGradientAndScore(y, z, act, m, false);
        c.loss.computeScoreArray(y, z, act, m);
        c.loss.computeGradient(y, z, act, null);
        assertEquals(z0, z);
        assertEquals(y0, y);
        assertEquals(m0, m);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void extremeLogitsStayFinite(LossCase c) {
        for (DataType t : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            double[][] z = {{100, -100, 0, 50}, {-100, 100, -100, 100}, {100, 100, 100, 100}, {-100, -100, -100, 100}};
            double[][] y = c.oneHot ? new double[][]{{1, 0, 0, 0}, {1, 0, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}
                    : new double[][]{{1, 0, 1, 0}, {1, 1, 0, 0}, {0, 0, 1, 1}, {0, 1, 0, 1}};
            IActivation act = c.activation.getActivationFunction();
            var r = c.loss.computeGradientAndScore(TestArrays.arr(y, t), TestArrays.arr(z, t), act, null, false);
            assertTrue(Double.isFinite(r.getFirst()), c.id + " " + t + " score " + r.getFirst());
            assertTrue(Double.isFinite(r.getSecond().sumNumber().doubleValue())
                            && !r.getSecond().isNaN().any() && !r.getSecond().isInfinite().any(),
                    c.id + " " + t + " gradient " + r.getSecond());
            assertEquals(t, r.getSecond().dataType());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void floatAgreesWithDouble(LossCase c) {
        double[][] z = TestArrays.logits(ROWS, COLS, 2.0, 51);
        double[][] y = labels(c, ROWS, COLS, 52);
        IActivation act = c.activation.getActivationFunction();
        var d = c.loss.computeGradientAndScore(TestArrays.arr(y, DataType.DOUBLE), TestArrays.arr(z, DataType.DOUBLE),
                act, null, false);
        var f = c.loss.computeGradientAndScore(TestArrays.arr(y, DataType.FLOAT), TestArrays.arr(z, DataType.FLOAT),
                act, null, false);
        assertEquals(d.getFirst(), f.getFirst(), 1e-5 + 1e-4 * Math.abs(d.getFirst()));
        INDArray diff = d.getSecond().sub(f.getSecond().castTo(DataType.DOUBLE));
        assertTrue(diff.amaxNumber().doubleValue() < 1e-4, c.id + " float vs double gradient " + diff);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void specRoundTripsThroughTheRegistry(LossCase c) {
        LossFunction back = LossRegistry.discover().create(c.loss.spec());
        assertEquals(c.loss, back);
        assertEquals(c.loss.hashCode(), back.hashCode());
        assertEquals(c.loss.spec(), back.spec());
    }

    @Test
    void registryKnowsEveryLossWithItsDefaults() {
        LossRegistry r = LossRegistry.discover();
        assertEquals(new AdaptiveFocalLoss(3.0), r.create("focal-adaptive"));
        assertEquals(new DualFocalLoss(5.0), r.create("dual-focal"));
        assertEquals(new SigmoidAdaptiveFocalLoss(3.0), r.create("focal-adaptive-sigmoid"));
        assertEquals(new AdaFocalLoss(), r.create("adafocal"));
        assertEquals(new LabelSmoothingLoss(0.1), r.create("label-smoothing"));
        assertEquals(new FocalLabelSmoothingLoss(3.0, 0.1), r.create("focal-label-smoothing"));
        assertEquals(new MdcaLoss(1.0), r.create("mdca"));
        assertEquals(new MarginPenaltyLoss(10.0, 0.1), r.create("mbls"));
        assertEquals("adafocal(numBins=15, lambda=1, gammaInitial=1, gammaMax=20, gammaMin=-2, switchPoint=0.2)",
                new AdaFocalLoss().spec());
    }

    @Test
    void invalidParametersFailWithTheSchemaMessage() {
        LossConfigurationException fromJava = assertThrows(LossConfigurationException.class,
                () -> new AdaptiveFocalLoss(-1));
        LossConfigurationException fromRegistry = assertThrows(LossConfigurationException.class,
                () -> LossRegistry.discover().create("focal-adaptive", java.util.Map.of("gamma", -1.0)));
        assertEquals(fromRegistry.getMessage(), fromJava.getMessage());
        assertTrue(fromJava.getMessage().contains("gamma"), fromJava.getMessage());
        assertThrows(LossConfigurationException.class, () -> new DualFocalLoss(-0.5));
        assertThrows(LossConfigurationException.class, () -> new LabelSmoothingLoss(1.5));
        assertThrows(LossConfigurationException.class, () -> new MdcaLoss(-1));
        assertThrows(LossConfigurationException.class, () -> new MarginPenaltyLoss(-1, 0.1));
        LossConfigurationException wrongLength = assertThrows(LossConfigurationException.class,
                () -> new AdaFocalLoss(3, 1, 1, 20, -2, 0.2, new double[]{1, 1}, null));
        assertEquals("Invalid adafocal parameter gammas: 2 values for numBins=3. Must have one gamma per bin.",
                wrongLength.getMessage());
        assertThrows(LossConfigurationException.class,
                () -> new AdaFocalLoss(2, 1, 1, 20, -2, 0.2, null, new double[]{0, 0.6, 0.5}));
        assertThrows(LossConfigurationException.class, () -> new AdaFocalLoss(2, 1, 1, 1, 2, 0.2, null, null));
    }

    @Test
    void wrongActivationIsNamed() {
        INDArray z = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> new DualFocalLoss()
                .computeScore(z, z, org.nd4j.linalg.activations.Activation.SIGMOID.getActivationFunction(), null, false));
        assertTrue(e.getMessage().contains("SOFTMAX"), e.getMessage());
        // mdca: a labels-shaped mask must weight whole rows (softmax couples a row's classes; the batch
        // means are per row); a row-constant one is the per-row mask it equals
        INDArray partial = Nd4j.createFromArray(new double[][]{{1, 1, 1}, {1, 0, 1}});
        LossConfigurationException perOutput = assertThrows(LossConfigurationException.class, () -> new MdcaLoss()
                .computeScore(z, z, org.nd4j.linalg.activations.Activation.SOFTMAX.getActivationFunction(), partial,
                        false));
        assertTrue(perOutput.getMessage().startsWith("mdca: a per-output (labels-shaped) mask must be constant within"
                + " each row for a softmax output, but row 1 has mask values [1.0, 0.0, 1.0]"), perOutput.getMessage());
        LossConfigurationException sigmoid = assertThrows(LossConfigurationException.class, () -> new MdcaLoss()
                .computeScore(z, z, org.nd4j.linalg.activations.Activation.SIGMOID.getActivationFunction(), partial,
                        false));
        assertTrue(sigmoid.getMessage().startsWith("mdca: a per-output (labels-shaped) mask must be constant within"
                + " each row (this batch-level term weights whole rows"), sigmoid.getMessage());
        assertTrue(sigmoid.getMessage().contains("row 1 has mask values [1.0, 0.0, 1.0]"), sigmoid.getMessage());
        INDArray y = Nd4j.createFromArray(new double[][]{{1, 0, 0}, {0, 0, 1}});
        INDArray logits = Nd4j.createFromArray(new double[][]{{0.5, -1, 2}, {1, 0.2, -0.3}});
        for (org.nd4j.linalg.activations.Activation a : new org.nd4j.linalg.activations.Activation[]{
                org.nd4j.linalg.activations.Activation.SOFTMAX, org.nd4j.linalg.activations.Activation.SIGMOID}) {
            IActivation f = a.getActivationFunction();
            INDArray rows = Nd4j.createFromArray(new double[][]{{1}, {0.5}});
            INDArray labelsShaped = Nd4j.createFromArray(new double[][]{{1, 1, 1}, {0.5, 0.5, 0.5}});
            assertEquals(new MdcaLoss().computeScoreArray(y, logits, f, rows),
                    new MdcaLoss().computeScoreArray(y, logits, f, labelsShaped), a.toString());
            assertEquals(new MdcaLoss().computeGradient(y, logits, f, rows),
                    new MdcaLoss().computeGradient(y, logits, f, labelsShaped), a.toString());
        }
    }

    /** focal-adaptive: the gamma thresholds at exactly p_t = 0.2 and 0.5 (lower edge inclusive). */
    @Test
    void flsdThresholdsAreLowerInclusive() {
        // two classes: p_t = 0.2 exactly needs z_t - z_o = log(0.25)
        for (double pt : new double[]{0.2, 0.5}) {
            double[][] z = {{Math.log(pt / (1 - pt)), 0}};
            double[][] y = {{1, 0}};
            double got = new AdaptiveFocalLoss(1.0).computeScore(TestArrays.arr(y, DataType.DOUBLE),
                    TestArrays.arr(z, DataType.DOUBLE),
                    org.nd4j.linalg.activations.Activation.SOFTMAX.getActivationFunction(), null, false);
            double p = Reference.softmax(z[0])[0];
            double g = p < 0.2 ? 5 : p < 0.5 ? 3 : 1;
            assertEquals(-Math.pow(1 - p, g) * Math.log(p), got, 1e-12, "p_t=" + pt);
        }
    }

    /** dual-focal: p_j is the largest probability strictly below p_y, also when the prediction is wrong. */
    @Test
    void dualFocalUsesTheNextLowerProbability() {
        double[][] z = {{3, 1, 2, 0}, {3, 1, 2, 0}, {3, 1, 2, 0}, {1, 1, 0, 0}};
        double[][] y = {{0, 0, 1, 0}, {0, 0, 0, 1}, {1, 0, 0, 0}, {1, 0, 0, 0}};
        INDArray s = new DualFocalLoss(2).computeScoreArray(TestArrays.arr(y, DataType.DOUBLE),
                TestArrays.arr(z, DataType.DOUBLE), org.nd4j.linalg.activations.Activation.SOFTMAX.getActivationFunction(),
                null);
        double[] p = Reference.softmax(z[0]);
        assertEquals(-Math.pow(1 - p[2] + p[1], 2) * Math.log(p[2]), s.getDouble(0, 0), 1e-12);
        assertEquals(-Math.pow(1 - p[3], 2) * Math.log(p[3]), s.getDouble(1, 0), 1e-12);
        assertEquals(-Math.pow(1 - p[0] + p[2], 2) * Math.log(p[0]), s.getDouble(2, 0), 1e-12);
        double[] q = Reference.softmax(z[3]);
        // tie with p_y excluded: p_j is the next lower value
        assertEquals(-Math.pow(1 - q[0] + q[2], 2) * Math.log(q[0]), s.getDouble(3, 0), 1e-12);
    }

    /**
     * dual-focal's gradient against the closed form of its Javadoc, computed here in double loops, with the
     * runner-up j chosen as topk does (the first of equal candidates): rows with a tie with p_y, a tie between
     * two candidates, no candidate (p_y smallest), all classes equal, and far-apart logits.
     */
    @Test
    void dualFocalGradientMatchesTheClosedFormIncludingTies() {
        double[][] z = {{3, 1, 2, 0}, {1, 1, 0, 0}, {2, 0.5, 0.5, 3}, {0, 5, 3, 1}, {1, 1, 1, 1}, {40, -40, 0, 39}};
        double[][] y = {{0, 0, 1, 0}, {1, 0, 0, 0}, {1, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 0, 1}};
        double gamma = 3;
        INDArray g = new DualFocalLoss(gamma).computeGradient(TestArrays.arr(y, DataType.DOUBLE),
                TestArrays.arr(z, DataType.DOUBLE), org.nd4j.linalg.activations.Activation.SOFTMAX.getActivationFunction(),
                null);
        for (int r = 0; r < z.length; r++) {
            double[] p = Reference.softmax(z[r]);
            int t = Reference.target(y[r]);
            int j = -1;
            for (int k = 0; k < p.length; k++) {
                if (p[k] < p[t] && (j < 0 || p[k] > p[j])) {
                    j = k;
                }
            }
            double pj = j < 0 ? 0 : p[j];
            double u = 1 - p[t] + pj;
            for (int k = 0; k < p.length; k++) {
                double dyk = k == t ? 1 : 0;
                double djk = k == j ? 1 : 0;
                double expected = -gamma * Math.pow(u, gamma - 1) * Math.log(p[t]) * (pj * (djk - p[k]) - p[t] * (dyk - p[k]))
                        - Math.pow(u, gamma) * (dyk - p[k]);
                assertEquals(expected, g.getDouble(r, k), 1e-12 + 1e-9 * Math.abs(expected), "row " + r + ", class " + k);
            }
        }
    }

    /** Calibration terms combine with any registered loss by spec string, and the compound gradient is exact. */
    @Test
    void auxiliaryTermsCombineBySpec() {
        LossFunction loss = LossRegistry.discover().create("focal-adaptive(gamma=1) + mdca(beta=1)");
        assertTrue(loss instanceof CompoundLoss);
        LossFunction loss2 = LossRegistry.discover().create("label-smoothing(alpha=0) + 0.5*mbls(margin=1, alpha=0.1)");
        double[][] z = TestArrays.logits(ROWS, COLS, 2.0, 61);
        double[][] y = TestArrays.oneHot(ROWS, COLS, 62);
        double expected = Reference.mdcaTotal(z, y, 1.0, true);
        double expected2 = 0;
        for (int i = 0; i < ROWS; i++) {
            expected += Reference.flsd(z[i], y[i], 1.0);
            expected2 += Reference.labelSmoothing(z[i], y[i], 0) + 0.5 * Reference.mbls(z[i], 1.0, 0.1);
        }
        IActivation act = org.nd4j.linalg.activations.Activation.SOFTMAX.getActivationFunction();
        assertEquals(expected, loss.computeScore(TestArrays.arr(y, DataType.DOUBLE), TestArrays.arr(z, DataType.DOUBLE),
                act, null, false), 1e-10);
        assertEquals(expected2, loss2.computeScore(TestArrays.arr(y, DataType.DOUBLE),
                TestArrays.arr(z, DataType.DOUBLE), act, null, false), 1e-10);
        checkGradient(new LossCase("compound", loss, org.nd4j.linalg.activations.Activation.SOFTMAX, true, null, false,
                false), z, y, null, "focal-adaptive+mdca");
        checkGradient(new LossCase("compound2", loss2, org.nd4j.linalg.activations.Activation.SOFTMAX, true, null,
                false, false), z, y, null, "label-smoothing+mbls");
    }
}
