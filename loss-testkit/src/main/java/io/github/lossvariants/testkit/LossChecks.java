package io.github.lossvariants.testkit;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.ILossFunction;

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
    /**
     * HALF precision: allowed difference from FLOAT on the same inputs, relative to max(1, |value|)
     * for scores and to max(1, max |element|) for arrays. HALF keeps 11 significant bits (relative
     * rounding 4.9e-4); this allows a loss that computes in HALF itself a few roundings of headroom.
     */
    public static final double HALF_RTOL = 1e-2;
    /** Logit magnitudes of {@link #assertFiniteAtExtremeLogits}: +-100 and +-1e4 (within HALF's range of 65504). */
    static final double[] EXTREME_LOGITS = {100, 1e4};

    private LossChecks() {
    }

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
        InputChecks.assertNoMutation(loss, labels, preOutput, act, mask);
    }

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
        InputChecks.assertScoreEqualsSumOfExampleScores(loss, labels, preOutput, act, mask);
    }

    /**
     * Checks that score ({@code average} false and true), score array, gradient and
     * {@code computeGradientAndScore} are finite for logits of +-100 and +-1e4 in FLOAT, DOUBLE and
     * HALF: every logit +m, every logit -m, confidently right (+m where the label is 1, -m where 0)
     * and confidently wrong (the opposite), each with the given labels and with changed labels
     * (1 - y for sigmoid, a cyclic shift of the columns for softmax).
     *
     * @param loss   the loss
     * @param act    the activation
     * @param labels 0/1 labels {@code [rows, nOut]} (one-hot rows for softmax)
     */
    public static void assertFiniteAtExtremeLogits(ILossFunction loss, IActivation act, INDArray labels) {
        InputChecks.assertFiniteAtExtremeLogits(loss, act, labels);
    }

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
        GradientChecks.assertGradientMatchesFiniteDifferences(loss, labels, preOutput, act, mask);
    }

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
        GradientChecks.assertDl4jGradientCheck(loss, act, minibatch, maskKind);
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
        GradientChecks.assertDl4jGradientCheck(loss, act, minibatch, maskKind, nOut);
    }

    /**
     * {@link #assertMasksZeroWhatTheyMask(ILossFunction, INDArray, INDArray, IActivation, boolean)}
     * including the per-output mask checks.
     */
    public static void assertMasksZeroWhatTheyMask(ILossFunction loss, INDArray labels, INDArray preOutput,
                                                   IActivation act) {
        MaskChecks.assertMasksZeroWhatTheyMask(loss, labels, preOutput, act);
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
        MaskChecks.assertMasksZeroWhatTheyMask(loss, labels, preOutput, act, perOutput);
    }

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
        MaskChecks.assertPartialRowMaskRejected(loss, labels, preOutput, act);
    }

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
        SerializationChecks.assertJsonRoundTrip(loss, act);
    }

    /**
     * As {@link #assertJsonRoundTrip(ILossFunction, Activation)} with {@code nOut} outputs.
     *
     * @param loss the loss
     * @param act  the output activation
     * @param nOut the number of outputs (classes)
     */
    public static void assertJsonRoundTrip(ILossFunction loss, Activation act, int nOut) {
        SerializationChecks.assertJsonRoundTrip(loss, act, nOut);
    }

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
        SerializationChecks.assertModelSerializerRoundTrip(loss, act);
    }

    /**
     * As {@link #assertModelSerializerRoundTrip(ILossFunction, Activation)} with {@code nOut} outputs.
     *
     * @param loss the loss
     * @param act  the output activation
     * @param nOut the number of outputs (classes)
     */
    public static void assertModelSerializerRoundTrip(ILossFunction loss, Activation act, int nOut) {
        SerializationChecks.assertModelSerializerRoundTrip(loss, act, nOut);
    }

    /**
     * Checks the loss with HALF inputs (DL4J's FP16, used on GPUs) against the same values in FLOAT:
     * where FLOAT gives a finite score, HALF must give a finite score, gradient and score array, the
     * arrays in HALF, within {@link #HALF_RTOL} of FLOAT (see there). This project's losses compute
     * HALF inputs in FLOAT internally and convert the results back.
     *
     * @param loss      the loss
     * @param labels    labels {@code [rows, nOut]} (cast to HALF)
     * @param preOutput pre-activations (cast to HALF; |values| up to 65504)
     * @param act       the activation
     * @param mask      null or a mask
     * @since 0.2.0
     */
    public static void assertHalfMatchesFloat(ILossFunction loss, INDArray labels, INDArray preOutput, IActivation act,
                                              INDArray mask) {
        InputChecks.assertHalfMatchesFloat(loss, labels, preOutput, act, mask);
    }

    /**
     * Java-serializes the loss (configured for the test networks as in
     * {@link #assertJsonRoundTrip(ILossFunction, Activation, int)}), deserializes it and checks that
     * the copy equals the original and computes the same score and gradient. Spark's training
     * masters ship network configurations to executors this way.
     *
     * @param loss the loss
     * @param act  the output activation
     * @param nOut the number of outputs (classes)
     * @since 0.2.0
     */
    public static void assertJavaSerializationRoundTrip(ILossFunction loss, Activation act, int nOut) {
        SerializationChecks.assertJavaSerializationRoundTrip(loss, act, nOut);
    }
}
