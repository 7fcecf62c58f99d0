package io.github.lossvariants.tversky.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.tversky.LovaszLoss;

/** Provider of {@code lovasz} ({@link LovaszLoss}). Internal: not for public use. */
public final class LovaszProvider extends SimpleLossProvider {
    /** Registers {@link LovaszLoss}. */
    public LovaszProvider() {
        super(LovaszLoss.NAME, "Lovasz extension of the Jaccard loss: Lovasz-Softmax or Lovasz hinge, per image"
                + " (Berman et al. 2018)", LovaszLoss.SCHEMA, LovaszLoss::new);
    }
}
