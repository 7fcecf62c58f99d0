package io.github.lossvariants.testkit;

import io.github.lossvariants.conformance.ConformanceRunner;
import io.github.lossvariants.testkit.Fixtures.Tol;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Arrays;

import static io.github.lossvariants.testkit.Fixtures.flat;
import static io.github.lossvariants.testkit.Fixtures.msg;
import static io.github.lossvariants.testkit.Fixtures.rowsPerExample;
import static io.github.lossvariants.testkit.LossChecks.EXTREME_LOGITS;
import static io.github.lossvariants.testkit.LossChecks.HALF_RTOL;
import static org.junit.jupiter.api.Assertions.fail;

/** Checks on a loss's inputs and outputs: no mutation, score = sum of example scores, finite at extreme logits, HALF precision. Implementation of {@link LossChecks}. */
final class InputChecks {
    private InputChecks() {
    }

    // ------------------------------------------------------------------ no mutation

    /** Implements {@link LossChecks#assertNoMutation}. */
    static void assertNoMutation(ILossFunction loss, INDArray labels, INDArray preOutput, IActivation act,
                                        INDArray mask) {
        String check = "no mutation";
        INDArray l0 = labels.dup();
        INDArray p0 = preOutput.dup();
        INDArray m0 = mask == null ? null : mask.dup();
        String[] methods = {"computeScore(average=false)", "computeScore(average=true)", "computeScoreArray",
                "computeGradient", "computeGradientAndScore(average=false)"};
        for (int k = 0; k < methods.length; k++) {
            switch (k) {
                case 0:
                    loss.computeScore(labels, preOutput, act, mask, false);
                    break;
                case 1:
                    loss.computeScore(labels, preOutput, act, mask, true);
                    break;
                case 2:
                    loss.computeScoreArray(labels, preOutput, act, mask);
                    break;
                case 3:
                    loss.computeGradient(labels, preOutput, act, mask);
                    break;
                default:
                    loss.computeGradientAndScore(labels, preOutput, act, mask, false);
                    break;
            }
            assertBitIdentical(check, loss, "labels", methods[k], l0, labels);
            assertBitIdentical(check, loss, "preOutput", methods[k], p0, preOutput);
            if (mask != null) {
                assertBitIdentical(check, loss, "mask", methods[k], m0, mask);
            }
        }
    }

    private static void assertBitIdentical(String check, ILossFunction loss, String what, String method,
                                           INDArray before, INDArray after) {
        if (before.dataType() != after.dataType() || !Arrays.equals(before.shape(), after.shape())) {
            fail(msg(check, loss, method + " changed " + what + " from " + before.dataType() + Arrays.toString(before.shape())
                    + " to " + after.dataType() + Arrays.toString(after.shape())));
        }
        double[] b = flat(before);
        double[] a = flat(after);
        for (int i = 0; i < b.length; i++) {
            if (Double.doubleToRawLongBits(b[i]) != Double.doubleToRawLongBits(a[i])) {
                fail(msg(check, loss, method + " wrote into " + what + ": element " + i + " was " + b[i] + ", is now "
                        + a[i]));
            }
        }
    }

    // ------------------------------------------------------------------ score = sum

    /** Implements {@link LossChecks#assertScoreEqualsSumOfExampleScores}. */
    static void assertScoreEqualsSumOfExampleScores(ILossFunction loss, INDArray labels, INDArray preOutput,
                                                           IActivation act, INDArray mask) {
        String check = "score = sum of example scores";
        Tol tol = Tol.of(preOutput.dataType());
        long rows = preOutput.size(0);
        INDArray sa = loss.computeScoreArray(labels, preOutput, act, mask);
        if (sa == null || sa.rank() != 2 || sa.size(0) != rows || sa.size(1) != 1) {
            fail(msg(check, loss, "computeScoreArray returned shape " + (sa == null ? "null" : Arrays.toString(sa.shape()))
                    + ", expected [" + rows + ", 1]"));
        }
        double[] perRow = flat(sa);
        double sum = 0;
        double abs = 0;
        for (int i = 0; i < perRow.length; i++) {
            if (!Double.isFinite(perRow[i])) {
                fail(msg(check, loss, "computeScoreArray[" + i + "] is " + perRow[i]));
            }
            sum += perRow[i];
            abs += Math.abs(perRow[i]);
        }
        double total = loss.computeScore(labels, preOutput, act, mask, false);
        if (!(Math.abs(total - sum) <= tol.atol + tol.rtol * Math.max(Math.abs(sum), abs))) {
            fail(msg(check, loss, "computeScore(average=false) = " + total + " but the " + rows
                    + " rows of computeScoreArray sum to " + sum));
        }
        long k = rowsPerExample(loss);
        long examples = rows / k;
        double mean = loss.computeScore(labels, preOutput, act, mask, true);
        double expected = sum / examples;
        if (!(Math.abs(mean - expected) <= tol.atol + tol.rtol * Math.max(Math.abs(expected), abs / examples))) {
            fail(msg(check, loss, "computeScore(average=true) = " + mean + ", expected sum " + sum + " / " + examples
                    + " examples = " + expected + (k > 1 ? " (" + rows + " rows, " + k + " rows per example)" : "")));
        }
        Pair<Double, INDArray> both = loss.computeGradientAndScore(labels, preOutput, act, mask, true);
        if (!(Math.abs(both.getFirst() - expected) <= tol.atol + tol.rtol * Math.max(Math.abs(expected), abs / examples))) {
            fail(msg(check, loss, "computeGradientAndScore(average=true) score = " + both.getFirst() + ", expected "
                    + expected));
        }
    }

    // ------------------------------------------------------------------ extreme logits

    /** Implements {@link LossChecks#assertFiniteAtExtremeLogits}. */
    static void assertFiniteAtExtremeLogits(ILossFunction loss, IActivation act, INDArray labels) {
        String check = "extreme logits";
        boolean softmax = act instanceof ActivationSoftmax;
        long rows = labels.size(0);
        long nOut = labels.size(1);
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE, DataType.HALF}) {
            INDArray y = labels.castTo(type).dup('c');
            INDArray y2 = Nd4j.create(type, rows, nOut);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < nOut; c++) {
                    y2.putScalar(r, c, softmax ? y.getDouble(r, (c + 1) % nOut) : 1.0 - y.getDouble(r, c));
                }
            }
            for (double magnitude : EXTREME_LOGITS) {
                for (INDArray lab : new INDArray[]{y, y2}) {
                    INDArray right = lab.mul(2 * magnitude).subi(magnitude);
                    INDArray[] logits = {Nd4j.valueArrayOf(new long[]{rows, nOut}, magnitude, type),
                            Nd4j.valueArrayOf(new long[]{rows, nOut}, -magnitude, type), right, right.neg()};
                    String[] names = {"all +", "all -", "confidently right at +-", "confidently wrong at +-"};
                    for (int i = 0; i < logits.length; i++) {
                        String where = names[i] + fmt(magnitude) + ", " + ConformanceRunner.dtypeName(type)
                                + (lab == y ? "" : ", changed labels");
                        assertAllFinite(check, loss, where, lab, logits[i], act);
                    }
                }
            }
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static void assertAllFinite(String check, ILossFunction loss, String where, INDArray y, INDArray z,
                                        IActivation act) {
        assertFinite(check, loss, where, "computeScore(average=false)", loss.computeScore(y, z.dup(), act, null, false));
        assertFinite(check, loss, where, "computeScore(average=true)", loss.computeScore(y, z.dup(), act, null, true));
        assertFinite(check, loss, where, "computeScoreArray", loss.computeScoreArray(y, z.dup(), act, null));
        assertFinite(check, loss, where, "computeGradient", loss.computeGradient(y, z.dup(), act, null));
        Pair<Double, INDArray> both = loss.computeGradientAndScore(y, z.dup(), act, null, false);
        assertFinite(check, loss, where, "computeGradientAndScore score", both.getFirst());
        assertFinite(check, loss, where, "computeGradientAndScore gradient", both.getSecond());
    }

    /** Implements {@link LossChecks#assertHalfMatchesFloat}. */
    static void assertHalfMatchesFloat(ILossFunction loss, INDArray labels, INDArray preOutput, IActivation act,
                                       INDArray mask) {
        String check = "HALF precision";
        INDArray yh = labels.castTo(DataType.HALF);
        INDArray zh = preOutput.castTo(DataType.HALF);
        INDArray mh = mask == null ? null : mask.castTo(DataType.HALF);
        // the FLOAT reference sees the same (HALF-rounded) inputs
        INDArray yf = yh.castTo(DataType.FLOAT);
        INDArray zf = zh.castTo(DataType.FLOAT);
        INDArray mf = mh == null ? null : mh.castTo(DataType.FLOAT);
        Pair<Double, INDArray> f = loss.computeGradientAndScore(yf, zf, act, mf, false);
        Pair<Double, INDArray> h = loss.computeGradientAndScore(yh, zh, act, mh, false);
        INDArray rowsF = loss.computeScoreArray(yf, zf, act, mf);
        INDArray rowsH = loss.computeScoreArray(yh, zh, act, mh);
        String where = "HALF inputs vs the same values in FLOAT";
        if (!Double.isFinite(f.getFirst())) {
            return; // the check is about HALF where FLOAT is finite
        }
        assertFinite(check, loss, where, "score", h.getFirst());
        assertFinite(check, loss, where, "gradient", h.getSecond());
        assertFinite(check, loss, where, "computeScoreArray", rowsH);
        if (h.getSecond().dataType() != DataType.HALF || rowsH.dataType() != DataType.HALF) {
            fail(msg(check, loss, "HALF inputs gave a " + h.getSecond().dataType() + " gradient and "
                    + rowsH.dataType() + " row scores; DL4J expects arrays of the input's data type"));
        }
        double score = f.getFirst();
        if (!(Math.abs(h.getFirst() - score) <= HALF_RTOL * Math.max(1, Math.abs(score)))) {
            fail(msg(check, loss, "score " + h.getFirst() + " in HALF, " + score + " in FLOAT (allowed: "
                    + HALF_RTOL + " * max(1, |score|))"));
        }
        assertCloseToScale(check, loss, "gradient", f.getSecond(), h.getSecond());
        assertCloseToScale(check, loss, "computeScoreArray", rowsF, rowsH);
    }

    private static void assertCloseToScale(String check, ILossFunction loss, String what, INDArray expected,
                                           INDArray actual) {
        double[] e = flat(expected);
        double[] a = flat(actual);
        double scale = 1;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(a[i] - e[i]) <= HALF_RTOL * scale)) {
                fail(msg(check, loss, what + "[" + i + "] is " + a[i] + " in HALF, " + e[i] + " in FLOAT (allowed: "
                        + HALF_RTOL + " * max(1, max |" + what + "|) = " + HALF_RTOL * scale + ")"));
            }
        }
    }

    private static void assertFinite(String check, ILossFunction loss, String where, String what, double v) {
        if (!Double.isFinite(v)) {
            fail(msg(check, loss, what + " is " + v + " (" + where + ")"));
        }
    }

    private static void assertFinite(String check, ILossFunction loss, String where, String what, INDArray a) {
        if (a == null) {
            fail(msg(check, loss, what + " returned null (" + where + ")"));
        }
        double[] v = flat(a);
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                fail(msg(check, loss, what + "[" + i + "] is " + v[i] + " (" + where + ")"));
            }
        }
    }
}
