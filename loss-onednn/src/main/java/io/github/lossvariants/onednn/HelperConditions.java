package io.github.lossvariants.onednn;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

import java.util.Optional;

/**
 * The layer configurations for which DL4J's oneDNN helper would not compute what the layer's own code
 * computes, read from the layer's configuration ({@code org.deeplearning4j.nn.conf.layers}).
 */
final class HelperConditions {
    private HelperConditions() {
    }

    /**
     * {@code MKLDNNSubsamplingHelper} handles max and average pooling. For average pooling it always passes
     * libnd4j's divisor mode 0 ({@code Pooling2D.Divisor.EXCLUDE_PADDING}), the mode DL4J's own code passes
     * for {@code avgPoolIncludePadInDivisor=false} (the builder's default since 1.0.0-beta5); DL4J passes
     * mode 1 for {@code true}, so such a layer keeps DL4J's code.
     *
     * @return why the subsampling layer cannot use the helper, or empty
     */
    static Optional<String> pooling(Layer layer) {
        SubsamplingLayer conf = (SubsamplingLayer) layer.conf().getLayer();
        PoolingType type = conf.getPoolingType();
        if (type != PoolingType.MAX && type != PoolingType.AVG) {
            return Optional.of(type + " pooling has no oneDNN helper");
        }
        if (type == PoolingType.AVG && conf.isAvgPoolIncludePadInDivisor()) {
            return Optional.of("average pooling with avgPoolIncludePadInDivisor=true (a model from DL4J 1.0.0-beta4 "
                    + "or earlier): the helper would divide by another count at the borders");
        }
        return Optional.empty();
    }

    /** @return why the batch normalization layer cannot use the helper ({@code lockGammaBeta}), or empty */
    static Optional<String> batchNormalization(Layer layer) {
        BatchNormalization conf = (BatchNormalization) layer.conf().getLayer();
        return conf.isLockGammaBeta()
                ? Optional.of("lockGammaBeta=true: DL4J's oneDNN batch normalization helper needs trained gamma and beta")
                : Optional.empty();
    }
}
