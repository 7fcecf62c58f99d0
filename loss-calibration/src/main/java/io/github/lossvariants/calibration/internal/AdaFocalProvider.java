package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.calibration.AdaFocalLoss;

/** Provider of {@code adafocal} ({@link AdaFocalLoss}). Internal class, not for public use. */
public final class AdaFocalProvider extends SimpleLossProvider {
    /** Registers {@link AdaFocalLoss}. */
    public AdaFocalProvider() {
        super(AdaFocalLoss.NAME, "AdaFocal: calibration-aware focal loss with per-bin gamma updated each epoch"
                + " (Ghosh et al., NeurIPS 2022)",
                AdaFocalLoss.SCHEMA, AdaFocalLoss::new);
    }
}
