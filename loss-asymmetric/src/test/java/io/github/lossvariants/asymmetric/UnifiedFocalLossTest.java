package io.github.lossvariants.asymmetric;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.region.RegionOptions;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnifiedFocalLossTest {
    private static final IActivation SOFTMAX = new ActivationSoftmax();
    private static final IActivation SIGMOID = new ActivationSigmoid();

    /**
     * The paper's formula for one image, written as a plain double loop (independent of the code
     * under test): p[i] = {p0, p1}, g[i] = {g0, g1}, m[i] = {mask of channel 0, mask of channel 1}.
     */
    static double oracle(double[][] p, double[][] g, double[][] m, double lambda, double delta, double gamma) {
        int r = p.length;
        double s = 1e-7;
        double afl = 0;
        double[] tp = new double[2];
        double[] fp = new double[2];
        double[] fn = new double[2];
        for (int i = 0; i < r; i++) {
            afl += m[i][0] * (1 - delta) * Math.pow(1 - p[i][0], gamma) * (-g[i][0] * Math.log(p[i][0]))
                    + m[i][1] * delta * (-g[i][1] * Math.log(p[i][1]));
            for (int c = 0; c < 2; c++) {
                tp[c] += m[i][c] * p[i][c] * g[i][c];
                fp[c] += m[i][c] * p[i][c] * (1 - g[i][c]);
                fn[c] += m[i][c] * (1 - p[i][c]) * g[i][c];
            }
        }
        afl /= r;
        double ti0 = (tp[0] + s) / (tp[0] + delta * fn[0] + (1 - delta) * fp[0] + s);
        double ti1 = (tp[1] + s) / (tp[1] + delta * fn[1] + (1 - delta) * fp[1] + s);
        double aftl = ((1 - ti0) + Math.pow(1 - ti1, 1 - gamma)) / 2;
        return lambda * aftl + (1 - lambda) * afl;
    }

    /** Softmax probabilities of 2-channel logits rows. */
    static double[][] softmax(double[][] z) {
        double[][] p = new double[z.length][2];
        for (int i = 0; i < z.length; i++) {
            double mx = Math.max(z[i][0], z[i][1]);
            double e0 = Math.exp(z[i][0] - mx);
            double e1 = Math.exp(z[i][1] - mx);
            p[i][0] = e0 / (e0 + e1);
            p[i][1] = e1 / (e0 + e1);
        }
        return p;
    }

    static double[][] ones(int r) {
        double[][] m = new double[r][2];
        for (double[] row : m) {
            row[0] = 1;
            row[1] = 1;
        }
        return m;
    }

    static double[][] oneHot(double[] g1) {
        double[][] g = new double[g1.length][2];
        for (int i = 0; i < g1.length; i++) {
            g[i][0] = 1 - g1[i];
            g[i][1] = g1[i];
        }
        return g;
    }

    // one 2x2 image: logits (background, foreground) per pixel, foreground only at pixel 2
    private static final double[][] Z = {{2.0, -1.0}, {0.5, 0.3}, {-0.2, 1.5}, {1.0, 1.0}};
    private static final double[] G1 = {0, 0, 1, 0};

    @Test
    void handValueOfATinySoftmaxImage() {
        UnifiedFocalLoss loss = UnifiedFocalLoss.of(0.5, 0.6, 0.5, 4);
        INDArray x = Nd4j.createFromArray(Z);
        INDArray y = Nd4j.createFromArray(oneHot(G1));
        double expected = oracle(softmax(Z), oneHot(G1), ones(4), 0.5, 0.6, 0.5);
        // the same number computed separately in NumPy: AFL 0.115370697, AFTL 0.427190201
        assertEquals(0.2712804488518581, expected, 1e-15);
        assertEquals(expected, loss.computeScore(y, x, SOFTMAX, null, false), 1e-12);
        // the image's rows sum to L (what DL4J's scoreExamples reports per image)
        assertEquals(expected, loss.computeScoreArray(y, x, SOFTMAX, null).sumNumber().doubleValue(), 1e-12);
    }

    @Test
    void singleSigmoidChannelEqualsSoftmaxOverZeroAndTheLogit() {
        // softmax([a, b]) = [sigmoid(a - b), sigmoid(b - a)]: a sigmoid on b - a must give the same loss
        UnifiedFocalLoss loss = UnifiedFocalLoss.of(0.5, 0.6, 0.5, 4);
        double[] diff = new double[4];
        for (int i = 0; i < 4; i++) {
            diff[i] = Z[i][1] - Z[i][0];
        }
        INDArray x = Nd4j.createFromArray(diff).reshape(4, 1);
        INDArray y = Nd4j.createFromArray(G1).reshape(4, 1);
        assertEquals(0.2712804488518581, loss.computeScore(y, x, SIGMOID, null, false), 1e-12);
        // and the gradients agree: dL/d(b - a) = dL/db for the softmax pair
        INDArray gSoft = loss.computeGradient(Nd4j.createFromArray(oneHot(G1)), Nd4j.createFromArray(Z), SOFTMAX, null);
        INDArray gSig = loss.computeGradient(y, x, SIGMOID, null);
        for (int i = 0; i < 4; i++) {
            assertEquals(gSoft.getDouble(i, 1), gSig.getDouble(i, 0), 1e-12, "pixel " + i);
            assertEquals(-gSoft.getDouble(i, 1), gSoft.getDouble(i, 0), 1e-12, "softmax gradient sums to 0");
        }
    }

    /** Random case: n images of r pixels, 2-channel logits, hard or soft foreground labels. */
    static double[][][] randomImages(long seed, int n, int r, boolean soft) {
        Random rng = new Random(seed);
        double[][][] out = new double[2][n * r][2];
        for (int i = 0; i < n * r; i++) {
            out[0][i][0] = rng.nextGaussian() * 2;
            out[0][i][1] = rng.nextGaussian() * 2;
            double g1 = soft ? rng.nextDouble() : (rng.nextDouble() < 0.25 ? 1 : 0);
            out[1][i][0] = 1 - g1;
            out[1][i][1] = g1;
        }
        return out;
    }

    @Test
    void perImageValuesMatchTheOracleForSeveralParameterSets() {
        double[][] params = {{0.5, 0.6, 0.5}, {0.2, 0.7, 0.2}, {1.0, 0.6, 0.5}, {0.0, 0.6, 0.5}, {0.5, 0.5, 0.0},
                {0.5, 0.6, 1.0}};
        int n = 3;
        int r = 5;
        for (double[] pr : params) {
            for (boolean soft : new boolean[]{false, true}) {
                double[][][] c = randomImages(17, n, r, soft);
                UnifiedFocalLoss loss = UnifiedFocalLoss.of(pr[0], pr[1], pr[2], r);
                INDArray scores = loss.computeScoreArray(Nd4j.createFromArray(c[1]), Nd4j.createFromArray(c[0]), SOFTMAX,
                        null);
                for (int img = 0; img < n; img++) {
                    double[][] z = java.util.Arrays.copyOfRange(c[0], img * r, img * r + r);
                    double[][] g = java.util.Arrays.copyOfRange(c[1], img * r, img * r + r);
                    double expected = oracle(softmax(z), g, ones(r), pr[0], pr[1], pr[2]);
                    double got = 0;
                    for (int i = img * r; i < img * r + r; i++) {
                        got += scores.getDouble(i, 0);
                    }
                    assertEquals(expected, got, 1e-12, java.util.Arrays.toString(pr) + " soft=" + soft + " image " + img);
                }
            }
        }
    }

    @Test
    void masksMatchTheOracle() {
        int r = 6;
        double[][][] c = randomImages(3, 2, r, false);
        UnifiedFocalLoss loss = UnifiedFocalLoss.of(0.5, 0.6, 0.5, r);
        // per-output (labels-shaped) mask, whole pixels (softmax accepts no other), and per-row mask
        double[][] perOutput = ones(2 * r);
        for (int px : new int[]{1, 4, 7}) {
            perOutput[px][0] = 0;
            perOutput[px][1] = 0;
        }
        double[] perRow = {1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1};
        double[][] perRowAsOutput = new double[2 * r][2];
        for (int i = 0; i < 2 * r; i++) {
            perRowAsOutput[i][0] = perRow[i];
            perRowAsOutput[i][1] = perRow[i];
        }
        INDArray x = Nd4j.createFromArray(c[0]);
        INDArray y = Nd4j.createFromArray(c[1]);
        double[][][] masks = {perOutput, perRowAsOutput};
        INDArray[] given = {Nd4j.createFromArray(perOutput), Nd4j.createFromArray(perRow).reshape(2 * r, 1)};
        for (int k = 0; k < 2; k++) {
            double expected = 0;
            for (int img = 0; img < 2; img++) {
                expected += oracle(softmax(java.util.Arrays.copyOfRange(c[0], img * r, img * r + r)),
                        java.util.Arrays.copyOfRange(c[1], img * r, img * r + r),
                        java.util.Arrays.copyOfRange(masks[k], img * r, img * r + r), 0.5, 0.6, 0.5);
            }
            assertEquals(expected, loss.computeScore(y, x, SOFTMAX, given[k], false), 1e-12, "mask " + k);
        }
        // one channel of a pixel masked under softmax: rejected, naming the loss, the pixel row and its values
        double[][] oneChannel = ones(2 * r);
        oneChannel[4][1] = 0;
        io.github.lossvariants.api.LossConfigurationException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.github.lossvariants.api.LossConfigurationException.class,
                () -> loss.computeScore(y, x, SOFTMAX, Nd4j.createFromArray(oneChannel), false));
        assertTrue(e.getMessage().startsWith("unified-focal: a per-output (labels-shaped) mask must be constant within"
                + " each row for a softmax output, but row 4 has mask values [1.0, 0.0]"), e.getMessage());
    }

    // ---- gradients ----

    static void assertGradientMatchesFiniteDifferences(LossFunction loss, INDArray y, INDArray x, IActivation act,
                                                       INDArray mask, String what) {
        INDArray analytic = loss.computeGradient(y, x, act, mask);
        double h = 1e-6;
        boolean perOutput = mask != null && mask.columns() == x.columns() && x.columns() > 1;
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < x.columns(); j++) {
                if (perOutput && mask.getDouble(i, j) == 0.0) {
                    // exactly 0: for softmax only whole pixels can be masked, whose exact derivative is 0,
                    // and DL4J's OutputLayer (which zeroes masked pre-activations) needs 0 too
                    assertEquals(0.0, analytic.getDouble(i, j), 0.0, what + " masked (" + i + "," + j + ")");
                    continue;
                }
                INDArray xp = x.dup();
                INDArray xm = x.dup();
                xp.putScalar(i, j, x.getDouble(i, j) + h);
                xm.putScalar(i, j, x.getDouble(i, j) - h);
                double fd = (loss.computeScore(y, xp, act, mask, false) - loss.computeScore(y, xm, act, mask, false)) / (2 * h);
                assertEquals(fd, analytic.getDouble(i, j), 1e-7 + 1e-5 * Math.abs(fd), what + " at (" + i + "," + j + ")");
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesForSoftmaxAndSigmoidWithAndWithoutMasks() {
        int r = 4;
        for (double[] pr : new double[][]{{0.5, 0.6, 0.5}, {0.3, 0.8, 0.0}}) {
            UnifiedFocalLoss loss = UnifiedFocalLoss.of(pr[0], pr[1], pr[2], r);
            for (boolean soft : new boolean[]{false, true}) {
                double[][][] c = randomImages(41, 2, r, soft);
                INDArray x = Nd4j.createFromArray(c[0]);
                INDArray y = Nd4j.createFromArray(c[1]);
                INDArray perRow = Nd4j.ones(DataType.DOUBLE, 2 * r, 1);
                perRow.putScalar(2, 0, 0.0);
                perRow.putScalar(5, 0, 0.0);
                // labels-shaped, constant within each pixel (whole pixels 1 and 6 masked, pixel 3 weighted 0.5)
                INDArray perOutput = Nd4j.ones(DataType.DOUBLE, 2 * r, 2);
                perOutput.getRow(1).assign(0.0);
                perOutput.getRow(6).assign(0.0);
                perOutput.getRow(3).assign(0.5);
                String what = java.util.Arrays.toString(pr) + " soft=" + soft;
                assertGradientMatchesFiniteDifferences(loss, y, x, SOFTMAX, null, what + " softmax");
                assertGradientMatchesFiniteDifferences(loss, y, x, SOFTMAX, perRow, what + " softmax per-row mask");
                assertGradientMatchesFiniteDifferences(loss, y, x, SOFTMAX, perOutput, what + " softmax per-output mask");
                INDArray xs = x.getColumn(1).sub(x.getColumn(0)).reshape(2 * r, 1);
                INDArray ys = y.getColumn(1).dup().reshape(2 * r, 1);
                assertGradientMatchesFiniteDifferences(loss, ys, xs, SIGMOID, null, what + " sigmoid");
                assertGradientMatchesFiniteDifferences(loss, ys, xs, SIGMOID, perRow, what + " sigmoid masked");
            }
        }
    }

    // ---- empty foreground, fully masked, extreme logits ----

    @Test
    void emptyForegroundPerfectAndFullyMaskedImagesAreFinite() {
        int r = 4;
        UnifiedFocalLoss loss = UnifiedFocalLoss.of(0.5, 0.6, 0.5, r);
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            // image 0: empty foreground, confidently background; image 1: perfect foreground prediction at +-100;
            // image 2: fully masked
            double[][] z = {{30, -30}, {30, -30}, {30, -30}, {30, -30},
                    {-100, 100}, {100, -100}, {-100, 100}, {100, -100},
                    {1, 2}, {3, -1}, {0, 0}, {-2, 2}};
            double[] g1 = {0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1};
            INDArray x = Nd4j.createFromArray(z).castTo(type);
            INDArray y = Nd4j.createFromArray(oneHot(g1)).castTo(type);
            INDArray mask = Nd4j.ones(type, 12, 1);
            for (int i = 8; i < 12; i++) {
                mask.putScalar(i, 0, 0.0);
            }
            Pair<Double, INDArray> gs = loss.computeGradientAndScore(y, x, SOFTMAX, mask, false);
            assertTrue(Double.isFinite(gs.getFirst()), type + " score " + gs.getFirst());
            assertEquals(0.0, gs.getSecond().dup().reshape(24).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(16, 24))
                    .amaxNumber().doubleValue(), 0.0, "fully masked image has zero gradient");
            assertTrue(gs.getSecond().isInfinite().castTo(DataType.INT32).sumNumber().intValue() == 0
                    && gs.getSecond().isNaN().castTo(DataType.INT32).sumNumber().intValue() == 0, type + " " + gs.getSecond());
            INDArray rows = loss.computeScoreArray(y, x, SOFTMAX, mask);
            // perfect images score (almost) 0: TI = 1 for both classes and CE about 0
            assertEquals(0.0, rows.getDouble(0, 0) * r, 1e-6);
            assertEquals(0.0, rows.getDouble(4, 0) * r, 1e-6);
            assertEquals(0.0, rows.getDouble(8, 0), 0.0);
            // sigmoid, empty foreground and an all-zero mask
            INDArray xs = x.getColumn(1).sub(x.getColumn(0)).reshape(12, 1);
            INDArray ys = y.getColumn(1).dup().reshape(12, 1);
            Pair<Double, INDArray> gs2 = loss.computeGradientAndScore(ys, xs, SIGMOID, mask, false);
            assertTrue(Double.isFinite(gs2.getFirst()));
            assertTrue(gs2.getSecond().isNaN().castTo(DataType.INT32).sumNumber().intValue() == 0
                    && gs2.getSecond().isInfinite().castTo(DataType.INT32).sumNumber().intValue() == 0);
            assertEquals(0.0, loss.computeScore(ys, xs, SIGMOID, Nd4j.zeros(type, 12, 1), false), 0.0);
        }
    }

    @Test
    void wrongPredictionsAtExtremeLogitsAreFiniteAndLarge() {
        int r = 2;
        UnifiedFocalLoss loss = UnifiedFocalLoss.of(0.5, 0.6, 0.5, r);
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            INDArray x = Nd4j.createFromArray(new double[][]{{100, -100}, {-100, 100}}).castTo(type);
            INDArray y = Nd4j.createFromArray(new double[][]{{0, 1}, {1, 0}}).castTo(type);
            Pair<Double, INDArray> gs = loss.computeGradientAndScore(y, x, SOFTMAX, null, false);
            // AFL: (0.6 * 200 + 0.4 * 1 * 200) / 2 = 100, times 0.5; AFTL: about 1, times 0.5
            assertEquals(0.5 * 100 + 0.5 * 1.0, gs.getFirst(), 1e-3, type.toString());
            assertTrue(gs.getSecond().isNaN().castTo(DataType.INT32).sumNumber().intValue() == 0
                    && gs.getSecond().isInfinite().castTo(DataType.INT32).sumNumber().intValue() == 0, gs.getSecond().toString());
        }
    }

    // ---- configuration ----

    @Test
    void rejectsWrongChannelCountsAndActivations() {
        UnifiedFocalLoss loss = UnifiedFocalLoss.of(0.5, 0.6, 0.5, 2);
        INDArray three = Nd4j.zeros(DataType.DOUBLE, 4, 3);
        INDArray two = Nd4j.zeros(DataType.DOUBLE, 4, 2);
        INDArray one = Nd4j.zeros(DataType.DOUBLE, 4, 1);
        assertTrue(assertThrows(LossConfigurationException.class, () -> loss.computeScore(three, three, SOFTMAX, null, false))
                .getMessage().contains("3 channel"));
        assertTrue(assertThrows(LossConfigurationException.class, () -> loss.computeScore(two, two, SIGMOID, null, false))
                .getMessage().contains("SIGMOID"));
        assertThrows(LossConfigurationException.class, () -> loss.computeScore(one, one, SOFTMAX, null, false));
        assertTrue(assertThrows(LossConfigurationException.class,
                () -> loss.computeScore(one, one, new ActivationReLU(), null, false)).getMessage().contains("SIGMOID"));
        assertThrows(LossConfigurationException.class,
                () -> new UnifiedFocalLoss(0.5, 0.6, 0.5, RegionOptions.defaults().withBatch(true)));
        assertThrows(LossConfigurationException.class,
                () -> new UnifiedFocalLoss(0.5, 0.6, 0.5, RegionOptions.defaults().withClassWeights(1, 2)));
    }

    @Test
    void registryDefaultsSpecRoundTripAndParameterChecks() {
        LossRegistry registry = LossRegistry.discover();
        assertTrue(registry.names().contains("unified-focal"));
        UnifiedFocalLoss d = new UnifiedFocalLoss();
        assertEquals(d, registry.create("unified-focal"));
        assertEquals(Map.of("weight", 0.5, "delta", 0.6, "gamma", 0.5, "rowsPerExample", 1), d.parameters());
        UnifiedFocalLoss custom = UnifiedFocalLoss.of(0.3, 0.7, 0.25, 64);
        assertEquals(custom, registry.create("unified-focal(weight=0.3, delta=0.7, gamma=0.25, rowsPerExample=64)"));
        assertEquals(custom, registry.create(custom.spec()));
        assertEquals(custom, d.withRowsPerExample(64).withOptions(custom.getOptions()).equals(d) ? null
                : UnifiedFocalLoss.of(0.3, 0.7, 0.25, 64));
        assertEquals(64, custom.withRowsPerExample(64).rowsPerExample());
        for (String[] bad : new String[][]{{"weight", "1.5"}, {"delta", "-0.1"}, {"gamma", "2"}}) {
            double v = Double.parseDouble(bad[1]);
            LossConfigurationException fromRegistry = assertThrows(LossConfigurationException.class,
                    () -> registry.create("unified-focal", Map.of(bad[0], v)));
            LossConfigurationException fromJava = assertThrows(LossConfigurationException.class,
                    () -> new UnifiedFocalLoss(bad[0].equals("weight") ? v : 0.5, bad[0].equals("delta") ? v : 0.6,
                            bad[0].equals("gamma") ? v : 0.5, null));
            assertEquals(fromRegistry.getMessage(), fromJava.getMessage());
            assertTrue(fromJava.getMessage().contains(bad[0]), fromJava.getMessage());
        }
    }
}
