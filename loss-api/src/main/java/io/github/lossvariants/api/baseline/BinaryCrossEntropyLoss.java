package io.github.lossvariants.api.baseline;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.internal.LossInputs;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Binary cross-entropy, the baseline of every focal comparison (registry name {@code bce}):
 * DL4J's own {@link LossBinaryXENT}, guarded so that it never writes into the caller's arrays.
 *
 * <p>Per output, with p = sigmoid(z) clipped to [clipEps, 1 - clipEps]:
 * <pre>  L = - w_j * ( y*log p + (1 - y)*log(1 - p) )</pre>
 * summed over the outputs of a row.
 *
 * <p>Parameters:
 * <ul>
 *   <li>{@code weights}, optional, one weight &gt;= 0 per output column (DL4J's weights; default
 *       all 1); the length must equal nOut;</li>
 *   <li>{@code clipEps} in [0, 0.5), default 1e-5 (DL4J's default): clipping of the probabilities.
 *       The clip bounds the loss at -log(clipEps). The gradient is DL4J's, which uses the clipped p
 *       in dL/dp but the unclipped sigmoid derivative: at clipped outputs
 *       (|z| &gt; log((1 - clipEps)/clipEps), about 11.5 for the default) it is
 *       -(y - p_c)/(p_c(1 - p_c)) * p(1 - p), small but not the derivative (0) of the clipped score;
 *       for a large clipEps such as 0.25 the difference is large. Set
 *       0 for the unclipped loss, computed here from the logits as
 *       {@code w * (max(z, 0) - y*z + log1p(exp(-|z|)))} (finite for any finite logit; equal to
 *       {@code focal(gamma=0)} with weights; DL4J's {@code LossBinaryXENT(0)} returns NaN once the
 *       sigmoid saturates, |z| beyond about 17 in float and 37 in double).</li>
 * </ul>
 * <p>Requires a {@code SIGMOID} output activation (a {@link LossConfigurationException} otherwise:
 * DL4J's {@code LossBinaryXENT} accepts any activation, and e.g. behind a softmax returns NaN
 * for large logits); use {@link CrossEntropyLoss} for a softmax over exclusive classes, or DL4J's
 * {@code LossBinaryXENT} directly for other activations.
 *
 * <p>Why a wrapper: {@code LossBinaryXENT.computeGradient} back-propagates through the activation in
 * place, overwriting {@code preOutput}; behind {@code LossLayer} that corrupts the layer input and
 * the reported score. This class hands DL4J a copy.
 *
 * @since 0.1.0
 */
public final class BinaryCrossEntropyLoss extends GuardedDl4jLoss {
    private static final long serialVersionUID = 1L;

    /** The registry name. */
    public static final String NAME = "bce";

    /** The parameters: {@code weights}, {@code clipEps}. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(Baselines.WEIGHTS, Baselines.CLIP_EPS);

    private final double[] weights;
    private final double clipEps;

    /**
     * @param parameters values by name: {@code weights} (absent: all 1), {@code clipEps} (default 1e-5)
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public BinaryCrossEntropyLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.weights = parameterValues().getDoubleArray("weights");
        this.clipEps = parameterValues().getDouble("clipEps");
    }

    /**
     * @param weights per-output weights &gt;= 0, or null for all 1 (copied)
     * @param clipEps probability clipping in [0, 0.5)
     * @throws io.github.lossvariants.api.LossConfigurationException for a value out of range
     */
    public BinaryCrossEntropyLoss(double[] weights, double clipEps) {
        this(ParameterSchema.valuesOf("weights", weights, "clipEps", clipEps));
    }

    /** @return BCE with DL4J's defaults: no weights, clipEps 1e-5 */
    public static BinaryCrossEntropyLoss defaults() {
        return new BinaryCrossEntropyLoss(null, LossBinaryXENT.DEFAULT_CLIPPING_EPSILON);
    }

    /** @param weights per-output weights &gt;= 0 @return BCE with these weights and clipEps 1e-5 */
    public static BinaryCrossEntropyLoss weighted(double... weights) {
        return new BinaryCrossEntropyLoss(weights, LossBinaryXENT.DEFAULT_CLIPPING_EPSILON);
    }

    /** @return a copy of the weights, or null */
    public double[] getWeights() {
        return weights == null ? null : weights.clone();
    }

    /** @return the probability clipping */
    public double getClipEps() {
        return clipEps;
    }

    @Override
    protected double[] weights() {
        return weights;
    }

    @Override
    protected void checkActivationAndMask(IActivation activation, INDArray mask) {
        LossInputs.requireSigmoid(NAME, activation, "For exclusive classes with a softmax use ce (CrossEntropyLoss);"
                + " for other activations use DL4J's LossBinaryXENT directly.");
    }

    @Override
    protected ILossFunction delegate(DataType type, long nOut) {
        // DL4J's LossBinaryXENT(0) takes log(sigmoid(z)): NaN once the sigmoid saturates
        return clipEps == 0 ? new StableBinaryCrossEntropy(weights, weightsRow(type)) : new LossBinaryXENT(clipEps, weightsRow(type));
    }
}
