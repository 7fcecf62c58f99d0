package io.github.lossvariants.focal.internal;

import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.focal.SoftmaxFocalLoss;

/** Provider of {@code softmax-focal} ({@link SoftmaxFocalLoss}). Internal: not for public use. */
public final class SoftmaxFocalLossProvider extends SimpleLossProvider {
    /** Registers {@link SoftmaxFocalLoss}. */
    public SoftmaxFocalLossProvider() {
        super(SoftmaxFocalLoss.NAME, "multi-class focal loss -sum_c w_c*(1-p_c)^gamma*t_c*log p_c over a softmax"
                + " (Lin et al. 2017; MONAI use_softmax=True)", SoftmaxFocalLoss.SCHEMA, SoftmaxFocalLoss::new);
    }
}
