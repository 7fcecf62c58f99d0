package io.github.lossvariants.api.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.api.baseline.CrossEntropyLoss;

/** Provider of {@code ce}. Internal: not for public use. */
public final class CrossEntropyProvider extends SimpleLossProvider {
    /** Registers {@link CrossEntropyLoss}. */
    public CrossEntropyProvider() {
        super(CrossEntropyLoss.NAME, "softmax cross-entropy: DL4J's LossMCXENT, guarded against writing into its inputs",
                CrossEntropyLoss.SCHEMA, CrossEntropyLoss::new);
    }
}
