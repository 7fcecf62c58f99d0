package io.github.lossvariants.calibration.internal;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.calibration.AdaFocalLoss;

/**
 * Provider of {@code adafocal}. Internal class, not for public use.
 */
public final class AdaFocalProvider implements LossProvider {
    /** The loss's parameters. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofInt("numBins", 15, "number of confidence bins, each with its own gamma").between(1, 1000),
            ParameterSpec.ofDouble("lambda", 1.0, "update rate: gamma *= exp(+-lambda * gap)").atLeast(0),
            ParameterSpec.ofDouble("gammaInitial", 1.0, "gamma of every bin before the first update"),
            ParameterSpec.ofDouble("gammaMax", 20.0, "upper clip of gamma"),
            ParameterSpec.ofDouble("gammaMin", -2.0, "lower clip of gamma (negative: inverse focal)"),
            ParameterSpec.ofDouble("switchPoint", 0.2, "|gamma| below this flips to -+switchPoint").atLeast(0),
            ParameterSpec.ofDoubleArray("gammas", null, "state: the current gamma of each bin (absent: gammaInitial)"),
            ParameterSpec.ofDoubleArray("binEdges", null,
                    "state: numBins+1 non-decreasing bin edges on p_t (absent: equal width on [0, 1])")
                    .between(0, 1));

    @Override
    public String name() {
        return AdaFocalLoss.NAME;
    }

    @Override
    public String description() {
        return "AdaFocal: calibration-aware focal loss with per-bin gamma updated each epoch (Ghosh et al., NeurIPS 2022)";
    }

    @Override
    public ParameterSchema parameters() {
        return SCHEMA;
    }

    @Override
    public LossFunction create(LossParameters p) {
        if (p.getDouble("gammaMin") > p.getDouble("gammaMax")) {
            throw new LossConfigurationException("Invalid adafocal parameters gammaMin=" + p.getDouble("gammaMin")
                    + " > gammaMax=" + p.getDouble("gammaMax") + ". Must have gammaMin <= gammaMax.");
        }
        return new AdaFocalLoss(p.getInt("numBins"), p.getDouble("lambda"), p.getDouble("gammaInitial"),
                p.getDouble("gammaMax"), p.getDouble("gammaMin"), p.getDouble("switchPoint"),
                p.getDoubleArray("gammas"), p.getDoubleArray("binEdges"));
    }
}
