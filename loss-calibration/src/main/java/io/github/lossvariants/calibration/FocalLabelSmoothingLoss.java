package io.github.lossvariants.calibration;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.SoftmaxElementwiseLoss;
import io.github.lossvariants.calibration.internal.FocalTerms;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Softmax focal loss on label-smoothed targets, registry name {@code focal-label-smoothing}:
 * <pre>
 *   q = (1 - alpha) * y + alpha / K,    L = -sum_i sum_k q_ik (1 - p_ik)^gamma log p_ik     (summed)
 * </pre>
 * There is no canonical calibration code for this combination; this is the public form in which
 * every class term is focal-weighted by its own p_k, with the same alpha/K uniform smoothing
 * convention as {@link LabelSmoothingLoss}. Gradient: with
 * h_k = -q_k [(1-p_k)^gamma - gamma p_k (1-p_k)^(gamma-1) log p_k], dL/dz_j = h_j - p_j sum_k h_k.
 *
 * <p>Parameters: {@code gamma} &gt;= 0 (default 3), {@code alpha} in [0, 1] (default 0.1).
 * gamma = 0 is {@link LabelSmoothingLoss}; alpha = 0 is softmax focal loss. Needs SOFTMAX.
 *
 * @since 0.1.0
 */
public final class FocalLabelSmoothingLoss extends SoftmaxElementwiseLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "focal-label-smoothing";

    /** The parameters: {@code gamma} (3; &gt;= 0), {@code alpha} (0.1; [0, 1]). */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("gamma", 3.0, "focusing exponent").atLeast(0),
            ParameterSpec.ofDouble("alpha", 0.1, "smoothing: target (1 - alpha) * onehot + alpha / K").between(0, 1));

    private final double gamma;
    private final double alpha;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public FocalLabelSmoothingLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.gamma = parameterValues().getDouble("gamma");
        this.alpha = parameterValues().getDouble("alpha");
    }

    /** gamma = 3, alpha = 0.1. */
    public FocalLabelSmoothingLoss() {
        this(3.0, 0.1);
    }

    /**
     * @param gamma focusing exponent, &gt;= 0
     * @param alpha smoothing in [0, 1]
     * @throws io.github.lossvariants.api.LossConfigurationException when out of range
     */
    public FocalLabelSmoothingLoss(double gamma, double alpha) {
        this(ParameterSchema.valuesOf("gamma", gamma, "alpha", alpha));
    }

    /** @return the focusing exponent */
    public double getGamma() {
        return gamma;
    }

    /** @return the smoothing */
    public double getAlpha() {
        return alpha;
    }

    @Override
    protected void computeTerms(INDArray logProbs, INDArray probs, INDArray labels, INDArray loss, INDArray dLogProb) {
        INDArray q = LabelSmoothingLoss.smooth(labels, alpha);
        FocalTerms.write(logProbs, probs, q, null, gamma, null, 0, loss, dLogProb);
    }
}
