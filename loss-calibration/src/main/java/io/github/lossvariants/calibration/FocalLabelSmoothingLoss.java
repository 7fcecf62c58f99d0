package io.github.lossvariants.calibration;

import io.github.lossvariants.api.dl4j.SoftmaxElementwiseLoss;
import io.github.lossvariants.calibration.internal.FocalLabelSmoothingProvider;
import io.github.lossvariants.calibration.internal.FocalTerms;
import io.github.lossvariants.calibration.internal.Params;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Collections;
import java.util.LinkedHashMap;
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

    @JsonProperty("gamma")
    private final double gamma;
    @JsonProperty("alpha")
    private final double alpha;

    /** gamma = 3, alpha = 0.1. */
    public FocalLabelSmoothingLoss() {
        this(3.0, 0.1);
    }

    /**
     * @param gamma focusing exponent, &gt;= 0
     * @param alpha smoothing in [0, 1]
     * @throws io.github.lossvariants.api.LossConfigurationException when out of range
     */
    @JsonCreator
    public FocalLabelSmoothingLoss(@JsonProperty("gamma") double gamma, @JsonProperty("alpha") double alpha) {
        Params.check(FocalLabelSmoothingProvider.SCHEMA, NAME, "gamma", gamma);
        Params.check(FocalLabelSmoothingProvider.SCHEMA, NAME, "alpha", alpha);
        this.gamma = gamma;
        this.alpha = alpha;
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

    @Override
    public String registryName() {
        return NAME;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gamma", gamma);
        m.put("alpha", alpha);
        return Collections.unmodifiableMap(m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FocalLabelSmoothingLoss && Double.compare(((FocalLabelSmoothingLoss) o).gamma, gamma) == 0
                && Double.compare(((FocalLabelSmoothingLoss) o).alpha, alpha) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * (Double.hashCode(gamma) + 31 * Double.hashCode(alpha)) + NAME.hashCode();
    }
}
