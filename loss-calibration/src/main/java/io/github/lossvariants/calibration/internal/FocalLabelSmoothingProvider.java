package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.calibration.FocalLabelSmoothingLoss;

/** Provider of {@code focal-label-smoothing} ({@link FocalLabelSmoothingLoss}). Internal class, not for public use. */
public final class FocalLabelSmoothingProvider extends SimpleLossProvider {
    /** Registers {@link FocalLabelSmoothingLoss}. */
    public FocalLabelSmoothingProvider() {
        super(FocalLabelSmoothingLoss.NAME, "Softmax focal loss on uniformly smoothed targets:"
                + " -sum_k q_k (1 - p_k)^gamma log p_k",
                FocalLabelSmoothingLoss.SCHEMA, FocalLabelSmoothingLoss::new);
    }
}
