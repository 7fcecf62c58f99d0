package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.calibration.MdcaLoss;

/** Provider of {@code mdca} ({@link MdcaLoss}). Internal class, not for public use. */
public final class MdcaProvider extends SimpleLossProvider {
    /** Registers {@link MdcaLoss}. */
    public MdcaProvider() {
        super(MdcaLoss.NAME, "MDCA auxiliary calibration term (1/K) sum_c |mean p_c - mean y_c| (Hebbalaguppe et al.,"
                + " CVPR 2022); add it to a classification loss, e.g. focal(gamma=1)+mdca(beta=1)",
                MdcaLoss.SCHEMA, MdcaLoss::new);
    }
}
