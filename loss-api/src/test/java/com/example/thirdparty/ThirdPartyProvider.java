package com.example.thirdparty;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;

/** A provider outside the project's packages, claiming whatever name it is given. */
public final class ThirdPartyProvider implements LossProvider {
    private final String name;

    public ThirdPartyProvider(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "third party";
    }

    @Override
    public ParameterSchema parameters() {
        return ParameterSchema.empty();
    }

    @Override
    public LossFunction create(LossParameters parameters) {
        throw new UnsupportedOperationException();
    }
}
