package io.github.lossvariants.tversky.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.tversky.DiceLoss;

/** Provider of {@code dice}. */
public final class DiceProvider implements LossProvider {
    private static final ParameterSchema SCHEMA = TverskyProviders.schema(TverskyProviders.smooth());

    @Override
    public String name() {
        return DiceLoss.NAME;
    }

    @Override
    public String description() {
        return "Soft Dice loss 1 - (2TP+2s)/(sum p + sum g + 2s) per (image, class), mean over classes (Milletari et al. 2016)";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public LossFunction create(LossParameters p) {
        return new DiceLoss(p.getDouble("smooth"), RegionOptions.from(p));
    }
}
