package io.github.lossvariants.longtail.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.longtail.PolyFocalLoss;

/** Provider of {@code poly-focal} ({@link PolyFocalLoss}). Internal: not for public use. */
public final class PolyFocalProvider extends SimpleLossProvider {
    /** Registers {@link PolyFocalLoss}. */
    public PolyFocalProvider() {
        super(PolyFocalLoss.NAME, "Poly-1 sigmoid focal loss alpha_t*(1-p_t)^gamma*BCE + epsilon*(1-p_t)^(gamma+1) (Leng et al. 2022)", PolyFocalLoss.SCHEMA, PolyFocalLoss::new);
    }
}
