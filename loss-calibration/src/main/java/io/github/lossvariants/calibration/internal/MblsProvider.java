package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.calibration.MarginPenaltyLoss;

/**
 * Provider of {@code mbls}. Internal class, not for public use.
 */
public final class MblsProvider implements LossProvider {
    /** The loss's parameters. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("margin", 10.0, "logit distance to the row maximum that is free").atLeast(0),
            ParameterSpec.ofDouble("alpha", 0.1, "weight of the penalty relative to a mean-reduced loss").atLeast(0));

    @Override
    public String name() {
        return MarginPenaltyLoss.NAME;
    }

    @Override
    public String description() {
        return "MbLS logit-margin penalty mean relu(max_j z_j - z_k - margin) (Liu et al., CVPR 2022);"
                + " add it to cross-entropy, e.g. label-smoothing(alpha=0)+mbls";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public LossFunction create(LossParameters p) {
        return new MarginPenaltyLoss(p.getDouble("margin"), p.getDouble("alpha"));
    }
}
