package com.example.custom;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * A user's own loss, as a user would write it: squared hinge on the logit with a margin,
 * l = max(0, margin - s*z)^2 with s = 2y - 1. Registered only through META-INF/services.
 */
public final class SquaredHingeLoss extends SigmoidElementwiseLoss {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "squared-hinge";
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("margin", 1.0, "hinge margin").greaterThan(0));

    private final double margin;

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public SquaredHingeLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.margin = parameterValues().getDouble("margin");
    }

    public SquaredHingeLoss(double margin) {
        this(ParameterSchema.valuesOf("margin", margin));
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
}
