package io.github.lossvariants.focal.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.focal.BinaryCrossEntropyLoss;

/** Provider of {@code bce} ({@link BinaryCrossEntropyLoss}). Internal: not for public use. */
public final class BinaryCrossEntropyLossProvider implements LossProvider {
    @Override
    public String name() {
        return BinaryCrossEntropyLoss.NAME;
    }

    @Override
    public String description() {
        return "binary cross-entropy: DL4J's LossBinaryXENT, guarded against writing into its inputs";
    }

    @Override
    public ParameterSchema parameters() {
        return FocalParameters.BCE;
    }

    @Override
    public LossFunction create(LossParameters parameters) {
        return new BinaryCrossEntropyLoss(parameters.getDoubleArray("weights"), parameters.getDouble("clipEps"));
    }
}
