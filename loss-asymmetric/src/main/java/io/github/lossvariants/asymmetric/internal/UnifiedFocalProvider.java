package io.github.lossvariants.asymmetric.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.asymmetric.UnifiedFocalLoss;

/**
 * Provides {@code unified-focal} ({@link UnifiedFocalLoss}). Internal: not part of the public API.
 */
public final class UnifiedFocalProvider implements LossProvider {
    /** Registry name. */
    public static final String NAME = "unified-focal";

    /** The parameters, shared with {@link UnifiedFocalLoss}'s constructor so both give the same messages. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("weight", UnifiedFocalLoss.DEFAULT_WEIGHT,
                    "lambda: L = weight*AFTL + (1-weight)*AFL").between(0, 1),
            ParameterSpec.ofDouble("delta", UnifiedFocalLoss.DEFAULT_DELTA,
                    "weight of the foreground / of false negatives; 1-delta for background / false positives")
                    .between(0, 1),
            ParameterSpec.ofDouble("gamma", UnifiedFocalLoss.DEFAULT_GAMMA,
                    "focal parameter: background CE weight (1-p_bg)^gamma, foreground Tversky (1-TI)^(1-gamma)")
                    .between(0, 1),
            RegionOptions.parameterSpecs().stream().filter(s -> s.name().equals(RegionOptions.ROWS_PER_EXAMPLE))
                    .findFirst().orElseThrow());

    /** Public no-arg constructor for {@link java.util.ServiceLoader}. */
    public UnifiedFocalProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Asymmetric unified focal loss for binary segmentation with a rare foreground: weight*AFTL +"
                + " (1-weight)*AFL per image (Yeung et al., Comput. Med. Imaging Graph. 95, 2022)";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public LossFunction create(LossParameters p) {
        return new UnifiedFocalLoss(p.getDouble("weight"), p.getDouble("delta"), p.getDouble("gamma"),
                RegionOptions.defaults().withRowsPerExample(p.getInt(RegionOptions.ROWS_PER_EXAMPLE)));
    }

    /**
     * Validates one value against the schema (the registry's message on failure).
     *
     * @param name  parameter name
     * @param value the value
     */
    public static void check(String name, Object value) {
        SCHEMA.spec(name).orElseThrow(() -> new IllegalStateException(name)).validate(NAME, value);
    }
}
