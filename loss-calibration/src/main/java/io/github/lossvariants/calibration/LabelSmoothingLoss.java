package io.github.lossvariants.calibration;

import io.github.lossvariants.api.dl4j.SoftmaxElementwiseLoss;
import io.github.lossvariants.calibration.internal.LabelSmoothingProvider;
import io.github.lossvariants.calibration.internal.Params;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cross-entropy with uniform label smoothing (Szegedy et al. 2016; as a calibration method:
 * Müller, Kornblith &amp; Hinton 2019), registry name {@code label-smoothing}:
 * <pre>
 *   q = (1 - alpha) * y + alpha / K,    L = -sum_i sum_k q_ik log p_ik       (summed over the batch)
 * </pre>
 * i.e. (1 - alpha) NLL + alpha mean_k(-log p_k). This is the <b>alpha/K uniform convention</b> of
 * PyTorch's {@code label_smoothing}, Keras and MbLS (the target class keeps 1 - alpha + alpha/K);
 * MDCA's code instead gives 1 - alpha to the target and alpha/(K-1) to the others. Gradient:
 * dL/dz = p - q (for one-hot y).
 *
 * <p>Parameter: {@code alpha} in [0, 1], default 0.1 (the most common setting; the calibration
 * papers also report 0.05). alpha = 0 is plain cross-entropy. Needs a SOFTMAX output layer.
 * K is the number of output columns.
 *
 * @since 0.1.0
 */
public final class LabelSmoothingLoss extends SoftmaxElementwiseLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "label-smoothing";

    @JsonProperty("alpha")
    private final double alpha;

    /** alpha = 0.1. */
    public LabelSmoothingLoss() {
        this(0.1);
    }

    /**
     * @param alpha smoothing in [0, 1]
     * @throws io.github.lossvariants.api.LossConfigurationException when out of range
     */
    @JsonCreator
    public LabelSmoothingLoss(@JsonProperty("alpha") double alpha) {
        Params.check(LabelSmoothingProvider.SCHEMA, NAME, "alpha", alpha);
        this.alpha = alpha;
    }

    /** @return the smoothing */
    public double getAlpha() {
        return alpha;
    }

    /** @return the smoothed targets (1 - alpha) y + alpha / K, a new array */
    static INDArray smooth(INDArray labels, double alpha) {
        return labels.mul(1.0 - alpha).addi(alpha / labels.size(1));
    }

    @Override
    protected void computeTerms(INDArray logProbs, INDArray probs, INDArray labels, INDArray loss, INDArray dLogProb) {
        INDArray q = smooth(labels, alpha).negi();
        loss.assign(logProbs).muli(q);
        if (dLogProb != null) {
            dLogProb.assign(q);
        }
    }

    @Override
    public String registryName() {
        return NAME;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alpha", alpha);
        return Collections.unmodifiableMap(m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSmoothingLoss && Double.compare(((LabelSmoothingLoss) o).alpha, alpha) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(alpha) + 31 * NAME.hashCode();
    }
}
