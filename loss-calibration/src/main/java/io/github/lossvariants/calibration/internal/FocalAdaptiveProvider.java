package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.calibration.AdaptiveFocalLoss;

/**
 * Provider of {@code focal-adaptive}. Internal class, not for public use.
 */
public final class FocalAdaptiveProvider implements LossProvider {
    /** The loss's parameters. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("gamma", 3.0, "focusing exponent where p_t >= 0.5 (5 below 0.2, 3 in [0.2, 0.5))")
                    .atLeast(0));

    @Override
    public String name() {
        return AdaptiveFocalLoss.NAME;
    }

    @Override
    public String description() {
        return "Softmax focal loss with sample-dependent gamma, FLSD-53 (Mukhoti et al., NeurIPS 2020)";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public LossFunction create(LossParameters p) {
        return new AdaptiveFocalLoss(p.getDouble("gamma"));
    }
}
