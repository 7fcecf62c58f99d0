package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.calibration.SigmoidAdaptiveFocalLoss;

/**
 * Provider of {@code focal-adaptive-sigmoid}. Internal class, not for public use.
 */
public final class FocalAdaptiveSigmoidProvider implements LossProvider {
    /** The loss's parameters (as focal-adaptive). */
    public static final ParameterSchema SCHEMA = FocalAdaptiveProvider.SCHEMA;

    @Override
    public String name() {
        return SigmoidAdaptiveFocalLoss.NAME;
    }

    @Override
    public String description() {
        return "Per-label sigmoid focal loss with the FLSD-53 sample-dependent gamma on each label's p_t";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public LossFunction create(LossParameters p) {
        return new SigmoidAdaptiveFocalLoss(p.getDouble("gamma"));
    }
}
