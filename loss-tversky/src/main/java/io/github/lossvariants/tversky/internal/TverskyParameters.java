package io.github.lossvariants.tversky.internal;

import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.tversky.TverskyLoss;

import java.util.Map;

/**
 * The parameters the losses of {@code loss-tversky} share (each loss's {@code SCHEMA} lists its
 * own). Internal: not for public use.
 */
public final class TverskyParameters {
    private TverskyParameters() {
    }

    /** {@code tversky}, {@code focal-tversky}: the false-positive weight. */
    public static final ParameterSpec ALPHA = ParameterSpec.ofDouble("alpha", TverskyLoss.DEFAULT_WEIGHT,
            "false-positive weight").atLeast(0);

    /** {@code tversky}, {@code focal-tversky}: the false-negative weight. */
    public static final ParameterSpec BETA = ParameterSpec.ofDouble("beta", TverskyLoss.DEFAULT_WEIGHT,
            "false-negative weight").atLeast(0);

    /** Every loss of the module: the smoothing term. */
    public static final ParameterSpec SMOOTH = ParameterSpec.ofDouble("smooth", TverskyLoss.DEFAULT_SMOOTH,
            "added to numerator and denominator of the index; keeps empty images finite").greaterThan(0);

    /**
     * @param values  a loss's own values by name (from {@code ParameterSchema.valuesOf})
     * @param options region options, null for the defaults
     * @return the values with the options added, for a loss's constructor
     */
    public static Map<String, Object> withOptions(Map<String, Object> values, RegionOptions options) {
        (options == null ? RegionOptions.defaults() : options).putParameters(values);
        return values;
    }
}
