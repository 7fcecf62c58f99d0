package io.github.lossvariants.api.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.api.baseline.BinaryCrossEntropyLoss;

/** Provider of {@code bce}. Internal: not for public use. */
public final class BinaryCrossEntropyProvider extends SimpleLossProvider {
    /** Registers {@link BinaryCrossEntropyLoss}. */
    public BinaryCrossEntropyProvider() {
        super(BinaryCrossEntropyLoss.NAME, "binary cross-entropy: DL4J's LossBinaryXENT, guarded against writing into its inputs",
                BinaryCrossEntropyLoss.SCHEMA, BinaryCrossEntropyLoss::new);
    }
}
