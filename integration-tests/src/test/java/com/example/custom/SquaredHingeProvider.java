package com.example.custom;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;

/** The user's provider, listed in META-INF/services/io.github.lossvariants.api.LossProvider. */
public final class SquaredHingeProvider implements LossProvider {
    @Override
    public String name() {
        return "squared-hinge";
    }

    @Override
    public String description() {
        return "squared hinge on the logit: max(0, margin - (2y-1) z)^2";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.of(ParameterSpec.ofDouble("margin", 1.0, "hinge margin").greaterThan(0));
    }

    @Override
    public LossFunction create(LossParameters parameters) {
        return new SquaredHingeLoss(parameters.getDouble("margin"));
    }
}
