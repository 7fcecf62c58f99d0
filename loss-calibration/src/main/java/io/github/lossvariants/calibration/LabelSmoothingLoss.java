package io.github.lossvariants.calibration;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.SoftmaxElementwiseLoss;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;

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

    /** The parameter: {@code alpha} (0.1; [0, 1]). */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("alpha", 0.1, "smoothing: target (1 - alpha) * onehot + alpha / K").between(0, 1));

    private final double alpha;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public LabelSmoothingLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.alpha = parameterValues().getDouble("alpha");
    }

    /** alpha = 0.1. */
    public LabelSmoothingLoss() {
        this(0.1);
    }

    /**
     * @param alpha smoothing in [0, 1]
     * @throws io.github.lossvariants.api.LossConfigurationException when out of range
     */
    public LabelSmoothingLoss(double alpha) {
        this(ParameterSchema.valuesOf("alpha", alpha));
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
}
