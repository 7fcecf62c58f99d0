package io.github.lossvariants.longtail.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.longtail.PolyLoss;

/** Provider of {@code poly} ({@link PolyLoss}). Internal: not for public use. */
public final class PolyProvider extends SimpleLossProvider {
    /** Registers {@link PolyLoss}. */
    public PolyProvider() {
        super(PolyLoss.NAME, "Poly-1 cross-entropy CE + epsilon*(1-p_t) over a softmax (Leng et al. 2022)", PolyLoss.SCHEMA, PolyLoss::new);
    }
}
