package io.github.lossvariants.tversky.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.tversky.DiceLoss;

/** Provider of {@code dice} ({@link DiceLoss}). Internal: not for public use. */
public final class DiceProvider extends SimpleLossProvider {
    /** Registers {@link DiceLoss}. */
    public DiceProvider() {
        super(DiceLoss.NAME, "Soft Dice loss 1 - (2TP+2s)/(sum p + sum g + 2s) per (image, class), mean over classes"
                + " (Milletari et al. 2016)", DiceLoss.SCHEMA, DiceLoss::new);
    }
}
