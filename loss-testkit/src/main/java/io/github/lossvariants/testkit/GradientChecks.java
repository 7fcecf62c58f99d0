package io.github.lossvariants.testkit;

import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.testkit.Fixtures.Fixture;
import io.github.lossvariants.testkit.Fixtures.Tol;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Arrays;
import java.util.Random;

import static io.github.lossvariants.testkit.Fixtures.DEFAULT_NOUT;
import static io.github.lossvariants.testkit.Fixtures.SEED;
import static io.github.lossvariants.testkit.Fixtures.ZERO_DOUBLE;
import static io.github.lossvariants.testkit.Fixtures.assertArraysClose;
import static io.github.lossvariants.testkit.Fixtures.configured;
import static io.github.lossvariants.testkit.Fixtures.flat;
import static io.github.lossvariants.testkit.Fixtures.msg;
import static io.github.lossvariants.testkit.Fixtures.multiLayer;
import static io.github.lossvariants.testkit.LossChecks.FD_ATOL;
import static io.github.lossvariants.testkit.LossChecks.FD_RTOL;
import static io.github.lossvariants.testkit.LossChecks.FD_STEP;
import static io.github.lossvariants.testkit.LossChecks.GC_EPSILON;
import static io.github.lossvariants.testkit.LossChecks.GC_MAX_REL_ERROR;
import static io.github.lossvariants.testkit.LossChecks.GC_MIN_ABS_ERROR;
import static org.junit.jupiter.api.Assertions.fail;

/** Gradient checks: central finite differences and DL4J's GradientCheckUtil in a network. Implementation of {@link LossChecks}. */
final class GradientChecks {
    private GradientChecks() {
    }

    // ------------------------------------------------------------------ finite differences

    /** Implements {@link LossChecks#assertGradientMatchesFiniteDifferences}. */
    static void assertGradientMatchesFiniteDifferences(ILossFunction loss, INDArray labels, INDArray preOutput,
                                                              IActivation act, INDArray mask) {
        String check = "finite differences";
        INDArray y = labels.castTo(DataType.DOUBLE).dup('c');
        INDArray z = preOutput.castTo(DataType.DOUBLE).dup('c');
        INDArray m = mask == null ? null : mask.castTo(DataType.DOUBLE).dup('c');
        INDArray g = loss.computeGradient(y, z.dup(), act, m == null ? null : m.dup());
        if (g == null || !Arrays.equals(g.shape(), z.shape())) {
            fail(msg(check, loss, "computeGradient returned shape " + (g == null ? "null" : Arrays.toString(g.shape()))
                    + ", expected " + Arrays.toString(z.shape())));
        }
        double[] analytic = flat(g);
        long n = z.length();
        boolean perOutput = m != null && Arrays.equals(m.shape(), z.shape()) && z.size(1) > 1;
        for (int i = 0; i < n; i++) {
            double x = z.getDouble(i);
            INDArray plus = z.dup('c');
            plus.putScalar(i, x + FD_STEP);
            INDArray minus = z.dup('c');
            minus.putScalar(i, x - FD_STEP);
            double sp = loss.computeScore(y, plus, act, m, false);
            double sm = loss.computeScore(y, minus, act, m, false);
            double numeric = (sp - sm) / (2 * FD_STEP);
            double a = analytic[i];
            if (perOutput && m.getDouble(i) == 0.0) {
                if (!(Math.abs(a) <= ZERO_DOUBLE)) {
                    fail(msg(check, loss, "gradient[" + i + "] (row " + i / z.size(1) + ", column " + i % z.size(1)
                            + ") is " + a + " at an element the per-output mask zeroes; it must be 0: the masked"
                            + " score does not depend on it (a softmax loss must reject masks that differ within a"
                            + " row), and DL4J's OutputLayer zeroes masked pre-activations and uses the returned"
                            + " gradient unmasked"));
                }
                continue;
            }
            if (!Double.isFinite(a) || !Double.isFinite(numeric)
                    || !(Math.abs(a - numeric) <= FD_ATOL + FD_RTOL * Math.max(Math.abs(a), Math.abs(numeric)))) {
                fail(msg(check, loss, "gradient[" + i + "] (row " + i / z.size(1) + ", column " + i % z.size(1)
                        + ") analytic " + a + " vs central difference " + numeric + " (|diff| " + Math.abs(a - numeric)
                        + " > " + FD_ATOL + " + " + FD_RTOL + " * max(|a|,|n|)); preOutput " + x + ", label "
                        + y.getDouble(i) + ", mask " + (m == null ? "none" : describeMask(m, i, z.size(1)))));
            }
        }
        assertGradientAndScoreConsistent(check, loss, y, z, act, m);
    }

    private static String describeMask(INDArray m, long i, long nOut) {
        return m.length() == m.size(0) ? String.valueOf(m.getDouble(i / nOut)) : String.valueOf(m.getDouble(i));
    }

    private static void assertGradientAndScoreConsistent(String check, ILossFunction loss, INDArray y, INDArray z,
                                                         IActivation act, INDArray m) {
        Tol tol = Tol.of(z.dataType());
        for (boolean average : new boolean[]{false, true}) {
            double s = loss.computeScore(y, z.dup(), act, m, average);
            Pair<Double, INDArray> both = loss.computeGradientAndScore(y, z.dup(), act, m, average);
            if (both == null || both.getFirst() == null || both.getSecond() == null) {
                fail(msg(check, loss, "computeGradientAndScore(average=" + average + ") returned null parts"));
            }
            if (!tol.close(both.getFirst(), s)) {
                fail(msg(check, loss, "computeGradientAndScore(average=" + average + ") score " + both.getFirst()
                        + " differs from computeScore " + s));
            }
            INDArray g = loss.computeGradient(y, z.dup(), act, m);
            assertArraysClose(check, loss, "computeGradientAndScore(average=" + average
                    + ") gradient vs computeGradient", g, both.getSecond(), tol);
        }
    }

    // ------------------------------------------------------------------ DL4J gradient check

    /** Implements {@link LossChecks#assertDl4jGradientCheck}. */
    static void assertDl4jGradientCheck(ILossFunction loss, Activation act, int minibatch, MaskKind maskKind) {
        assertDl4jGradientCheck(loss, act, minibatch, maskKind, DEFAULT_NOUT);
    }

    /** Implements {@link LossChecks#assertDl4jGradientCheck}. */
    static void assertDl4jGradientCheck(ILossFunction loss, Activation act, int minibatch, MaskKind maskKind,
                                               int nOut) {
        String check = "DL4J gradient check (minibatch " + minibatch + ", mask " + maskKind + ")";
        DataType previousDefault = Nd4j.dataType();
        DataType previousFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ILossFunction l = configured(loss);
            Fixture f = Fixture.of(l, act, nOut, minibatch, DataType.DOUBLE, new Random(SEED + minibatch));
            INDArray labelMask = f.labelMask(maskKind);
            MultiLayerNetwork net = new MultiLayerNetwork(multiLayer(l, act, nOut, new NoOp(), DataType.DOUBLE));
            net.init();
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                    .net(net).input(f.features()).labels(f.labels()).labelMask(labelMask)
                    .epsilon(GC_EPSILON).maxRelError(GC_MAX_REL_ERROR).minAbsoluteError(GC_MIN_ABS_ERROR)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
            if (!ok) {
                fail(msg(check, loss, "GradientCheckUtil reported parameters whose analytic and numeric gradients"
                        + " differ by more than relative " + GC_MAX_REL_ERROR + " (see the log for each parameter)"));
            }
        } finally {
            Nd4j.setDefaultDataTypes(previousDefault, previousFloat);
        }
    }
}
