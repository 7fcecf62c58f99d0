package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.calibration.MdcaLoss;

/**
 * Provider of {@code mdca}. Internal class, not for public use.
 */
public final class MdcaProvider implements LossProvider {
    /** The loss's parameters. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("beta", 1.0, "weight of the MDCA term relative to a mean-reduced loss").atLeast(0));

    @Override
    public String name() {
        return MdcaLoss.NAME;
    }

    @Override
    public String description() {
        return "MDCA auxiliary calibration term (1/K) sum_c |mean p_c - mean y_c| (Hebbalaguppe et al., CVPR 2022);"
                + " add it to a classification loss, e.g. focal(gamma=1)+mdca(beta=1)";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public LossFunction create(LossParameters p) {
        return new MdcaLoss(p.getDouble("beta"));
    }
}
