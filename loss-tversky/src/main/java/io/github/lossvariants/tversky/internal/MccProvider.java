package io.github.lossvariants.tversky.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.tversky.MccLoss;

/** Provider of {@code mcc} ({@link MccLoss}). Internal: not for public use. */
public final class MccProvider extends SimpleLossProvider {
    /** Registers {@link MccLoss}. */
    public MccProvider() {
        super(MccLoss.NAME, "Matthews correlation coefficient loss 1 - MCC of the soft counts per (image, class)"
                + " (Abhishek & Hamarneh 2021; smp MCCLoss)", MccLoss.SCHEMA, MccLoss::new);
    }
}
