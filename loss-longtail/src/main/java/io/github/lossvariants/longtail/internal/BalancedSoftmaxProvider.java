package io.github.lossvariants.longtail.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.longtail.BalancedSoftmaxLoss;

/** Provider of {@code balanced-softmax} ({@link BalancedSoftmaxLoss}). Internal: not for public use. */
public final class BalancedSoftmaxProvider extends SimpleLossProvider {
    /** Registers {@link BalancedSoftmaxLoss}. */
    public BalancedSoftmaxProvider() {
        super(BalancedSoftmaxLoss.NAME, "cross-entropy on x + tau*log(class prior): balanced softmax (Ren et al. 2020) at tau=1, logit adjustment (Menon et al. 2021)", BalancedSoftmaxLoss.SCHEMA, BalancedSoftmaxLoss::new);
    }
}
