package io.github.lossvariants.asymmetric.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.asymmetric.UnifiedFocalLoss;

/**
 * Provides {@code unified-focal} ({@link UnifiedFocalLoss}). Internal: not part of the public API.
 */
public final class UnifiedFocalProvider extends SimpleLossProvider {
    /** Registers {@link UnifiedFocalLoss}. */
    public UnifiedFocalProvider() {
        super(UnifiedFocalLoss.NAME, "Asymmetric unified focal loss for binary segmentation with a rare foreground:"
                + " weight*AFTL + (1-weight)*AFL per image (Yeung et al., Comput. Med. Imaging Graph. 95, 2022)",
                UnifiedFocalLoss.SCHEMA, UnifiedFocalLoss::new);
    }
}
