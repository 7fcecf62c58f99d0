package io.github.lossvariants.tversky.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.tversky.TverskyLoss;

/** Provider of {@code tversky}. */
public final class TverskyProvider implements LossProvider {
    private static final ParameterSchema SCHEMA = TverskyProviders.schema(TverskyProviders.alpha(),
            TverskyProviders.beta(), TverskyProviders.smooth());

    @Override
    public String name() {
        return TverskyLoss.NAME;
    }

    @Override
    public String description() {
        return "Tversky loss 1 - (TP+s)/(TP+alpha*FP+beta*FN+s) per (image, class), mean over classes (Salehi et al. 2017)";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public LossFunction create(LossParameters p) {
        return new TverskyLoss(p.getDouble("alpha"), p.getDouble("beta"), p.getDouble("smooth"), RegionOptions.from(p));
    }
}
