package io.github.lossvariants.longtail.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.longtail.ClassBalancedLoss;

/** Provider of {@code class-balanced} ({@link ClassBalancedLoss}). Internal: not for public use. */
public final class ClassBalancedProvider extends SimpleLossProvider {
    /** Registers {@link ClassBalancedLoss}. */
    public ClassBalancedProvider() {
        super(ClassBalancedLoss.NAME, "effective-number class weights (1-beta)/(1-beta^n) on a sigmoid, sigmoid focal or softmax base loss (Cui et al. 2019)", ClassBalancedLoss.SCHEMA, ClassBalancedLoss::new);
    }
}
