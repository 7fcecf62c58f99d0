package io.github.lossvariants.tversky.internal;

import io.github.lossvariants.api.LossConfigurationException;

/** Constructor-side parameter checks with the registry's wording. */
public final class Checks {
    private Checks() {
    }

    /** Requires {@code value >= 0} and finite. */
    public static double atLeastZero(String loss, String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw invalid(loss, name, value, ">= 0");
        }
        return value;
    }

    /** Requires {@code value > 0} and finite. */
    public static double positive(String loss, String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw invalid(loss, name, value, "> 0");
        }
        return value;
    }

    private static LossConfigurationException invalid(String loss, String name, double value, String range) {
        return new LossConfigurationException("loss '" + loss + "': invalid value for parameter " + name + "=" + value
                + ". Must be a finite number " + range + ".");
    }
}
