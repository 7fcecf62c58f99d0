package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.calibration.MarginPenaltyLoss;

/** Provider of {@code mbls} ({@link MarginPenaltyLoss}). Internal class, not for public use. */
public final class MblsProvider extends SimpleLossProvider {
    /** Registers {@link MarginPenaltyLoss}. */
    public MblsProvider() {
        super(MarginPenaltyLoss.NAME, "MbLS logit-margin penalty mean relu(max_j z_j - z_k - margin) (Liu et al., CVPR 2022);"
                + " add it to cross-entropy, e.g. label-smoothing(alpha=0)+mbls",
                MarginPenaltyLoss.SCHEMA, MarginPenaltyLoss::new);
    }
}
