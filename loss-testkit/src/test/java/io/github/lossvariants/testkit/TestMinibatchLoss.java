package io.github.lossvariants.testkit;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.api.dl4j.BaseLoss;
import io.github.lossvariants.api.internal.LossInputs;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * A test loss that couples the whole minibatch and reads raw logits (IDENTITY activation):
 * L = S^2 / 2 with S = sum over all elements of (z - y); each row's share is L / rows; the gradient
 * is S everywhere. Masks are not supported (test code only).
 */
public class TestMinibatchLoss extends BaseLoss {
    private static final long serialVersionUID = 1L;
    static final String NAME = "test-minibatch";

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public TestMinibatchLoss(Map<String, ?> parameters) {
        super(NAME, ParameterSchema.empty(), parameters);
    }

    @Override
    protected Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                  boolean wantGradient) {
        LossInputs.checkRows(NAME, labels, preOutput);
        if (!(activation instanceof ActivationIdentity) || mask != null) {
            throw new LossConfigurationException(NAME + " needs IDENTITY and no mask");
        }
        double s = preOutput.sub(labels.castTo(preOutput.dataType())).sumNumber().doubleValue();
        long rows = preOutput.size(0);
        INDArray shares = Nd4j.valueArrayOf(new long[]{rows, 1}, s * s / 2 / rows, preOutput.dataType());
        INDArray grad = wantGradient ? Nd4j.valueArrayOf(preOutput.shape(), s, preOutput.dataType()) : null;
        return new Evaluation(shares, grad, rows);
    }

    /** Its provider. */
    public static final class Provider extends SimpleLossProvider {
        public Provider() {
            super(NAME, "test minibatch loss on raw logits", ParameterSchema.empty(), TestMinibatchLoss::new);
        }
    }
}
