package io.github.lossvariants.longtail.internal;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The sigmoid terms of {@code class-balanced} with the sigmoid and focal bases: each element's
 * BCE (gamma 0) or sigmoid focal term (no alpha) times the row weight sum_j w_j y_j, which is w_y
 * for a one-hot row (Cui et al. 2019). Carries the calling loss's name, schema and values.
 * Internal: not for public use.
 */
public final class ClassWeightedSigmoidFocal extends SigmoidElementwiseLoss {
    private static final long serialVersionUID = 1L;

    private final double[] weights;
    private final double gamma;
    private final String activationHint;

    /**
     * @param name           the calling loss's registry name
     * @param schema         its schema
     * @param values         its parameter values
     * @param weights        one weight per class (length checked by the caller)
     * @param gamma          focusing exponent, 0 for BCE
     * @param activationHint shown when the activation is not sigmoid, or null
     */
    public ClassWeightedSigmoidFocal(String name, ParameterSchema schema, Map<String, ?> values, double[] weights,
                                     double gamma, String activationHint) {
        super(name, schema, values);
        this.weights = weights.clone();
        this.gamma = gamma;
        this.activationHint = activationHint;
    }

    @Override
    protected void computeTerms(INDArray z, INDArray y, INDArray loss, INDArray grad) {
        SigmoidFocalTerms.write(z, y, gamma, null, 0.0, loss, grad);
        INDArray rowWeight = y.mmul(LongTailParameters.column(weights, z.dataType()));
        loss.muliColumnVector(rowWeight);
        if (grad != null) {
            grad.muliColumnVector(rowWeight);
        }
    }

    @Override
    protected String activationHint() {
        return activationHint;
    }
}
