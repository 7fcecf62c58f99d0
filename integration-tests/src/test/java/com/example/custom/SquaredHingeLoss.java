package com.example.custom;

import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * A user's own loss, as a user would write it: squared hinge on the logit with a margin,
 * l = max(0, margin - s*z)^2 with s = 2y - 1. Registered only through META-INF/services.
 */
public final class SquaredHingeLoss extends SigmoidElementwiseLoss {
    private static final long serialVersionUID = 1L;

    @JsonProperty("margin")
    private final double margin;

    @JsonCreator
    public SquaredHingeLoss(@JsonProperty("margin") double margin) {
        if (!(margin > 0)) {
            throw new IllegalArgumentException("margin must be > 0, got " + margin);
        }
        this.margin = margin;
    }

    public double getMargin() {
        return margin;
    }

    @Override
    protected void computeTerms(INDArray logits, INDArray labels, INDArray loss, INDArray grad) {
        INDArray sign = labels.mul(2).subi(1);
        INDArray slack = Transforms.relu(sign.mul(logits).rsubi(margin), false);
        loss.assign(slack.mul(slack));
        if (grad != null) {
            grad.assign(slack.muli(sign).muli(-2));
        }
    }

    @Override
    public String registryName() {
        return "squared-hinge";
    }

    @Override
    public Map<String, Object> parameters() {
        return Map.of("margin", margin);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SquaredHingeLoss && ((SquaredHingeLoss) o).margin == margin;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(margin);
    }
}
