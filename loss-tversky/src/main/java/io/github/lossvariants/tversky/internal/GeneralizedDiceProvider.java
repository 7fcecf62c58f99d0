package io.github.lossvariants.tversky.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.tversky.GeneralizedDiceLoss;

/** Provider of {@code generalized-dice} ({@link GeneralizedDiceLoss}). Internal: not for public use. */
public final class GeneralizedDiceProvider extends SimpleLossProvider {
    /** Registers {@link GeneralizedDiceLoss}. */
    public GeneralizedDiceProvider() {
        super(GeneralizedDiceLoss.NAME, "Generalized Dice loss 1 - (2 sum w TP + s)/(sum w (P + G) + s) per image,"
                + " w = 1/G^2, 1/G or 1 (Sudre et al. 2017)", GeneralizedDiceLoss.SCHEMA, GeneralizedDiceLoss::new);
    }
}
