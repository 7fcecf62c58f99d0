package io.github.lossvariants.focal.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.focal.FocalLoss;

/** Provider of {@code focal} ({@link FocalLoss}). Internal: not for public use. */
public final class FocalLossProvider extends SimpleLossProvider {
    /** Registers {@link FocalLoss}. */
    public FocalLossProvider() {
        super(FocalLoss.NAME, "sigmoid focal loss alpha_t*(1-p_t)^gamma*BCE for binary, multi-label and per-pixel outputs"
                + " (Lin et al. 2017); RetinaNet: focal(gamma=2, alpha=0.25)", FocalLoss.SCHEMA, FocalLoss::new);
    }
}
