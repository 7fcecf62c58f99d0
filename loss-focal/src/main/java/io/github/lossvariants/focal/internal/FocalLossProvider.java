package io.github.lossvariants.focal.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.focal.FocalLoss;

import java.util.OptionalDouble;

/** Provider of {@code focal} ({@link FocalLoss}). Internal: not for public use. */
public final class FocalLossProvider implements LossProvider {
    @Override
    public String name() {
        return FocalLoss.NAME;
    }

    @Override
    public String description() {
        return "sigmoid focal loss alpha_t*(1-p_t)^gamma*BCE for binary, multi-label and per-pixel outputs"
                + " (Lin et al. 2017); RetinaNet: focal(gamma=2, alpha=0.25)";
    }

    @Override
    public ParameterSchema parameters() {
        return FocalParameters.FOCAL;
    }

    @Override
    public LossFunction create(LossParameters parameters) {
        OptionalDouble alpha = parameters.optionalDouble("alpha");
        return new FocalLoss(parameters.getDouble("gamma"), alpha.isPresent() ? alpha.getAsDouble() : null);
    }
}
