package io.github.lossvariants.testkit;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A correct test loss: weight * BCE from logits, per element
 * weight * (max(z, 0) - y z + log(1 + exp(-|z|))), gradient weight * (sigmoid(z) - y).
 */
public class TestBceLoss extends SigmoidElementwiseLoss {
    private static final long serialVersionUID = 1L;
    static final String NAME = "test-bce";

    @JsonProperty("weight")
    private final double weight;

    @JsonCreator
    public TestBceLoss(@JsonProperty("weight") double weight) {
        if (!(weight > 0)) {
            throw new IllegalArgumentException("weight must be > 0, got " + weight);
        }
        this.weight = weight;
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

    @Override
    public String registryName() {
        return NAME;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("weight", weight);
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((TestBceLoss) o).weight == weight;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(weight);
    }

    /** Its provider. */
    public static final class Provider implements LossProvider {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public String description() {
            return "test BCE from logits";
        }

        @Override
        public ParameterSchema parameters() {
            return ParameterSchema.of(ParameterSpec.ofDouble("weight", 1.0, "multiplier").greaterThan(0));
        }

        @Override
        public LossFunction create(LossParameters p) {
            return new TestBceLoss(p.getDouble("weight"));
        }
    }
}
