package io.github.lossvariants.longtail;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.longtail.internal.LongTailParameters;
import io.github.lossvariants.longtail.internal.SigmoidFocalTerms;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The sigmoid terms of {@code class-balanced} with the sigmoid and focal bases: each element's BCE
 * (gamma 0) or sigmoid focal term (no alpha) times the row weight sum_j w_j y_j over the row's
 * known labels, which is w_y for a one-hot row (Cui et al. 2019). Carries {@link ClassBalancedLoss}'s
 * name, schema and values, so that its messages name it.
 */
final class ClassBalancedSigmoidKernel extends RowLabelSigmoidLoss {
    private static final long serialVersionUID = 1L;

    private final double[] weights;
    private final double gamma;

    ClassBalancedSigmoidKernel(String name, ParameterSchema schema, Map<String, ?> values, double[] weights,
                               double gamma) {
        super(name, schema, values);
        this.weights = weights.clone();
        this.gamma = gamma;
    }

    @Override
    void computeTerms(INDArray z, INDArray y, INDArray known, INDArray loss, INDArray grad) {
        SigmoidFocalTerms.write(z, y, gamma, null, 0.0, loss, grad);
        INDArray rowWeight = known.mmul(LongTailParameters.column(weights, z.dataType()));
        loss.muliColumnVector(rowWeight);
        if (grad != null) {
            grad.muliColumnVector(rowWeight);
        }
    }

    @Override
    String activationHint() {
        return "For a softmax over exclusive classes use class-balanced(baseLoss=softmax).";
    }
}
