package io.github.lossvariants.testkit;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import io.github.lossvariants.api.internal.LossInputs;
import io.github.lossvariants.conformance.ConformanceRunner;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Static contract checks for any DL4J {@link ILossFunction} (this project's losses and a user's
 * own), failing through JUnit 5 assertions. Every failure message names the check, the loss (its
 * {@link LossFunction#spec() spec} when it has one) and the first offending index and value.
 *
 * <p>Tolerances, and why:
 * <ul>
 *   <li>finite differences (double): central differences of {@code computeScore(average=false)}
 *       with h = 1e-6; an element passes when |a - n| &lt;= 1e-6 + 1e-5 * max(|a|, |n|). The
 *       truncation error is O(h^2 * f''') ~ 1e-12 and the rounding error ~ 1e-16 * |score| / h =
 *       1e-10 * |score|, so a correct loss sits orders of magnitude inside; a wrong factor, sign
 *       or missing term is far outside;</li>
 *   <li>{@code computeGradientAndScore} against {@code computeGradient}/{@code computeScore}, score
 *       against the sum of the score array: rtol 1e-9, atol 1e-12 in double, rtol 1e-4, atol 1e-6
 *       in float (summation order may differ);</li>
 *   <li>masked values must be zero within atol 1e-12 (double) or 1e-6 (float);</li>
 *   <li>DL4J gradient check: epsilon 1e-6, max relative error 1e-5, min absolute error 1e-8, the
 *       thresholds DL4J's own {@code LossFunctionGradientCheck} uses for its losses;</li>
 *   <li>JSON and {@code ModelSerializer} round trips: exact equality (CPU ND4J is deterministic
 *       for a fixed seed).</li>
 * </ul>
 *
 * @since 0.1.0
 */
public final class LossChecks {
    /** Step of the central differences. */
    public static final double FD_STEP = 1e-6;
    /** Absolute tolerance of the finite-difference comparison. */
    public static final double FD_ATOL = 1e-6;
    /** Relative tolerance of the finite-difference comparison (relative to max(|a|, |n|)). */
    public static final double FD_RTOL = 1e-5;
    /** DL4J gradient check: finite-difference epsilon. */
    public static final double GC_EPSILON = 1e-6;
    /** DL4J gradient check: maximum relative error. */
    public static final double GC_MAX_REL_ERROR = 1e-5;
    /** DL4J gradient check: absolute errors below this pass regardless of the relative error. */
    public static final double GC_MIN_ABS_ERROR = 1e-8;

    /** Image size of the convolutional test networks used for a {@link RowGroupedLoss}. */
    static final int IMAGE_H = 2;
    static final int IMAGE_W = 3;
    static final int IMAGE_CHANNELS_IN = 2;
    static final int DENSE_IN = 4;
    static final int DENSE_HIDDEN = 5;
    static final int DEFAULT_NOUT = 3;
    static final long SEED = 12345L;
    static final double ZERO_DOUBLE = 1e-12;

    private LossChecks() {
    }

    // ------------------------------------------------------------------ no mutation

    /**
     * Calls {@code computeScore} (average false and true), {@code computeScoreArray},
     * {@code computeGradient} and {@code computeGradientAndScore} on the given arrays and checks
     * after each call that labels, preOutput and mask are bit-identical to before.
     *
     * @param loss      the loss
     * @param labels    labels {@code [rows, nOut]}
     * @param preOutput pre-activations {@code [rows, nOut]}
     * @param act       the activation
     * @param mask      null, a {@code [rows, 1]} or a labels-shaped mask
     */
    public static void assertNoMutation(ILossFunction loss, INDArray labels, INDArray preOutput, IActivation act,
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

    // ------------------------------------------------------------------ finite differences

    /**
     * Compares {@code computeGradient} with central differences of
     * {@code computeScore(average=false)} in double precision (inputs are cast to DOUBLE), h = 1e-6,
     * passing when |a - n| &lt;= 1e-6 + 1e-5 * max(|a|, |n|) for every element. At elements a
     * labels-shaped (per-output) mask zeroes, the gradient must be exactly 0 (within 1e-12): DL4J's
     * {@code OutputLayer} zeroes masked pre-activations in the forward pass and uses the returned
     * gradient unmasked. For a sigmoid loss that is also the exact derivative; a softmax loss must
     * only accept masks constant within each row (see {@link #assertPartialRowMaskRejected}), and a
     * wholly masked row does not depend on its logits, so 0 is exact there too. Also checks that
     * {@code computeGradientAndScore} agrees with {@code computeGradient} and {@code computeScore}
     * (both for average false and true).
     *
     * @param loss      the loss
     * @param labels    labels
     * @param preOutput pre-activations
     * @param act       the activation
     * @param mask      null or a mask
     */
    public static void assertGradientMatchesFiniteDifferences(ILossFunction loss, INDArray labels, INDArray preOutput,
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

    // ------------------------------------------------------------------ score = sum

    /**
     * Checks that {@code computeScoreArray} is a {@code [rows, 1]} column, that
     * {@code computeScore(average=false)} equals its sum, and that {@code computeScore(average=true)}
     * (and {@code computeGradientAndScore(average=true)}) equals that sum divided by the number of
     * examples: rows, or rows / rowsPerExample for a {@link RowGroupedLoss}.
     *
     * @param loss      the loss
     * @param labels    labels
     * @param preOutput pre-activations
     * @param act       the activation
     * @param mask      null or a mask
     */
    public static void assertScoreEqualsSumOfExampleScores(ILossFunction loss, INDArray labels, INDArray preOutput,
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

    // ------------------------------------------------------------------ masks

    /**
     * {@link #assertMasksZeroWhatTheyMask(ILossFunction, INDArray, INDArray, IActivation, boolean)}
     * including the per-output mask checks.
     */
    public static void assertMasksZeroWhatTheyMask(ILossFunction loss, INDArray labels, INDArray preOutput,
                                                   IActivation act) {
        assertMasksZeroWhatTheyMask(loss, labels, preOutput, act, true);
    }

    /**
     * Checks mask semantics:
     * <ul>
     *   <li>a per-row mask {@code [rows, 1]} zeroing every second example (all examples when there is
     *       only one; for a {@link RowGroupedLoss} whole groups of rowsPerExample rows): the masked
     *       rows score 0 and get a 0 gradient, and changing their logits and labels (labels shifted
     *       cyclically by one column, which keeps one-hot rows one-hot) changes neither score,
     *       score array nor gradient;</li>
     *   <li>an all-ones mask (per row, and per output when {@code perOutput}) gives exactly the
     *       no-mask results;</li>
     *   <li>when {@code perOutput}, for sigmoid: a labels-shaped mask zeroing element {@code (r, c)}
     *       when {@code (r + c) % 3 == 0}: the gradient is 0 at masked elements (DL4J zeroes masked
     *       pre-activations and uses the gradient unmasked), and flipping the masked labels and
     *       moving the masked logits changes neither score nor gradient;</li>
     *   <li>when {@code perOutput}, for softmax (whose losses accept only masks constant within each
     *       row: softmax couples a row's classes): a labels-shaped mask zeroing the same whole rows
     *       as the per-row mask gives the per-row mask's results and is checked as it is. Rejection
     *       of a mask that differs within a row is {@link #assertPartialRowMaskRejected}.</li>
     * </ul>
     *
     * @param loss      the loss
     * @param labels    labels {@code [rows, nOut]}
     * @param preOutput pre-activations
     * @param act       the activation
     * @param perOutput whether to check labels-shaped masks too
     */
    public static void assertMasksZeroWhatTheyMask(ILossFunction loss, INDArray labels, INDArray preOutput,
                                                   IActivation act, boolean perOutput) {
        String check = "masks";
        DataType type = preOutput.dataType();
        Tol tol = Tol.of(type);
        long rows = preOutput.size(0);
        long nOut = preOutput.size(1);
        long k = rowsPerExample(loss);
        if (rows % k != 0) {
            fail(msg(check, loss, rows + " rows are not a multiple of rowsPerExample " + k));
        }
        long examples = rows / k;
        boolean[] maskedRow = new boolean[(int) rows];
        for (int r = 0; r < rows; r++) {
            long e = r / k;
            maskedRow[r] = examples == 1 || e % 2 == 1;
        }
        INDArray y = labels.castTo(type).dup('c');
        INDArray z = preOutput.dup('c');

        // no mask vs all-ones masks
        Result none = Result.of(loss, y, z, act, null);
        Result onesRow = Result.of(loss, y, z, act, Nd4j.ones(type, rows, 1));
        none.assertSame(check, loss, "all-ones [rows,1] mask vs no mask", onesRow, tol);
        if (perOutput) {
            Result onesOut = Result.of(loss, y, z, act, Nd4j.ones(type, rows, nOut));
            none.assertSame(check, loss, "all-ones labels-shaped mask vs no mask", onesOut, tol);
        }

        // per-row mask
        INDArray rowMask = Nd4j.ones(type, rows, 1);
        for (int r = 0; r < rows; r++) {
            if (maskedRow[r]) {
                rowMask.putScalar(r, 0, 0.0);
            }
        }
        assertRowMasking(check + " [rows,1]", loss, y, z, act, rowMask, maskedRow, tol);

        if (!perOutput) {
            return;
        }
        if (act instanceof ActivationSoftmax) {
            // softmax couples a row's outputs: only whole rows may be masked, and then a labels-shaped
            // mask is the per-row mask it equals
            INDArray rowsMask = Nd4j.ones(type, rows, nOut);
            for (int r = 0; r < rows; r++) {
                if (maskedRow[r]) {
                    rowsMask.getRow(r).assign(0.0);
                }
            }
            Result perRow = Result.of(loss, y, z, act, rowMask);
            perRow.assertSame(check + " labels-shaped (softmax, whole rows)", loss,
                    "a labels-shaped mask of whole rows vs the same [rows,1] mask", Result.of(loss, y, z, act, rowsMask),
                    tol);
            assertRowMasking(check + " labels-shaped (softmax, whole rows)", loss, y, z, act, rowsMask, maskedRow, tol);
            return;
        }
        String what = check + " labels-shaped (sigmoid)";
        INDArray outMask = Nd4j.ones(type, rows, nOut);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < nOut; c++) {
                if ((r + c) % 3 == 0) {
                    outMask.putScalar(r, c, 0.0);
                }
            }
        }
        Result base = Result.of(loss, y, z, act, outMask);
        double[] g = flat(base.gradient);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < nOut; c++) {
                if ((r + c) % 3 == 0 && !(Math.abs(g[(int) (r * nOut + c)]) <= tol.zero)) {
                    fail(msg(what, loss, "gradient at masked element [" + r + ", " + c + "] is "
                            + g[(int) (r * nOut + c)] + ", expected 0 (DL4J's output layers zero masked"
                            + " pre-activations in the forward pass and use the loss's gradient unmasked)"));
                }
            }
        }
        INDArray y2 = y.dup('c');
        INDArray z2 = z.dup('c');
        Random rng = new Random(SEED);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < nOut; c++) {
                if ((r + c) % 3 == 0) {
                    y2.putScalar(r, c, 1.0 - y.getDouble(r, c));
                    z2.putScalar(r, c, z.getDouble(r, c) + 1.0 + 2.0 * rng.nextGaussian());
                }
            }
        }
        Result changed = Result.of(loss, y2, z2, act, outMask);
        base.assertSame(what, loss, "changing masked elements' labels and logits changed the result", changed, tol);
    }

    private static void assertRowMasking(String check, ILossFunction loss, INDArray y, INDArray z, IActivation act,
                                         INDArray mask, boolean[] maskedRow, Tol tol) {
        Result base = Result.of(loss, y, z, act, mask);
        double[] sa = flat(base.scoreArray);
        double[] g = flat(base.gradient);
        long nOut = z.size(1);
        for (int r = 0; r < maskedRow.length; r++) {
            if (!maskedRow[r]) {
                continue;
            }
            if (!(Math.abs(sa[r]) <= tol.zero)) {
                fail(msg(check, loss, "computeScoreArray[" + r + "] of a masked row is " + sa[r] + ", expected 0"));
            }
            for (int c = 0; c < nOut; c++) {
                double v = g[(int) (r * nOut + c)];
                if (!(Math.abs(v) <= tol.zero)) {
                    fail(msg(check, loss, "gradient[" + r + ", " + c + "] of a masked row is " + v + ", expected 0"));
                }
            }
        }
        INDArray y2 = y.dup('c');
        INDArray z2 = z.dup('c');
        Random rng = new Random(SEED);
        for (int r = 0; r < maskedRow.length; r++) {
            if (!maskedRow[r]) {
                continue;
            }
            for (int c = 0; c < nOut; c++) {
                y2.putScalar(r, c, y.getDouble(r, (c + 1) % nOut));
                z2.putScalar(r, c, z.getDouble(r, c) + 1.0 + 2.0 * rng.nextGaussian());
            }
        }
        Result changed = Result.of(loss, y2, z2, act, mask);
        base.assertSame(check, loss, "changing masked rows' labels and logits changed the result", changed, tol);
    }

    // ------------------------------------------------------------------ softmax: partial-row masks

    /**
     * Checks that a softmax loss rejects a labels-shaped mask that differs within a row (one class
     * of the last row masked, every other output unmasked) from each {@code ILossFunction} method
     * with a {@link LossConfigurationException} whose message names the loss (its
     * {@link LossFunction#registryName() registry name}, else {@code name()}). Softmax couples the
     * classes of a row, so masking one of them is ill-defined, and no gradient is right under both
     * DL4J conventions: {@code OutputLayer} zeroes masked pre-activations and needs 0 at masked
     * outputs, {@code CnnLossLayer} passes them unmasked and needs the exact derivative of the
     * masked score, which is not 0 there. (DL4J's {@code LossMCXENT} refuses such masks too, but
     * with an {@code UnsupportedOperationException} that names no loss.)
     *
     * @param loss      the loss, used with a SOFTMAX activation
     * @param labels    labels {@code [rows, nOut]}, nOut &gt;= 2
     * @param preOutput pre-activations
     * @param act       the (softmax) activation
     */
    public static void assertPartialRowMaskRejected(ILossFunction loss, INDArray labels, INDArray preOutput,
                                                    IActivation act) {
        String check = "partial-row mask";
        long rows = preOutput.size(0);
        long nOut = preOutput.size(1);
        if (nOut < 2) {
            fail(msg(check, loss, "needs at least 2 outputs, got " + nOut));
        }
        INDArray mask = Nd4j.ones(preOutput.dataType(), rows, nOut);
        long row = rows - 1;
        long col = row % nOut;
        mask.putScalar(row, col, 0.0);
        String name = nameOf(loss);
        String[] methods = {"computeScore", "computeScoreArray", "computeGradient", "computeGradientAndScore"};
        for (String method : methods) {
            INDArray y = labels.dup();
            INDArray z = preOutput.dup();
            INDArray m = mask.dup();
            Throwable thrown = null;
            try {
                switch (method) {
                    case "computeScore":
                        loss.computeScore(y, z, act, m, false);
                        break;
                    case "computeScoreArray":
                        loss.computeScoreArray(y, z, act, m);
                        break;
                    case "computeGradient":
                        loss.computeGradient(y, z, act, m);
                        break;
                    default:
                        loss.computeGradientAndScore(y, z, act, m, false);
                        break;
                }
            } catch (Throwable t) {
                thrown = t;
            }
            if (thrown == null) {
                fail(msg(check, loss, method + " accepted a labels-shaped mask that differs within row " + row
                        + " (column " + col + " masked) under " + act + "; a softmax loss must reject it with a"
                        + " LossConfigurationException (softmax couples a row's classes: OutputLayer needs 0 at the"
                        + " masked output, CnnLossLayer the exact derivative, which is not 0), e.g. with"
                        + " LossInputs.requireRowConstantMask"));
            }
            if (!(thrown instanceof LossConfigurationException)) {
                fail(msg(check, loss, method + " threw " + thrown + " for a labels-shaped mask that differs within"
                        + " row " + row + "; expected a LossConfigurationException naming the loss"));
            }
            String text = thrown.getMessage();
            if (text == null || name == null || !text.contains(name)) {
                fail(msg(check, loss, method + " rejected the mask, but its message does not name the loss ("
                        + name + "): " + text));
            }
        }
    }

    /** @return the registry name of a {@link LossFunction}, else {@code name()} (null when unavailable) */
    static String nameOf(ILossFunction loss) {
        try {
            return loss instanceof LossFunction ? ((LossFunction) loss).registryName() : loss.name();
        } catch (RuntimeException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ extreme logits

    /**
     * Checks that score ({@code average} false and true), score array, gradient and
     * {@code computeGradientAndScore} are finite for logits of +-100 in FLOAT and DOUBLE: every
     * logit +100, every logit -100, confidently right (+100 where the label is 1, -100 where 0) and
     * confidently wrong (the opposite), each with the given labels and with changed labels (1 - y
     * for sigmoid, a cyclic shift of the columns for softmax).
     *
     * @param loss   the loss
     * @param act    the activation
     * @param labels 0/1 labels {@code [rows, nOut]} (one-hot rows for softmax)
     */
    public static void assertFiniteAtExtremeLogits(ILossFunction loss, IActivation act, INDArray labels) {
        String check = "extreme logits";
        boolean softmax = act instanceof ActivationSoftmax;
        long rows = labels.size(0);
        long nOut = labels.size(1);
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray y = labels.castTo(type).dup('c');
            INDArray y2 = Nd4j.create(type, rows, nOut);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < nOut; c++) {
                    y2.putScalar(r, c, softmax ? y.getDouble(r, (c + 1) % nOut) : 1.0 - y.getDouble(r, c));
                }
            }
            for (INDArray lab : new INDArray[]{y, y2}) {
                INDArray right = lab.mul(200.0).subi(100.0);
                INDArray[] logits = {Nd4j.valueArrayOf(new long[]{rows, nOut}, 100.0, type),
                        Nd4j.valueArrayOf(new long[]{rows, nOut}, -100.0, type), right, right.neg()};
                String[] names = {"all +100", "all -100", "confidently right", "confidently wrong"};
                for (int i = 0; i < logits.length; i++) {
                    String where = names[i] + ", " + ConformanceRunner.dtypeName(type)
                            + (lab == y ? "" : ", changed labels");
                    assertFinite(check, loss, where, "computeScore(average=false)",
                            loss.computeScore(lab, logits[i].dup(), act, null, false));
                    assertFinite(check, loss, where, "computeScore(average=true)",
                            loss.computeScore(lab, logits[i].dup(), act, null, true));
                    assertFinite(check, loss, where, "computeScoreArray",
                            loss.computeScoreArray(lab, logits[i].dup(), act, null));
                    assertFinite(check, loss, where, "computeGradient",
                            loss.computeGradient(lab, logits[i].dup(), act, null));
                    Pair<Double, INDArray> both = loss.computeGradientAndScore(lab, logits[i].dup(), act, null, false);
                    assertFinite(check, loss, where, "computeGradientAndScore score", both.getFirst());
                    assertFinite(check, loss, where, "computeGradientAndScore gradient", both.getSecond());
                }
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

    // ------------------------------------------------------------------ JSON

    /**
     * Puts the loss into an {@code OutputLayer} (a {@code CnnLossLayer} behind a 1x1 convolution
     * for a {@link RowGroupedLoss}, configured for 2x3 images) of a {@code MultiLayerConfiguration}
     * and of a {@code ComputationGraphConfiguration}, and checks for each: {@code fromJson(toJson())}
     * equals the configuration, the restored loss equals the original (and has the same
     * {@code spec()} for a {@link LossFunction}), the restored loss computes the same score on a
     * fixed input, and a network built from the restored configuration scores a fixed data set
     * exactly as one built from the original.
     *
     * @param loss the loss
     * @param act  the output activation (SIGMOID or SOFTMAX)
     */
    public static void assertJsonRoundTrip(ILossFunction loss, Activation act) {
        assertJsonRoundTrip(loss, act, DEFAULT_NOUT);
    }

    /**
     * As {@link #assertJsonRoundTrip(ILossFunction, Activation)} with {@code nOut} outputs.
     *
     * @param loss the loss
     * @param act  the output activation
     * @param nOut the number of outputs (classes)
     */
    public static void assertJsonRoundTrip(ILossFunction loss, Activation act, int nOut) {
        String check = "JSON round trip";
        ILossFunction l = configured(loss);
        Fixture f = Fixture.of(l, act, nOut, 3, DataType.FLOAT, new Random(SEED));

        MultiLayerConfiguration conf = multiLayer(l, act, nOut, new Adam(1e-2), DataType.FLOAT);
        String json = conf.toJson();
        MultiLayerConfiguration back;
        try {
            back = MultiLayerConfiguration.fromJson(json);
        } catch (RuntimeException e) {
            throw new AssertionError(msg(check, loss, "MultiLayerConfiguration.fromJson failed: "
                    + ConformanceRunner.describe(e) + "\nJSON:\n" + json), e);
        }
        ILossFunction restored = lossOf(back.getConf(1).getLayer());
        assertSameLoss(check + " (MultiLayerConfiguration)", loss, l, restored, f, json);
        if (!conf.equals(back)) {
            fail(msg(check + " (MultiLayerConfiguration)", loss, "fromJson(toJson()) does not equal the original"
                    + " configuration; JSON:\n" + json));
        }
        MultiLayerNetwork a = new MultiLayerNetwork(conf);
        a.init();
        MultiLayerNetwork b = new MultiLayerNetwork(back);
        b.init();
        double sa = a.score(f.dataSet());
        double sb = b.score(f.dataSet());
        if (Double.compare(sa, sb) != 0) {
            fail(msg(check + " (MultiLayerConfiguration)", loss, "network score " + sb + " after the round trip, "
                    + sa + " before"));
        }

        ComputationGraphConfiguration gconf = graph(l, act, nOut, new Adam(1e-2), DataType.FLOAT);
        String gjson = gconf.toJson();
        ComputationGraphConfiguration gback;
        try {
            gback = ComputationGraphConfiguration.fromJson(gjson);
        } catch (RuntimeException e) {
            throw new AssertionError(msg(check, loss, "ComputationGraphConfiguration.fromJson failed: "
                    + ConformanceRunner.describe(e) + "\nJSON:\n" + gjson), e);
        }
        GraphVertex v = gback.getVertices().get("out");
        if (!(v instanceof LayerVertex)) {
            fail(msg(check + " (ComputationGraphConfiguration)", loss, "vertex 'out' missing after the round trip"));
        }
        ILossFunction grestored = lossOf(((LayerVertex) v).getLayerConf().getLayer());
        assertSameLoss(check + " (ComputationGraphConfiguration)", loss, l, grestored, f, gjson);
        if (!gconf.equals(gback)) {
            fail(msg(check + " (ComputationGraphConfiguration)", loss, "fromJson(toJson()) does not equal the"
                    + " original configuration; JSON:\n" + gjson));
        }
        ComputationGraph ga = new ComputationGraph(gconf);
        ga.init();
        ComputationGraph gb = new ComputationGraph(gback);
        gb.init();
        double gsa = ga.score(f.dataSet());
        double gsb = gb.score(f.dataSet());
        if (Double.compare(gsa, gsb) != 0) {
            fail(msg(check + " (ComputationGraphConfiguration)", loss, "network score " + gsb
                    + " after the round trip, " + gsa + " before"));
        }
    }

    private static void assertSameLoss(String check, ILossFunction reported, ILossFunction original,
                                       ILossFunction restored, Fixture f, String json) {
        if (restored == null) {
            fail(msg(check, reported, "no loss in the restored output layer; JSON:\n" + json));
        }
        if (restored.getClass() != original.getClass()) {
            fail(msg(check, reported, "restored loss is a " + restored.getClass().getName() + ", expected "
                    + original.getClass().getName()));
        }
        INDArray z = f.preOutput();
        double before = original.computeScore(f.rowLabels(), z.dup(), f.activation(), null, false);
        double after = restored.computeScore(f.rowLabels(), z.dup(), f.activation(), null, false);
        if (Double.compare(before, after) != 0) {
            fail(msg(check, reported, "restored loss " + describe(restored) + " scores " + after
                    + " on a fixed input, the original " + before + " (a parameter was lost?); JSON:\n" + json));
        }
        if (!original.equals(restored)) {
            fail(msg(check, reported, "restored loss " + describe(restored) + " does not equal the original"
                    + " (equals/hashCode over every parameter? a getter or @JsonProperty for each field?); JSON:\n"
                    + json));
        }
        if (original instanceof LossFunction && restored instanceof LossFunction) {
            String s0 = ((LossFunction) original).spec();
            String s1 = ((LossFunction) restored).spec();
            if (!s0.equals(s1)) {
                fail(msg(check, reported, "restored spec " + s1 + ", original " + s0));
            }
        }
    }

    // ------------------------------------------------------------------ ModelSerializer

    /**
     * Trains a tiny network (dense 4 -> 5 tanh -> OutputLayer(loss) with 3 outputs; for a
     * {@link RowGroupedLoss} a 1x1 convolution over 2x3 images -> CnnLossLayer) for 3 Adam steps
     * with a fixed seed, writes it with {@code ModelSerializer.writeModel} (with updater state) to a
     * temporary file, restores it with {@code restoreMultiLayerNetwork}, and checks identical
     * parameters, output and score; then one more training step on both must give identical
     * scores and parameters.
     *
     * @param loss the loss
     * @param act  the output activation
     */
    public static void assertModelSerializerRoundTrip(ILossFunction loss, Activation act) {
        assertModelSerializerRoundTrip(loss, act, DEFAULT_NOUT);
    }

    /**
     * As {@link #assertModelSerializerRoundTrip(ILossFunction, Activation)} with {@code nOut} outputs.
     *
     * @param loss the loss
     * @param act  the output activation
     * @param nOut the number of outputs (classes)
     */
    public static void assertModelSerializerRoundTrip(ILossFunction loss, Activation act, int nOut) {
        String check = "ModelSerializer round trip";
        ILossFunction l = configured(loss);
        Fixture f = Fixture.of(l, act, nOut, 3, DataType.FLOAT, new Random(SEED));
        DataSet ds = f.dataSet();
        MultiLayerNetwork net = new MultiLayerNetwork(multiLayer(l, act, nOut, new Adam(1e-2), DataType.FLOAT));
        net.init();
        for (int i = 0; i < 3; i++) {
            net.fit(ds);
        }
        File file = null;
        try {
            file = Files.createTempFile("loss-testkit-", ".zip").toFile();
            ModelSerializer.writeModel(net, file, true);
            MultiLayerNetwork back;
            try {
                back = ModelSerializer.restoreMultiLayerNetwork(file, true);
            } catch (IOException | RuntimeException e) {
                throw new AssertionError(msg(check, loss, "restoreMultiLayerNetwork failed: "
                        + ConformanceRunner.describe(e)), e);
            }
            ILossFunction restored = lossOf(back.getLayerWiseConfigurations().getConf(1).getLayer());
            assertSameLoss(check, loss, l, restored, f, back.getLayerWiseConfigurations().toJson());
            assertIdentical(check, loss, "parameters", net.params(), back.params());
            assertIdentical(check, loss, "output", net.output(ds.getFeatures()), back.output(ds.getFeatures()));
            double s0 = net.score(ds);
            double s1 = back.score(ds);
            if (Double.compare(s0, s1) != 0) {
                fail(msg(check, loss, "restored network scores " + s1 + ", original " + s0));
            }
            net.fit(ds);
            back.fit(ds);
            double t0 = net.score(ds);
            double t1 = back.score(ds);
            if (Double.compare(t0, t1) != 0) {
                fail(msg(check, loss, "after one more training step the restored network scores " + t1
                        + ", the original " + t0 + " (updater state or a loss parameter not restored?)"));
            }
            assertIdentical(check, loss, "parameters after one more step", net.params(), back.params());
        } catch (IOException e) {
            throw new AssertionError(msg(check, loss, "writing the model failed: " + e), e);
        } finally {
            if (file != null && !file.delete()) {
                file.deleteOnExit();
            }
        }
    }

    private static void assertIdentical(String check, ILossFunction loss, String what, INDArray a, INDArray b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            fail(msg(check, loss, what + " shape " + Arrays.toString(b.shape()) + " after restore, "
                    + Arrays.toString(a.shape()) + " before"));
        }
        double[] x = flat(a);
        double[] y = flat(b);
        for (int i = 0; i < x.length; i++) {
            if (Double.compare(x[i], y[i]) != 0) {
                fail(msg(check, loss, what + "[" + i + "] is " + y[i] + " after restore, " + x[i] + " before"));
            }
        }
    }

    // ------------------------------------------------------------------ DL4J gradient check

    /**
     * Runs DL4J's {@link GradientCheckUtil} on a small double-precision network ending in the loss:
     * dense 4 -> 5 tanh -> OutputLayer(loss, act) with 3 outputs, or, for a {@link RowGroupedLoss},
     * a 1x1 tanh convolution over 2x3 images -> CnnLossLayer (rowsPerExample 6). Default data types
     * are set to DOUBLE for the check (NoOp updater, no dropout, N(0,1) weights) and restored
     * afterwards. Epsilon 1e-6, max relative error 1e-5, min absolute error 1e-8.
     *
     * @param loss      the loss
     * @param act       the output activation
     * @param minibatch examples in the minibatch (1 and 3 are customary)
     * @param maskKind  NONE; PER_EXAMPLE, a {@code [minibatch, 1]} label mask zeroing every second
     *                  example (none when minibatch is 1); PER_OUTPUT, a labels-shaped mask with
     *                  zeros where {@code (flat index) % 3 == 1} for SIGMOID; for SOFTMAX (whose losses
     *                  accept only masks constant within a row) zeros in every class of the rows
     *                  {@code r % 3 == 1} (dense: examples, so none at minibatch 1; CnnLossLayer:
     *                  pixels {@code n*H*W + h*W + w}), the {@code [N, C, H, W]} mask of segmentation
     */
    public static void assertDl4jGradientCheck(ILossFunction loss, Activation act, int minibatch, MaskKind maskKind) {
        assertDl4jGradientCheck(loss, act, minibatch, maskKind, DEFAULT_NOUT);
    }

    /**
     * As {@link #assertDl4jGradientCheck(ILossFunction, Activation, int, MaskKind)} with {@code nOut}
     * outputs.
     *
     * @param loss      the loss
     * @param act       the output activation
     * @param minibatch examples in the minibatch
     * @param maskKind  the label mask
     * @param nOut      the number of outputs (classes)
     */
    public static void assertDl4jGradientCheck(ILossFunction loss, Activation act, int minibatch, MaskKind maskKind,
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

    // ------------------------------------------------------------------ networks and data

    /** A RowGroupedLoss configured for the 2x3 images of the test networks; other losses as they are. */
    static ILossFunction configured(ILossFunction loss) {
        if (loss instanceof RowGroupedLoss) {
            return ((RowGroupedLoss) loss).withRowsPerExample((long) IMAGE_H * IMAGE_W);
        }
        return loss;
    }

    static MultiLayerConfiguration multiLayer(ILossFunction loss, Activation act, int nOut, IUpdater updater,
                                              DataType type) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(SEED).dataType(type).updater(updater).weightInit(new NormalDistribution(0, 1))
                .list();
        if (loss instanceof RowGroupedLoss) {
            b.layer(new ConvolutionLayer.Builder(1, 1).nIn(IMAGE_CHANNELS_IN).nOut(nOut)
                            .activation(Activation.TANH).build())
                    .layer(new CnnLossLayer.Builder(loss).activation(act).build())
                    .setInputType(InputType.convolutional(IMAGE_H, IMAGE_W, IMAGE_CHANNELS_IN));
        } else {
            b.layer(new DenseLayer.Builder().nIn(DENSE_IN).nOut(DENSE_HIDDEN).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(loss).nIn(DENSE_HIDDEN).nOut(nOut).activation(act).build());
        }
        return b.build();
    }

    static ComputationGraphConfiguration graph(ILossFunction loss, Activation act, int nOut, IUpdater updater,
                                               DataType type) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(SEED).dataType(type).updater(updater).weightInit(new NormalDistribution(0, 1))
                .graphBuilder().addInputs("in");
        if (loss instanceof RowGroupedLoss) {
            g.addLayer("hidden", new ConvolutionLayer.Builder(1, 1).nIn(IMAGE_CHANNELS_IN).nOut(nOut)
                            .activation(Activation.TANH).build(), "in")
                    .addLayer("out", new CnnLossLayer.Builder(loss).activation(act).build(), "hidden")
                    .setInputTypes(InputType.convolutional(IMAGE_H, IMAGE_W, IMAGE_CHANNELS_IN));
        } else {
            g.addLayer("hidden", new DenseLayer.Builder().nIn(DENSE_IN).nOut(DENSE_HIDDEN)
                            .activation(Activation.TANH).build(), "in")
                    .addLayer("out", new OutputLayer.Builder(loss).nIn(DENSE_HIDDEN).nOut(nOut).activation(act).build(),
                            "hidden");
        }
        return g.setOutputs("out").build();
    }

    static ILossFunction lossOf(Layer layer) {
        if (layer instanceof BaseOutputLayer) {
            return ((BaseOutputLayer) layer).getLossFn();
        }
        if (layer instanceof CnnLossLayer) {
            return ((CnnLossLayer) layer).getLossFn();
        }
        if (layer instanceof LossLayer) {
            return ((LossLayer) layer).getLossFn();
        }
        return null;
    }

    /** Inputs and labels for the test networks, and the loss-level rows they flatten to. */
    static final class Fixture {
        private final ILossFunction loss;
        private final Activation act;
        private final int nOut;
        private final int minibatch;
        private final INDArray features;
        private final INDArray labels;
        private final INDArray rowLabels;
        private final INDArray preOutput;
        private final boolean image;

        private Fixture(ILossFunction loss, Activation act, int nOut, int minibatch, INDArray features,
                        INDArray labels, INDArray rowLabels, INDArray preOutput, boolean image) {
            this.loss = loss;
            this.act = act;
            this.nOut = nOut;
            this.minibatch = minibatch;
            this.features = features;
            this.labels = labels;
            this.rowLabels = rowLabels;
            this.preOutput = preOutput;
            this.image = image;
        }

        static Fixture of(ILossFunction loss, Activation act, int nOut, int minibatch, DataType type, Random rng) {
            boolean image = loss instanceof RowGroupedLoss;
            int rows = image ? minibatch * IMAGE_H * IMAGE_W : minibatch;
            INDArray rowLabels = TestArrays.labels(act, rows, nOut, rng, type);
            INDArray preOutput = TestArrays.gaussian(rows, nOut, 3.0, rng, type);
            INDArray features;
            INDArray labels;
            if (image) {
                features = TestArrays.gaussian(minibatch, IMAGE_CHANNELS_IN * IMAGE_H * IMAGE_W, 1.0, rng, type)
                        .reshape('c', new long[]{minibatch, IMAGE_CHANNELS_IN, IMAGE_H, IMAGE_W});
                // rows are n*H*W + h*W + w with classes last: back to [N, C, H, W]
                labels = rowLabels.reshape('c', new long[]{minibatch, IMAGE_H, IMAGE_W, nOut}).permute(0, 3, 1, 2).dup('c');
            } else {
                features = TestArrays.gaussian(minibatch, DENSE_IN, 1.0, rng, type);
                labels = rowLabels;
            }
            return new Fixture(loss, act, nOut, minibatch, features, labels, rowLabels, preOutput, image);
        }

        INDArray features() {
            return features;
        }

        INDArray labels() {
            return labels;
        }

        INDArray rowLabels() {
            return rowLabels;
        }

        INDArray preOutput() {
            return preOutput;
        }

        IActivation activation() {
            return act.getActivationFunction();
        }

        DataSet dataSet() {
            return new DataSet(features, labels);
        }

        INDArray labelMask(MaskKind kind) {
            DataType type = labels.dataType();
            switch (kind) {
                case NONE:
                    return null;
                case PER_EXAMPLE: {
                    INDArray m = Nd4j.ones(type, minibatch, 1);
                    for (int i = 1; i < minibatch; i += 2) {
                        m.putScalar(i, 0, 0.0);
                    }
                    return m;
                }
                default: {
                    double[] v = new double[(int) labels.length()];
                    boolean softmax = act == Activation.SOFTMAX;
                    long perImage = (long) IMAGE_H * IMAGE_W;
                    for (int i = 0; i < v.length; i++) {
                        long unit = i;
                        if (softmax) {
                            // the row (example, or pixel of [N, C, H, W]) of flat index i: whole rows
                            unit = image ? (i / (nOut * perImage)) * perImage + i % perImage : i / nOut;
                        }
                        v[i] = unit % 3 == 1 ? 0.0 : 1.0;
                    }
                    INDArray m = Nd4j.createFromArray(v).reshape('c', labels.shape()).castTo(type);
                    return m;
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** @return the rows each example spans: {@link RowGroupedLoss#rowsPerExample()}, else 1 */
    static long rowsPerExample(ILossFunction loss) {
        return loss instanceof RowGroupedLoss ? Math.max(1, ((RowGroupedLoss) loss).rowsPerExample()) : 1;
    }

    /** @return the loss's spec for a {@link LossFunction}, else its name or class */
    static String describe(ILossFunction loss) {
        try {
            if (loss instanceof LossFunction) {
                return ((LossFunction) loss).spec();
            }
            String n = loss.name();
            return n == null ? loss.getClass().getName() : n + " (" + loss.getClass().getName() + ")";
        } catch (RuntimeException e) {
            return loss.getClass().getName();
        }
    }

    static String msg(String check, ILossFunction loss, String detail) {
        return "[" + check + "] " + describe(loss) + ": " + detail;
    }

    static double[] flat(INDArray a) {
        INDArray d = a.castTo(DataType.DOUBLE).dup('c');
        return d.reshape('c', new long[]{d.length()}).toDoubleVector();
    }

    static void assertArraysClose(String check, ILossFunction loss, String what, INDArray expected, INDArray actual,
                                  Tol tol) {
        if (expected == null || actual == null || !Arrays.equals(expected.shape(), actual.shape())) {
            fail(msg(check, loss, what + ": shapes " + (expected == null ? "null" : Arrays.toString(expected.shape()))
                    + " vs " + (actual == null ? "null" : Arrays.toString(actual.shape()))));
        }
        double[] e = flat(expected);
        double[] a = flat(actual);
        for (int i = 0; i < e.length; i++) {
            if (!tol.close(a[i], e[i])) {
                fail(msg(check, loss, what + ": element " + i + " is " + a[i] + ", expected " + e[i]));
            }
        }
    }

    /** Tolerances for comparing two computations of the same quantity in one data type. */
    static final class Tol {
        final double rtol;
        final double atol;
        final double zero;

        private Tol(double rtol, double atol, double zero) {
            this.rtol = rtol;
            this.atol = atol;
            this.zero = zero;
        }

        static Tol of(DataType type) {
            return type == DataType.DOUBLE ? new Tol(1e-9, 1e-12, 1e-12) : new Tol(1e-4, 1e-6, 1e-6);
        }

        boolean close(double actual, double expected) {
            return Double.isFinite(actual) && Double.isFinite(expected)
                    && Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
        }
    }

    /** Score, score array and gradient of one set of inputs. */
    private static final class Result {
        final double score;
        final INDArray scoreArray;
        final INDArray gradient;

        private Result(double score, INDArray scoreArray, INDArray gradient) {
            this.score = score;
            this.scoreArray = scoreArray;
            this.gradient = gradient;
        }

        static Result of(ILossFunction loss, INDArray y, INDArray z, IActivation act, INDArray mask) {
            return new Result(loss.computeScore(y.dup(), z.dup(), act, mask == null ? null : mask.dup(), false),
                    loss.computeScoreArray(y.dup(), z.dup(), act, mask == null ? null : mask.dup()),
                    loss.computeGradient(y.dup(), z.dup(), act, mask == null ? null : mask.dup()));
        }

        void assertSame(String check, ILossFunction loss, String what, Result other, Tol tol) {
            if (!tol.close(other.score, score)) {
                fail(msg(check, loss, what + ": score " + other.score + " vs " + score));
            }
            assertArraysClose(check, loss, what + ": computeScoreArray", scoreArray, other.scoreArray, tol);
            assertArraysClose(check, loss, what + ": computeGradient", gradient, other.gradient, tol);
        }
    }
}
