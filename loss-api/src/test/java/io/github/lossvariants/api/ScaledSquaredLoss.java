package io.github.lossvariants.api;

import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/** Test loss: scale * (sigmoid(z) - y)^2 per element. */
public final class ScaledSquaredLoss extends SigmoidElementwiseLoss {
    private static final long serialVersionUID = 1L;
    static final String NAME = "scaled-squared";
    static final ParameterSchema SCHEMA = ParameterSchema.of(ParameterSpec.ofDouble("scale", 1.0, "multiplier").greaterThan(0));

    private final double scale;

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public ScaledSquaredLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.scale = parameterValues().getDouble("scale");
    }

    public ScaledSquaredLoss(double scale) {
        this(ParameterSchema.valuesOf("scale", scale));
    }

    public double getScale() {
        return scale;
    }

    @Override
    protected void computeTerms(INDArray logits, INDArray labels, INDArray loss, INDArray grad) {
        INDArray p = Transforms.sigmoid(logits, true);
        INDArray d = p.sub(labels);
        loss.assign(d.mul(d).muli(scale));
        if (grad != null) {
            // d/dz scale*(p-y)^2 = 2*scale*(p-y)*p*(1-p)
            grad.assign(d.mul(2 * scale).muli(p).muli(p.rsub(1.0)));
        }
    }

    /** Its provider. */
    public static final class Provider extends SimpleLossProvider {
        public Provider() {
            super(NAME, "test loss", SCHEMA, ScaledSquaredLoss::new);
        }
    }
}
