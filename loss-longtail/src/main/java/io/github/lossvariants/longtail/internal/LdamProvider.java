package io.github.lossvariants.longtail.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.longtail.LdamLoss;

/** Provider of {@code ldam} ({@link LdamLoss}). Internal: not for public use. */
public final class LdamProvider extends SimpleLossProvider {
    /** Registers {@link LdamLoss}. */
    public LdamProvider() {
        super(LdamLoss.NAME, "softmax cross-entropy on s*(x - m_y) with margins m_j ~ n_j^(-1/4) (Cao et al. 2019); DRW by the DeferredReweighting listener", LdamLoss.SCHEMA, LdamLoss::new);
    }
}
