package io.github.lossvariants.tversky.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.tversky.FocalTverskyLoss;

/** Provider of {@code focal-tversky}. */
public final class FocalTverskyProvider implements LossProvider {
    private static final ParameterSchema SCHEMA = TverskyProviders.schema(TverskyProviders.alpha(),
            TverskyProviders.beta(), TverskyProviders.smooth(),
            ParameterSpec.ofDouble("gamma", FocalTverskyLoss.DEFAULT_GAMMA,
                    "focal parameter: loss (1 - TI)^(1/gamma), paper range [1, 3]").greaterThan(0));

    @Override
    public String name() {
        return FocalTverskyLoss.NAME;
    }

    @Override
    public String description() {
        return "Focal Tversky loss (1 - TI)^(1/gamma) per (image, class), mean over classes (Abraham & Khan 2019)";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public LossFunction create(LossParameters p) {
        return new FocalTverskyLoss(p.getDouble("alpha"), p.getDouble("beta"), p.getDouble("smooth"),
                p.getDouble("gamma"), RegionOptions.from(p));
    }
}
