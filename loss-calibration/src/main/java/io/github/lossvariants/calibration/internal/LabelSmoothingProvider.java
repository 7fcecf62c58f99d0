package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.calibration.LabelSmoothingLoss;

/** Provider of {@code label-smoothing} ({@link LabelSmoothingLoss}). Internal class, not for public use. */
public final class LabelSmoothingProvider extends SimpleLossProvider {
    /** Registers {@link LabelSmoothingLoss}. */
    public LabelSmoothingProvider() {
        super(LabelSmoothingLoss.NAME, "Cross-entropy with uniform label smoothing q = (1 - alpha) y + alpha / K"
                + " (Szegedy et al. 2016)",
                LabelSmoothingLoss.SCHEMA, LabelSmoothingLoss::new);
    }
}
