package io.github.lossvariants.api;

/** A test provider with every parameter type; creates a ScaledSquaredLoss whose parameters() echo the input. */
public final class FocalLikeProvider implements LossProvider {
    @Override
    public String name() {
        return "focal-like";
    }

    @Override
    public String description() {
        return "focal-like test provider";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.of(
                ParameterSpec.ofDouble("gamma", 2.0, "focusing exponent").atLeast(0),
                ParameterSpec.ofDouble("alpha", null, "balance").between(0, 1),
                ParameterSpec.ofDoubleArray("weights", null, "per-class weights").greaterThan(0),
                ParameterSpec.ofBoolean("flag", false, "a switch"));
    }

    @Override
    public LossFunction create(LossParameters p) {
        return new EchoLoss(p.asMap());
    }

    /** A loss that only echoes its parameters (no math is called on it). */
    static final class EchoLoss extends io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss {
        private static final long serialVersionUID = 1L;
        private final java.util.Map<String, Object> parameters;

        EchoLoss(java.util.Map<String, Object> parameters) {
            this.parameters = parameters;
        }

        @Override
        protected void computeTerms(org.nd4j.linalg.api.ndarray.INDArray z, org.nd4j.linalg.api.ndarray.INDArray y,
                                    org.nd4j.linalg.api.ndarray.INDArray loss, org.nd4j.linalg.api.ndarray.INDArray grad) {
            throw new UnsupportedOperationException("echo only");
        }

        @Override
        public String registryName() {
            return "focal-like";
        }

        @Override
        public java.util.Map<String, Object> parameters() {
            return parameters;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof EchoLoss && ((EchoLoss) o).parameters.equals(parameters);
        }

        @Override
        public int hashCode() {
            return parameters.hashCode();
        }
    }
}
