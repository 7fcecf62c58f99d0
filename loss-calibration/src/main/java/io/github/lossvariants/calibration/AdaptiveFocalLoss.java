package io.github.lossvariants.calibration;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.SoftmaxElementwiseLoss;
import io.github.lossvariants.calibration.internal.FocalTerms;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Focal loss with a sample-dependent focusing exponent, FLSD-53 (Mukhoti et al., "Calibrating
 * Deep Neural Networks using Focal Loss", NeurIPS 2020), registry name {@code focal-adaptive}.
 *
 * <pre>
 *   L = -sum_i (1 - p_t,i)^gamma_i * log p_t,i          (summed over the batch)
 *   gamma_i = 5 if p_t,i &lt; 0.2;  3 if 0.2 &lt;= p_t,i &lt; 0.5;  gamma otherwise
 * </pre>
 * p = softmax(z), p_t the probability of the target class. gamma_i is picked from the value of
 * p_t and is a constant in the gradient (no gradient flows through the choice), as in the
 * reference code (torrvision/focal_calibration {@code FocalLossAdaptive}):
 * dL/dz_k = [gamma p_t (1-p_t)^(gamma-1) log p_t - (1-p_t)^gamma] (delta_ky - p_k).
 *
 * <p>Parameter: {@code gamma} &gt;= 0, default 3 (FLSD-53; 2 gives FLSD-52). Needs a SOFTMAX output
 * layer. Labels are one-hot; a soft label row weights each class's focal term by its label value
 * (each class then uses its own p for the gamma lookup). Per-example masks apply; a per-output mask
 * must be constant within each row (softmax couples a row's classes).
 *
 * @since 0.1.0
 */
public final class AdaptiveFocalLoss extends SoftmaxElementwiseLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "focal-adaptive";

    /** The parameter: {@code gamma} (3; &gt;= 0). */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("gamma", 3.0, "focusing exponent where p_t >= 0.5 (5 below 0.2, 3 in [0.2, 0.5))")
                    .atLeast(0));

    private final double gamma;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public AdaptiveFocalLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.gamma = parameterValues().getDouble("gamma");
    }

    /** FLSD-53: gamma = 3. */
    public AdaptiveFocalLoss() {
        this(3.0);
    }

    /**
     * @param gamma exponent used where p_t &gt;= 0.5, &gt;= 0
     * @throws io.github.lossvariants.api.LossConfigurationException when out of range
     */
    public AdaptiveFocalLoss(double gamma) {
        this(ParameterSchema.valuesOf("gamma", gamma));
    }

    /** @return the exponent used where p_t &gt;= 0.5 */
    public double getGamma() {
        return gamma;
    }

    @Override
    protected void computeTerms(INDArray logProbs, INDArray probs, INDArray labels, INDArray loss, INDArray dLogProb) {
        FocalTerms.write(logProbs, probs, labels, exponents(probs), 0, null, 0, loss, dLogProb);
    }

    @Override
    protected boolean hasTargetForm() {
        return true;
    }

    @Override
    protected void computeTargetTerms(TargetRows rows, INDArray rowLoss, INDArray dLogPt) {
        FocalTerms.write(rows.logPt(), rows.pt(), null, exponents(rows.pt()), 0, null, 0, rowLoss, dLogPt);
    }

    /** @return g = gamma + (3 - gamma) [p &lt; 0.5] + 2 [p &lt; 0.2], element-wise */
    private INDArray exponents(INDArray probs) {
        INDArray g = probs.lt(0.5).castTo(probs.dataType()).muli(3.0 - gamma);
        return g.addi(probs.lt(0.2).castTo(probs.dataType()).muli(2.0)).addi(gamma);
    }

    @Override
    protected String activationHint() {
        return "For sigmoid outputs use 'focal' (loss-focal).";
    }
}
