package io.github.lossvariants.asymmetric;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsymmetricLossTest {
    private static final ActivationSigmoid SIGMOID = new ActivationSigmoid();

    private static INDArray row(DataType t, double... v) {
        return Nd4j.createFromArray(v).reshape(1, v.length).castTo(t);
    }

    private static double[] flat(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').reshape(a.length()).toDoubleVector();
    }

    // ---- reference values of LOSS-REFERENCE.md section 5 ----

    @Test
    void referenceValuesOfLossReferenceSection5() {
        INDArray y = row(DataType.DOUBLE, 1, 0, 1);
        AsymmetricLoss asl = new AsymmetricLoss();
        assertEquals(0.932968, asl.computeScore(y, row(DataType.DOUBLE, 1, 2, 3), SIGMOID, null, false), 5e-7);
        assertEquals(3.864078, asl.computeScore(y, row(DataType.DOUBLE, -1, -2, -3), SIGMOID, null, false), 5e-7);
        AsymmetricLoss bce = AsymmetricLoss.builder().gammaNeg(0).gammaPos(0).clip(0).build();
        assertEquals(2.488777, bce.computeScore(y, row(DataType.DOUBLE, 1, 2, 3), SIGMOID, null, false), 5e-7);
    }

    @Test
    void gammasZeroAndNoClipIsSummedBinaryCrossEntropy() {
        Random r = new Random(7);
        double[] x = new double[24];
        double[] y = new double[24];
        double expected = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian() * 3;
            y[i] = r.nextDouble() < 0.3 ? 1 : 0;
            // BCE with logits, written independently: max(x,0) - x y + log(1 + exp(-|x|))
            expected += Math.max(x[i], 0) - x[i] * y[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
        }
        AsymmetricLoss bce = AsymmetricLoss.builder().gammaNeg(0).gammaPos(0).clip(0).build();
        INDArray xs = Nd4j.createFromArray(x).reshape(4, 6);
        INDArray ys = Nd4j.createFromArray(y).reshape(4, 6);
        assertEquals(expected, bce.computeScore(ys, xs, SIGMOID, null, false), 1e-9 + 1e-7 * expected);
        // gradient of BCE is p - y
        double[] g = flat(bce.computeGradient(ys, xs, SIGMOID, null));
        for (int i = 0; i < x.length; i++) {
            assertEquals(AslReference.sigmoid(x[i]) - y[i], g[i], 1e-12, "element " + i);
        }
    }

    // ---- values against the naive transcription of the reference, incl. soft labels ----

    static double[][] randomCase(long seed, int n, boolean soft) {
        Random r = new Random(seed);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian() * 3;
            y[i] = soft && i % 3 == 0 ? r.nextDouble() : (r.nextDouble() < 0.35 ? 1 : 0);
        }
        return new double[][]{x, y};
    }

    @ParameterizedTest
    @ValueSource(strings = {"asymmetric", "asymmetric(clip=0)", "asymmetric(gammaNeg=2, gammaPos=0)",
            "asymmetric(gammaNeg=0.5, gammaPos=0.25, clip=0.2)", "asymmetric(gammaNeg=0, gammaPos=0)",
            "asymmetric(gammaNeg=3, gammaPos=3, clip=0.1)", "asymmetric(detachFocusingWeight=true)"})
    void perElementValuesMatchTheReferenceTranscriptionWithHardAndSoftLabels(String spec) {
        AsymmetricLoss loss = (AsymmetricLoss) LossRegistry.discover().create(spec);
        double[][] c = randomCase(11, 60, true);
        INDArray x = Nd4j.createFromArray(c[0]).reshape(10, 6);
        INDArray y = Nd4j.createFromArray(c[1]).reshape(10, 6);
        double[] rows = flat(loss.computeScoreArray(y, x, SIGMOID, null));
        for (int r = 0; r < 10; r++) {
            double expected = 0;
            for (int j = 0; j < 6; j++) {
                expected += AslReference.loss(c[0][r * 6 + j], c[1][r * 6 + j], loss.getGammaNeg(), loss.getGammaPos(),
                        loss.getClip());
            }
            assertEquals(expected, rows[r], 1e-9 + 1e-7 * Math.abs(expected), spec + " row " + r);
        }
    }

    // ---- gradients by finite differences, double ----

    @ParameterizedTest
    @ValueSource(strings = {"asymmetric", "asymmetric(clip=0)", "asymmetric(gammaNeg=2, gammaPos=0)",
            "asymmetric(gammaNeg=0.5, gammaPos=0.25, clip=0.2)", "asymmetric(gammaNeg=0, gammaPos=0)",
            "asymmetric(gammaNeg=3, gammaPos=3, clip=0.1)", "asymmetric(gammaNeg=1, gammaPos=1, clip=0.02)"})
    void fullGradientMatchesCentralFiniteDifferences(String spec) {
        AsymmetricLoss loss = (AsymmetricLoss) LossRegistry.discover().create(spec);
        for (boolean soft : new boolean[]{false, true}) {
            double[][] c = randomCase(23, 36, soft);
            INDArray y = Nd4j.createFromArray(c[1]).reshape(6, 6);
            double[] analytic = flat(loss.computeGradient(y, Nd4j.createFromArray(c[0]).reshape(6, 6), SIGMOID, null));
            double h = 1e-6;
            for (int i = 0; i < c[0].length; i++) {
                // (this seed puts no logit within 1e-4 of the kink of max(p - clip, 0))
                assertTrue(loss.getClip() == 0 || Math.abs(AslReference.sigmoid(c[0][i]) - loss.getClip()) > 1e-4);
                double[] xp = c[0].clone();
                double[] xm = c[0].clone();
                xp[i] += h;
                xm[i] -= h;
                double fd = (loss.computeScore(y, Nd4j.createFromArray(xp).reshape(6, 6), SIGMOID, null, false)
                        - loss.computeScore(y, Nd4j.createFromArray(xm).reshape(6, 6), SIGMOID, null, false)) / (2 * h);
                assertEquals(fd, analytic[i], 1e-7 + 1e-5 * Math.abs(fd), spec + " soft=" + soft + " element " + i);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"asymmetric(detachFocusingWeight=true)",
            "asymmetric(clip=0, detachFocusingWeight=true)",
            "asymmetric(gammaNeg=0.5, gammaPos=2, clip=0.2, detachFocusingWeight=true)"})
    void detachedGradientMatchesFiniteDifferencesOfTheFrozenWeightSurrogate(String spec) {
        AsymmetricLoss loss = (AsymmetricLoss) LossRegistry.discover().create(spec);
        for (boolean soft : new boolean[]{false, true}) {
            double[][] c = randomCase(31, 36, soft);
            double[] x0 = c[0];
            double[] y = c[1];
            double[] analytic = flat(loss.computeGradient(Nd4j.createFromArray(y).reshape(6, 6),
                    Nd4j.createFromArray(x0).reshape(6, 6), SIGMOID, null));
            double h = 1e-6;
            double gn = loss.getGammaNeg();
            double gp = loss.getGammaPos();
            double m = loss.getClip();
            for (int i = 0; i < x0.length; i++) {
                double[] xp = x0.clone();
                double[] xm = x0.clone();
                xp[i] += h;
                xm[i] -= h;
                double fd = (AslReference.frozenTotal(xp, x0, y, gn, gp, m) - AslReference.frozenTotal(xm, x0, y, gn, gp, m))
                        / (2 * h);
                assertEquals(fd, analytic[i], 1e-7 + 1e-5 * Math.abs(fd), spec + " soft=" + soft + " element " + i);
            }
            // the score does not depend on the gradient mode
            AsymmetricLoss full = new AsymmetricLoss(gn, gp, m, false);
            INDArray xs = Nd4j.createFromArray(x0).reshape(6, 6);
            INDArray ys = Nd4j.createFromArray(y).reshape(6, 6);
            assertEquals(full.computeScore(ys, xs, SIGMOID, null, false), loss.computeScore(ys, xs, SIGMOID, null, false),
                    0.0);
        }
    }

    // ---- extreme logits ----

    private static final double[] EXTREME_X = {-100, -100, 100, 100, -50, 50, -20, 20, -18, 19, 0, 88};
    private static final double[] EXTREME_Y = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0};

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT", "HALF"})
    void extremeLogitsGiveFiniteValuesMatchingTheReference(DataType type) {
        // tolerance per the conformance README: double rtol 1e-7 atol 1e-9, float rtol 1e-3 atol 1e-5;
        // HALF has an 11-bit significand (relative spacing 1e-3, so 0.02 at 18.4): rtol 2e-3, atol 2e-2.
        double rtol = type == DataType.DOUBLE ? 1e-7 : type == DataType.FLOAT ? 1e-3 : 2e-3;
        double atol = type == DataType.DOUBLE ? 1e-9 : type == DataType.FLOAT ? 1e-5 : 2e-2;
        for (String spec : new String[]{"asymmetric", "asymmetric(clip=0)", "asymmetric(gammaNeg=0.5, gammaPos=0.5)",
                "asymmetric(gammaNeg=0, gammaPos=0, clip=0)", "asymmetric(detachFocusingWeight=true)"}) {
            AsymmetricLoss loss = (AsymmetricLoss) LossRegistry.discover().create(spec);
            INDArray x = Nd4j.createFromArray(EXTREME_X).reshape(EXTREME_X.length, 1).castTo(type);
            INDArray y = Nd4j.createFromArray(EXTREME_Y).reshape(EXTREME_Y.length, 1).castTo(type);
            Pair<Double, INDArray> gs = loss.computeGradientAndScore(y, x, SIGMOID, null, false);
            double[] rows = flat(loss.computeScoreArray(y, x, SIGMOID, null));
            double[] grad = flat(gs.getSecond());
            assertEquals(type, gs.getSecond().dataType());
            assertTrue(Double.isFinite(gs.getFirst()), spec + " " + type + " score " + gs.getFirst());
            for (int i = 0; i < EXTREME_X.length; i++) {
                double expected = AslReference.loss(EXTREME_X[i], EXTREME_Y[i], loss.getGammaNeg(), loss.getGammaPos(),
                        loss.getClip());
                assertTrue(Double.isFinite(rows[i]) && Double.isFinite(grad[i]),
                        spec + " " + type + " x=" + EXTREME_X[i] + ": " + rows[i] + ", " + grad[i]);
                assertEquals(expected, rows[i], atol + rtol * Math.abs(expected),
                        spec + " " + type + " x=" + EXTREME_X[i] + " y=" + EXTREME_Y[i]);
                // the gradient is bounded by 1 + 18.42 * gamma / 4 in magnitude for any logit
                assertTrue(Math.abs(grad[i]) <= 1 + 18.5 * Math.max(loss.getGammaNeg(), loss.getGammaPos()),
                        spec + " " + type + " gradient " + grad[i]);
            }
        }
    }

    @Test
    void epsClampSaturatesLikeTheReference() {
        // a positive with p < 1e-8 scores -log(1e-8) times its weight (about 18.42), as the reference does
        AsymmetricLoss loss = AsymmetricLoss.builder().gammaPos(0).build();
        INDArray y = row(DataType.DOUBLE, 1, 1);
        double[] s = flat(loss.computeScoreArray(y.reshape(2, 1), row(DataType.DOUBLE, -30, -100).reshape(2, 1),
                SIGMOID, null));
        assertEquals(-Math.log(1e-8), s[0], 1e-12);
        assertEquals(-Math.log(1e-8), s[1], 1e-12);
        // and the clamped log has zero derivative there (gammaPos = 0: no weight derivative either)
        double[] g = flat(loss.computeGradient(y.reshape(2, 1), row(DataType.DOUBLE, -30, -100).reshape(2, 1), SIGMOID,
                null));
        assertTrue(g[0] == 0.0 && g[1] == 0.0, java.util.Arrays.toString(g));
    }

    // ---- clip zeroes negatives exactly ----

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT", "HALF"})
    void clippedNegativesHaveExactlyZeroLossAndGradient(DataType type) {
        double logitOfClip = Math.log(0.05 / 0.95); // p = 0.05
        double[] xs = {-100, -20, -5, logitOfClip - 0.05, -3.0};
        INDArray x = Nd4j.createFromArray(xs).reshape(1, xs.length).castTo(type);
        INDArray y = Nd4j.zeros(type, 1, xs.length);
        for (String spec : new String[]{"asymmetric", "asymmetric(gammaNeg=0)", "asymmetric(gammaNeg=0.5)",
                "asymmetric(detachFocusingWeight=true)", "asymmetric(gammaNeg=0, detachFocusingWeight=true)"}) {
            LossFunction loss = LossRegistry.discover().create(spec);
            Pair<Double, INDArray> gs = loss.computeGradientAndScore(y, x, SIGMOID, null, false);
            double[] g = flat(gs.getSecond());
            assertEquals(0.0, gs.getFirst(), 0.0, spec + " " + type);
            for (int i = 0; i < g.length; i++) {
                assertTrue(g[i] == 0.0, spec + " " + type + " x=" + xs[i] + " gradient " + g[i]);
            }
        }
    }

    // ---- masks, no mutation, activation ----

    @Test
    void masksZeroAndScaleWhatTheyMask() {
        double[][] c = randomCase(5, 12, false);
        INDArray x = Nd4j.createFromArray(c[0]).reshape(3, 4);
        INDArray y = Nd4j.createFromArray(c[1]).reshape(3, 4);
        AsymmetricLoss loss = new AsymmetricLoss();
        double[] rows = flat(loss.computeScoreArray(y, x, SIGMOID, null));
        INDArray grad = loss.computeGradient(y, x, SIGMOID, null);

        INDArray perRow = Nd4j.createFromArray(1.0, 0.0, 0.5).reshape(3, 1);
        double[] masked = flat(loss.computeScoreArray(y, x, SIGMOID, perRow));
        assertEquals(rows[0], masked[0], 0.0);
        assertEquals(0.0, masked[1], 0.0);
        assertEquals(0.5 * rows[2], masked[2], 1e-15);
        INDArray gMasked = loss.computeGradient(y, x, SIGMOID, perRow);
        assertEquals(grad.getRow(0), gMasked.getRow(0));
        assertEquals(0.0, gMasked.getRow(1).amaxNumber().doubleValue(), 0.0);

        INDArray perOutput = Nd4j.ones(DataType.DOUBLE, 3, 4);
        perOutput.putScalar(0, 1, 0.0);
        perOutput.putScalar(2, 3, 0.0);
        INDArray g2 = loss.computeGradient(y, x, SIGMOID, perOutput);
        assertEquals(0.0, g2.getDouble(0, 1), 0.0);
        assertEquals(0.0, g2.getDouble(2, 3), 0.0);
        assertEquals(grad.getDouble(1, 2), g2.getDouble(1, 2), 0.0);
        double expectedRow0 = 0;
        for (int j = 0; j < 4; j++) {
            if (j != 1) {
                expectedRow0 += AslReference.loss(c[0][j], c[1][j], 4, 1, 0.05);
            }
        }
        assertEquals(expectedRow0, flat(loss.computeScoreArray(y, x, SIGMOID, perOutput))[0], 1e-12);
        // total over a zero mask is zero
        assertEquals(0.0, loss.computeScore(y, x, SIGMOID, Nd4j.zeros(DataType.DOUBLE, 3, 1), false), 0.0);
    }

    @Test
    void inputsAreNeverMutatedAndScoresAreConsistent() {
        double[][] c = randomCase(9, 12, true);
        INDArray x = Nd4j.createFromArray(c[0]).reshape(3, 4).castTo(DataType.FLOAT);
        INDArray y = Nd4j.createFromArray(c[1]).reshape(3, 4).castTo(DataType.FLOAT);
        INDArray mask = Nd4j.createFromArray(1.0f, 0.0f, 1.0f).reshape(3, 1);
        INDArray x0 = x.dup();
        INDArray y0 = y.dup();
        INDArray m0 = mask.dup();
        AsymmetricLoss loss = new AsymmetricLoss();
        double score = loss.computeScore(y, x, SIGMOID, mask, false);
        INDArray rows = loss.computeScoreArray(y, x, SIGMOID, mask);
        loss.computeGradient(y, x, SIGMOID, mask);
        Pair<Double, INDArray> both = loss.computeGradientAndScore(y, x, SIGMOID, mask, true);
        assertEquals(x0, x);
        assertEquals(y0, y);
        assertEquals(m0, mask);
        assertEquals(rows.sumNumber().doubleValue(), score, 1e-5);
        assertEquals(score / 3, both.getFirst(), 1e-5);
        assertEquals(3, rows.rows());
        assertEquals(1, rows.columns());
    }

    @Test
    void rejectsANonSigmoidActivationNamingIt() {
        INDArray x = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> new AsymmetricLoss().computeScore(x, x, new ActivationSoftmax(), null, false));
        assertTrue(e.getMessage().contains("SIGMOID") && e.getMessage().contains("asymmetric"), e.getMessage());
    }

    // ---- parameters, registry ----

    @Test
    void defaultsAndSpecRoundTrip() {
        LossRegistry registry = LossRegistry.discover();
        assertTrue(registry.names().contains("asymmetric"));
        AsymmetricLoss d = new AsymmetricLoss();
        assertEquals(d, registry.create("asymmetric"));
        assertEquals(Map.of("gammaNeg", 4.0, "gammaPos", 1.0, "clip", 0.05, "detachFocusingWeight", false), d.parameters());
        AsymmetricLoss custom = AsymmetricLoss.builder().gammaNeg(2).gammaPos(0).clip(0).detachFocusingWeight(true).build();
        assertEquals(custom, registry.create("asymmetric(gammaNeg=2, gammaPos=0, clip=0, detachFocusingWeight=true)"));
        assertEquals(custom, registry.create(custom.spec()));
        assertEquals(custom.hashCode(), registry.create(custom.spec()).hashCode());
        assertNotEquals(d, custom);
        assertEquals(d.spec(), d.name());
    }

    @Test
    void badParametersAreRejectedTheSameWayByConstructorAndRegistry() {
        LossRegistry registry = LossRegistry.discover();
        String[][] cases = {{"gammaNeg", "-1"}, {"gammaPos", "-0.5"}, {"clip", "1"}, {"clip", "-0.1"}};
        for (String[] c : cases) {
            double v = Double.parseDouble(c[1]);
            LossConfigurationException fromRegistry = assertThrows(LossConfigurationException.class,
                    () -> registry.create("asymmetric", Map.of(c[0], v)));
            LossConfigurationException fromJava = assertThrows(LossConfigurationException.class, () -> {
                AsymmetricLoss.Builder b = AsymmetricLoss.builder();
                switch (c[0]) {
                    case "gammaNeg": b.gammaNeg(v); break;
                    case "gammaPos": b.gammaPos(v); break;
                    default: b.clip(v);
                }
                b.build();
            });
            assertEquals(fromRegistry.getMessage(), fromJava.getMessage());
            assertTrue(fromJava.getMessage().contains(c[0]), fromJava.getMessage());
        }
        assertThrows(LossConfigurationException.class, () -> new AsymmetricLoss(Double.NaN, 1, 0.05, false));
    }
}
