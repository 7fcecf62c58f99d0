package io.github.lossvariants.tversky.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.tversky.TverskyLoss;

/** Provider of {@code tversky} ({@link TverskyLoss}). Internal: not for public use. */
public final class TverskyProvider extends SimpleLossProvider {
    /** Registers {@link TverskyLoss}. */
    public TverskyProvider() {
        super(TverskyLoss.NAME, "Tversky loss 1 - (TP+s)/(TP+alpha*FP+beta*FN+s) per (image, class), mean over classes"
                + " (Salehi et al. 2017)", TverskyLoss.SCHEMA, TverskyLoss::new);
    }
}
