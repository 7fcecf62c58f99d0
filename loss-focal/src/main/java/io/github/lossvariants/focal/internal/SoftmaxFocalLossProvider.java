package io.github.lossvariants.focal.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.focal.SoftmaxFocalLoss;

/** Provider of {@code softmax-focal} ({@link SoftmaxFocalLoss}). Internal: not for public use. */
public final class SoftmaxFocalLossProvider implements LossProvider {
    @Override
    public String name() {
        return SoftmaxFocalLoss.NAME;
    }

    @Override
    public String description() {
        return "multi-class focal loss -sum_c w_c*(1-p_c)^gamma*t_c*log p_c over a softmax (Lin et al. 2017;"
                + " MONAI use_softmax=True)";
    }

    @Override
    public ParameterSchema parameters() {
        return FocalParameters.SOFTMAX_FOCAL;
    }

    @Override
    public LossFunction create(LossParameters parameters) {
        return new SoftmaxFocalLoss(parameters.getDouble("gamma"), parameters.getDoubleArray("classWeights"));
    }
}
