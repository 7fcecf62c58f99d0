package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.calibration.DualFocalLoss;

/**
 * Provider of {@code dual-focal}. Internal class, not for public use.
 */
public final class DualFocalProvider implements LossProvider {
    /** The loss's parameters. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("gamma", DualFocalLoss.DEFAULT_GAMMA,
                    "exponent of (1 - p_y + p_j); published settings 2.3 to 6.1").atLeast(0));

    @Override
    public String name() {
        return DualFocalLoss.NAME;
    }

    @Override
    public String description() {
        return "Dual focal loss -(1 - p_y + p_j)^gamma log p_y (Tao, Dong & Xu, ICML 2023)";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public LossFunction create(LossParameters p) {
        return new DualFocalLoss(p.getDouble("gamma"));
    }
}
