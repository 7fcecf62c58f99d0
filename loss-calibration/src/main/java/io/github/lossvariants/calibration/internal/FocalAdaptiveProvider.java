package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.calibration.AdaptiveFocalLoss;

/** Provider of {@code focal-adaptive} ({@link AdaptiveFocalLoss}). Internal class, not for public use. */
public final class FocalAdaptiveProvider extends SimpleLossProvider {
    /** Registers {@link AdaptiveFocalLoss}. */
    public FocalAdaptiveProvider() {
        super(AdaptiveFocalLoss.NAME, "Softmax focal loss with sample-dependent gamma, FLSD-53 (Mukhoti et al., NeurIPS 2020)",
                AdaptiveFocalLoss.SCHEMA, AdaptiveFocalLoss::new);
    }
}
