package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.ParameterSchema;

/**
 * Validates a constructor argument against a provider's schema, so that Java construction and
 * JSON give the same messages as the registry.
 *
 * <p>Internal class, not for public use.
 */
public final class Params {
    private Params() {
    }

    /**
     * @throws io.github.lossvariants.api.LossConfigurationException as the schema would
     */
    public static void check(ParameterSchema schema, String loss, String name, Object value) {
        schema.spec(name).orElseThrow(() -> new IllegalStateException("no parameter " + name))
                .validate(loss, value);
    }
}
