package com.example.custom;

import io.github.lossvariants.api.SimpleLossProvider;

/** The user's provider, listed in META-INF/services/io.github.lossvariants.api.LossProvider. */
public final class SquaredHingeProvider extends SimpleLossProvider {
    public SquaredHingeProvider() {
        super(SquaredHingeLoss.NAME, "squared hinge on the logit: max(0, margin - (2y-1) z)^2", SquaredHingeLoss.SCHEMA,
                SquaredHingeLoss::new);
    }
}
