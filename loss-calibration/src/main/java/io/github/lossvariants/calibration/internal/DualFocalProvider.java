package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.calibration.DualFocalLoss;

/** Provider of {@code dual-focal} ({@link DualFocalLoss}). Internal class, not for public use. */
public final class DualFocalProvider extends SimpleLossProvider {
    /** Registers {@link DualFocalLoss}. */
    public DualFocalProvider() {
        super(DualFocalLoss.NAME, "Dual focal loss -(1 - p_y + p_j)^gamma log p_y (Tao, Dong & Xu, ICML 2023)",
                DualFocalLoss.SCHEMA, DualFocalLoss::new);
    }
}
