package io.github.lossvariants.longtail.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.longtail.TwoWayLoss;

/** Provider of {@code two-way} ({@link TwoWayLoss}). Internal: not for public use. */
public final class TwoWayProvider extends SimpleLossProvider {
    /** Registers {@link TwoWayLoss}. */
    public TwoWayProvider() {
        super(TwoWayLoss.NAME, "multi-label softplus of smooth maxima over hard negatives and positives, across examples and across classes, on raw logits (Kobayashi 2023)", TwoWayLoss.SCHEMA, TwoWayLoss::new);
    }
}
