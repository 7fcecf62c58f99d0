package io.github.lossvariants.asymmetric.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.asymmetric.AsymmetricLoss;

/**
 * Provides {@code asymmetric} ({@link AsymmetricLoss}). Internal: not part of the public API; use
 * {@link AsymmetricLoss} or {@code LossRegistry.create("asymmetric(...)")}.
 */
public final class AsymmetricLossProvider extends SimpleLossProvider {
    /** Registers {@link AsymmetricLoss}. */
    public AsymmetricLossProvider() {
        super(AsymmetricLoss.NAME, "Asymmetric loss (ASL) for multi-label classification on sigmoid outputs: separate"
                + " focusing of positives and negatives plus probability shifting of negatives (Ben-Baruch et al., ICCV"
                + " 2021, arXiv 2009.14119)", AsymmetricLoss.SCHEMA, AsymmetricLoss::new);
    }
}
