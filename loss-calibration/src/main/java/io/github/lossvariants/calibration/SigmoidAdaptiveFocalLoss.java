package io.github.lossvariants.calibration;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * The FLSD-53 rule of {@link AdaptiveFocalLoss} applied per label of a sigmoid (binary or
 * multi-label) output, registry name {@code focal-adaptive-sigmoid}. For each element with logit x
 * and 0/1 label y, p_t = sigmoid(x) if y = 1 else 1 - sigmoid(x), and
 * <pre>
 *   L = -sum (1 - p_t)^g log p_t,   g = 5 if p_t &lt; 0.2, 3 if 0.2 &lt;= p_t &lt; 0.5, else gamma
 * </pre>
 * summed over labels and examples. There is no reference code for the multi-label form (CALIBRATION.md
 * section 4 lists it as the natural extension); g is a constant in the gradient:
 * dL/dx = (2y - 1) (1 - p_t)^g [g p_t log p_t - (1 - p_t)], computed from log-sigmoids (no
 * fractional power with a negative exponent, so finite for every gamma &gt;= 0).
 *
 * <p>Parameter: {@code gamma} &gt;= 0, default 3. Needs a SIGMOID output layer and 0/1 labels.
 *
 * @since 0.1.0
 */
public final class SigmoidAdaptiveFocalLoss extends SigmoidElementwiseLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "focal-adaptive-sigmoid";

    /** The parameter: {@code gamma} (3; &gt;= 0), as {@link AdaptiveFocalLoss#SCHEMA}. */
    public static final ParameterSchema SCHEMA = AdaptiveFocalLoss.SCHEMA;

    private final double gamma;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public SigmoidAdaptiveFocalLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.gamma = parameterValues().getDouble("gamma");
    }

    /** gamma = 3. */
    public SigmoidAdaptiveFocalLoss() {
        this(3.0);
    }

    /**
     * @param gamma exponent used where p_t &gt;= 0.5, &gt;= 0
     * @throws io.github.lossvariants.api.LossConfigurationException when out of range
     */
    public SigmoidAdaptiveFocalLoss(double gamma) {
        this(ParameterSchema.valuesOf("gamma", gamma));
    }

    /** @return the exponent used where p_t &gt;= 0.5 */
    public double getGamma() {
        return gamma;
    }

    /** log sigmoid(x) = -(relu(-x) + log1p(exp(-|x|))), a new array */
    private static INDArray logSigmoid(INDArray x) {
        INDArray soft = Transforms.log1p(Transforms.exp(Transforms.abs(x, true).negi(), false), false);
        return soft.addi(Transforms.relu(x.neg(), false)).negi();
    }

    @Override
    protected void computeTerms(INDArray logits, INDArray labels, INDArray loss, INDArray grad) {
        DataType t = logits.dataType();
        INDArray sign = labels.mul(2.0).subi(1.0);
        INDArray xt = logits.mul(sign);
        INDArray logPt = logSigmoid(xt);
        INDArray oneMinusPt = Transforms.exp(logSigmoid(xt.negi()), false);
        INDArray pt = Transforms.exp(logPt, true);
        INDArray g = pt.lt(0.5).castTo(t).muli(3.0 - gamma);
        g.addi(pt.lt(0.2).castTo(t).muli(2.0)).addi(gamma);
        // (1 - p_t)^g = exp(g log(1 - p_t)), with log(1 - p_t) = log sigmoid(-x_t)
        INDArray factor = Transforms.exp(Transforms.log(Transforms.max(oneMinusPt, 1e-30, true), false).muli(g), false);
        loss.assign(factor.mul(logPt).negi());
        if (grad != null) {
            grad.assign(g.muli(pt).muli(logPt).subi(oneMinusPt).muli(factor).muli(sign));
        }
    }

    @Override
    protected String activationHint() {
        return "For softmax outputs use 'focal-adaptive'.";
    }
}
