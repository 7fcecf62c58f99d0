package io.github.lossvariants.testkit;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * A correct test loss: weight * BCE from logits, per element
 * weight * (max(z, 0) - y z + log(1 + exp(-|z|))), gradient weight * (sigmoid(z) - y).
 */
public class TestBceLoss extends SigmoidElementwiseLoss {
    private static final long serialVersionUID = 1L;
    static final String NAME = "test-bce";

    static final ParameterSchema SCHEMA = ParameterSchema.of(ParameterSpec.ofDouble("weight", 1.0, "multiplier").greaterThan(0));

    private final double weight;

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public TestBceLoss(Map<String, ?> parameters) {
        this(NAME, parameters);
    }

    public TestBceLoss(double weight) {
        this(ParameterSchema.valuesOf("weight", weight));
    }

    /** For defective subclasses that name themselves. */
    TestBceLoss(String name, Map<String, ?> parameters) {
        super(name, SCHEMA, parameters);
        this.weight = parameterValues().getDouble("weight");
    }

    public double getWeight() {
        return weight;
    }

    @Override
    protected void computeTerms(INDArray logits, INDArray labels, INDArray loss, INDArray grad) {
        INDArray absNeg = Transforms.abs(logits, true).negi();
        INDArray softplusTail = Transforms.log(Transforms.exp(absNeg, false).addi(1.0), false);
        loss.assign(Transforms.relu(logits, true).subi(logits.mul(labels)).addi(softplusTail).muli(weight));
        if (grad != null) {
            grad.assign(Transforms.sigmoid(logits, true).subi(labels).muli(weight));
        }
    }

    /** Its provider. */
    public static final class Provider extends SimpleLossProvider {
        public Provider() {
            super(NAME, "test BCE from logits", SCHEMA, TestBceLoss::new);
        }
    }
}
