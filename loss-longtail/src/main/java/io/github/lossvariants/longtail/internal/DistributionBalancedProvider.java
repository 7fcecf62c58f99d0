package io.github.lossvariants.longtail.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.longtail.DistributionBalancedLoss;

/** Provider of {@code distribution-balanced} ({@link DistributionBalancedLoss}). Internal: not for public use. */
public final class DistributionBalancedProvider extends SimpleLossProvider {
    /** Registers {@link DistributionBalancedLoss}. */
    public DistributionBalancedProvider() {
        super(DistributionBalancedLoss.NAME, "multi-label sigmoid focal loss with re-balanced weights and negative-tolerant regularisation (Wu et al. 2020)", DistributionBalancedLoss.SCHEMA, DistributionBalancedLoss::new);
    }
}
