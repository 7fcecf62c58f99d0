package io.github.lossvariants.api;

import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/** A test provider with every parameter type; creates a loss that only holds its parameters. */
public final class FocalLikeProvider extends SimpleLossProvider {
    static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("gamma", 2.0, "focusing exponent").atLeast(0),
            ParameterSpec.ofDouble("alpha", null, "balance").between(0, 1),
            ParameterSpec.ofDoubleArray("weights", null, "per-class weights").greaterThan(0),
            ParameterSpec.ofBoolean("flag", false, "a switch"),
            ParameterSpec.ofChoice("mode", "multiclass", "a choice", "multiclass", "binary"));

    public FocalLikeProvider() {
        super("focal-like", "focal-like test provider", SCHEMA, EchoLoss::new);
    }

    /** A loss that only echoes its parameters (no math is called on it). */
    static final class EchoLoss extends SigmoidElementwiseLoss {
        private static final long serialVersionUID = 1L;

        EchoLoss(Map<String, ?> parameters) {
            super("focal-like", SCHEMA, parameters);
        }

        @Override
        protected void computeTerms(INDArray z, INDArray y, INDArray loss, INDArray grad) {
            throw new UnsupportedOperationException("echo only");
        }
    }
}
