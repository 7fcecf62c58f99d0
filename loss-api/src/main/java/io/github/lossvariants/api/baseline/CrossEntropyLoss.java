package io.github.lossvariants.api.baseline;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.internal.LossInputs;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Multi-class (softmax) cross-entropy, the baseline of every softmax-focal comparison (registry
 * name {@code ce}): DL4J's own {@link LossMCXENT}, guarded so that it never writes into the
 * caller's arrays.
 *
 * <p>Per row, with p the layer's activation (normally softmax; DL4J clips it to
 * [1e-10, 1 - 1e-10] for the score):
 * <pre>  L = - sum_c w_c * t_c * log p_c</pre>
 *
 * <p>Parameter: {@code weights}, optional, one weight &gt;= 0 per class (DL4J's weights; default all
 * 1); the length must equal nOut. DL4J's softmax clipping epsilon stays at its default 1e-10.
 * Requires a {@code SOFTMAX} output activation, failing fast otherwise (DL4J's {@code LossMCXENT}
 * returns infinite scores behind a sigmoid); for other activations use DL4J's {@code LossMCXENT}
 * directly.
 * With a SOFTMAX activation a per-output (labels-shaped) mask must be constant within each row
 * (whole examples or pixels) and is applied as the per-row mask it equals; one that differs within a
 * row is rejected with a {@link io.github.lossvariants.api.LossConfigurationException} naming the
 * loss, the row and what to use instead (DL4J's {@code LossMCXENT} would accept it in the score and
 * throw an {@code UnsupportedOperationException} from deep inside the gradient). Softmax couples a
 * row's classes, so masking single classes is ill-defined. Other activations pass per-output masks
 * to DL4J unchanged.
 *
 * <p>Why a wrapper: with a non-softmax activation {@code LossMCXENT.computeGradient}
 * back-propagates through the activation in place, overwriting {@code preOutput}. This class hands
 * DL4J a copy.
 *
 * @since 0.1.0
 */
public final class CrossEntropyLoss extends GuardedDl4jLoss {
    private static final long serialVersionUID = 1L;

    /** The registry name. */
    public static final String NAME = "ce";

    /** The parameters: {@code weights}. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(Baselines.WEIGHTS);

    private final double[] weights;

    /**
     * @param parameters values by name: {@code weights} (absent: all 1)
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public CrossEntropyLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.weights = parameterValues().getDoubleArray("weights");
    }

    /**
     * @param weights per-class weights &gt;= 0, or null for all 1 (copied)
     * @throws io.github.lossvariants.api.LossConfigurationException for a value out of range
     */
    public CrossEntropyLoss(double[] weights) {
        this(ParameterSchema.valuesOf("weights", weights));
    }

    /** @return CE without weights */
    public static CrossEntropyLoss defaults() {
        return new CrossEntropyLoss((double[]) null);
    }

    /** @param weights per-class weights &gt;= 0 @return weighted CE */
    public static CrossEntropyLoss weighted(double... weights) {
        return new CrossEntropyLoss(weights);
    }

    /** @return a copy of the weights, or null */
    public double[] getWeights() {
        return weights == null ? null : weights.clone();
    }

    @Override
    protected double[] weights() {
        return weights;
    }

    @Override
    protected void checkActivationAndMask(IActivation activation, INDArray mask) {
        LossInputs.requireSoftmax(NAME, activation, "For independent (multi-label) outputs with a sigmoid use bce"
                + " (BinaryCrossEntropyLoss); for other activations use DL4J's LossMCXENT directly.");
    }

    /**
     * The logits minus their row maximum (a new array): the softmax, and so score and gradient,
     * are unchanged, but ND4J's softmax op, which DL4J's loss calls, returns NaN for a row whose
     * logits are all very negative (e.g. all -1e4: exp underflows to 0/0) unless they are shifted.
     */
    @Override
    protected INDArray ownedPreOutput(INDArray preOutput) {
        return preOutput.subColumnVector(preOutput.max(true, 1));
    }

    @Override
    protected boolean couplesRowOutputs(IActivation activation) {
        return activation instanceof ActivationSoftmax;
    }

    /**
     * DL4J's {@code LossMCXENT}, always with a weight row (all 1 when {@code weights} is absent): its
     * weighted softmax gradient p * sum_c w_c t_c - w * t is the derivative of the score for any
     * labels in [0, 1], while its unweighted one, p - t, assumes that every label row sums to 1 (it
     * is wrong for all-zero padding rows and soft rows with another sum). Equal for rows that sum to 1.
     */
    @Override
    protected ILossFunction delegate(DataType type, long nOut) {
        return new LossMCXENT(weights == null ? Nd4j.ones(type, 1, nOut) : weightsRow(type));
    }
}
