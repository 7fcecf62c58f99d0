package io.github.lossvariants.api.baseline;

import io.github.lossvariants.api.ParameterSpec;

/** The parameters the baselines share. */
final class Baselines {
    private Baselines() {
    }

    /** {@code bce} and {@code ce}: per-output weights handed to DL4J's loss. */
    static final ParameterSpec WEIGHTS = ParameterSpec.ofDoubleArray("weights", null,
            "one weight per output column (DL4J's weights); length must equal nOut; absent = all 1")
            .atLeast(0);

    /** {@code bce}: DL4J's probability clipping. */
    static final ParameterSpec CLIP_EPS = ParameterSpec.ofDouble("clipEps", 1e-5,
            "DL4J LossBinaryXENT clipping: probabilities are clipped to [clipEps, 1 - clipEps]; 0 = no clipping")
            .atLeast(0).lessThan(0.5);
}
