package io.github.lossvariants.tversky.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.tversky.FocalTverskyLoss;

/** Provider of {@code focal-tversky} ({@link FocalTverskyLoss}). Internal: not for public use. */
public final class FocalTverskyProvider extends SimpleLossProvider {
    /** Registers {@link FocalTverskyLoss}. */
    public FocalTverskyProvider() {
        super(FocalTverskyLoss.NAME, "Focal Tversky loss (1 - TI)^(1/gamma) per (image, class), mean over classes"
                + " (Abraham & Khan 2019)", FocalTverskyLoss.SCHEMA, FocalTverskyLoss::new);
    }
}
