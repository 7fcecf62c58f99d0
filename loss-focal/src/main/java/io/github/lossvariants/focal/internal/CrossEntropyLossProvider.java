package io.github.lossvariants.focal.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.focal.CrossEntropyLoss;

/** Provider of {@code ce} ({@link CrossEntropyLoss}). Internal: not for public use. */
public final class CrossEntropyLossProvider implements LossProvider {
    @Override
    public String name() {
        return CrossEntropyLoss.NAME;
    }

    @Override
    public String description() {
        return "softmax cross-entropy: DL4J's LossMCXENT, guarded against writing into its inputs";
    }

    @Override
    public ParameterSchema parameters() {
        return FocalParameters.CE;
    }

    @Override
    public LossFunction create(LossParameters parameters) {
        return new CrossEntropyLoss(parameters.getDoubleArray("weights"));
    }
}
