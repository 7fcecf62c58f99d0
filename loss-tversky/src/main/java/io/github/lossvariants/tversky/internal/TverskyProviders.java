package io.github.lossvariants.tversky.internal;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.tversky.TverskyLoss;

import java.util.ArrayList;
import java.util.List;

/** Schemas shared by the providers of this module. */
final class TverskyProviders {
    private TverskyProviders() {
    }

    static ParameterSpec alpha() {
        return ParameterSpec.ofDouble("alpha", TverskyLoss.DEFAULT_WEIGHT, "false-positive weight").atLeast(0);
    }

    static ParameterSpec beta() {
        return ParameterSpec.ofDouble("beta", TverskyLoss.DEFAULT_WEIGHT, "false-negative weight").atLeast(0);
    }

    static ParameterSpec smooth() {
        return ParameterSpec.ofDouble("smooth", TverskyLoss.DEFAULT_SMOOTH,
                "added to numerator and denominator of the index; keeps empty images finite").greaterThan(0);
    }

    static ParameterSchema schema(ParameterSpec... own) {
        List<ParameterSpec> all = new ArrayList<>(List.of(own));
        all.addAll(RegionOptions.parameterSpecs());
        return ParameterSchema.of(all.toArray(new ParameterSpec[0]));
    }
}
