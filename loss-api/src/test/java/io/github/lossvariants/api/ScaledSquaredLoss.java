package io.github.lossvariants.api;

import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.LinkedHashMap;
import java.util.Map;

/** Test loss: scale * (sigmoid(z) - y)^2 per element. */
public final class ScaledSquaredLoss extends SigmoidElementwiseLoss {
    private static final long serialVersionUID = 1L;
    @JsonProperty("scale")
    private final double scale;

    @JsonCreator
    public ScaledSquaredLoss(@JsonProperty("scale") double scale) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new LossConfigurationException("loss 'scaled-squared': invalid value for parameter scale: " + scale
                    + ". Must be a finite number > 0.");
        }
        this.scale = scale;
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

    @Override
    public String registryName() {
        return "scaled-squared";
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", scale);
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScaledSquaredLoss && ((ScaledSquaredLoss) o).scale == scale;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(scale);
    }

    /** Its provider. */
    public static final class Provider implements LossProvider {
        @Override
        public String name() {
            return "scaled-squared";
        }

        @Override
        public String description() {
            return "test loss";
        }

        @Override
        public ParameterSchema parameters() {
            return ParameterSchema.of(ParameterSpec.ofDouble("scale", 1.0, "multiplier").greaterThan(0));
        }

        @Override
        public LossFunction create(LossParameters p) {
            return new ScaledSquaredLoss(p.getDouble("scale"));
        }
    }
}
