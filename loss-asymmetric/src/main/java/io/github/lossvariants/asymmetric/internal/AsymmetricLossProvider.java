package io.github.lossvariants.asymmetric.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.asymmetric.AsymmetricLoss;

/**
 * Provides {@code asymmetric} ({@link AsymmetricLoss}). Internal: not part of the public API; use
 * {@link AsymmetricLoss} or {@code LossRegistry.create("asymmetric(...)")}.
 */
public final class AsymmetricLossProvider implements LossProvider {
    /** Registry name. */
    public static final String NAME = "asymmetric";

    /** The parameters, shared with {@link AsymmetricLoss}'s constructor so both give the same messages. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("gammaNeg", AsymmetricLoss.DEFAULT_GAMMA_NEG,
                    "focusing exponent of negatives (label 0): weight p_m^gammaNeg").atLeast(0),
            ParameterSpec.ofDouble("gammaPos", AsymmetricLoss.DEFAULT_GAMMA_POS,
                    "focusing exponent of positives (label 1): weight (1-p)^gammaPos").atLeast(0),
            ParameterSpec.ofDouble("clip", AsymmetricLoss.DEFAULT_CLIP,
                    "probability margin m: negatives use p_m = max(p - m, 0); 0 disables").atLeast(0).lessThan(1),
            ParameterSpec.ofBoolean("detachFocusingWeight", false,
                    "gradient treats the focusing weight as a constant (the ASL code's default stop-gradient)"));

    /** Public no-arg constructor for {@link java.util.ServiceLoader}. */
    public AsymmetricLossProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Asymmetric loss (ASL) for multi-label classification on sigmoid outputs: separate focusing of"
                + " positives and negatives plus probability shifting of negatives (Ben-Baruch et al., ICCV 2021,"
                + " arXiv 2009.14119)";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public LossFunction create(LossParameters p) {
        return new AsymmetricLoss(p.getDouble("gammaNeg"), p.getDouble("gammaPos"), p.getDouble("clip"),
                p.getBoolean("detachFocusingWeight"));
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
