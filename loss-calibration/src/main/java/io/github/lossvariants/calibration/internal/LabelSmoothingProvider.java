package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.calibration.LabelSmoothingLoss;

/**
 * Provider of {@code label-smoothing}. Internal class, not for public use.
 */
public final class LabelSmoothingProvider implements LossProvider {
    /** The loss's parameters. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("alpha", 0.1, "smoothing: target (1 - alpha) * onehot + alpha / K").between(0, 1));

    @Override
    public String name() {
        return LabelSmoothingLoss.NAME;
    }

    @Override
    public String description() {
        return "Cross-entropy with uniform label smoothing q = (1 - alpha) y + alpha / K (Szegedy et al. 2016)";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public LossFunction create(LossParameters p) {
        return new LabelSmoothingLoss(p.getDouble("alpha"));
    }
}
