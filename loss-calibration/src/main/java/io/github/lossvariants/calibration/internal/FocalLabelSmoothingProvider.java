package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.calibration.FocalLabelSmoothingLoss;

/**
 * Provider of {@code focal-label-smoothing}. Internal class, not for public use.
 */
public final class FocalLabelSmoothingProvider implements LossProvider {
    /** The loss's parameters. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("gamma", 3.0, "focusing exponent").atLeast(0),
            ParameterSpec.ofDouble("alpha", 0.1, "smoothing: target (1 - alpha) * onehot + alpha / K").between(0, 1));

    @Override
    public String name() {
        return FocalLabelSmoothingLoss.NAME;
    }

    @Override
    public String description() {
        return "Softmax focal loss on uniformly smoothed targets: -sum_k q_k (1 - p_k)^gamma log p_k";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public LossFunction create(LossParameters p) {
        return new FocalLabelSmoothingLoss(p.getDouble("gamma"), p.getDouble("alpha"));
    }
}
