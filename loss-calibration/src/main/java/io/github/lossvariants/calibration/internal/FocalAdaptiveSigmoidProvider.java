package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.calibration.SigmoidAdaptiveFocalLoss;

/** Provider of {@code focal-adaptive-sigmoid} ({@link SigmoidAdaptiveFocalLoss}). Internal class, not for public use. */
public final class FocalAdaptiveSigmoidProvider extends SimpleLossProvider {
    /** Registers {@link SigmoidAdaptiveFocalLoss}. */
    public FocalAdaptiveSigmoidProvider() {
        super(SigmoidAdaptiveFocalLoss.NAME, "Per-label sigmoid focal loss with the FLSD-53 sample-dependent gamma on each label's p_t",
                SigmoidAdaptiveFocalLoss.SCHEMA, SigmoidAdaptiveFocalLoss::new);
    }
}
