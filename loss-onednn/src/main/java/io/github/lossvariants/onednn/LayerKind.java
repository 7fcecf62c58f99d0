package io.github.lossvariants.onednn;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingHelper;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A DL4J layer class that has a oneDNN helper, where the layer keeps it, and when the helper computes
 * what the layer's own code computes. Only the exact classes: DL4J's subclasses override the methods
 * that would call the helper, or have no oneDNN helper.
 *
 * @param label          the name used in reports
 * @param layerClass     the DL4J layer implementation class
 * @param fieldName      the field of {@code layerClass} that holds the helper (DL4J 1.0.0-M2.1: {@code helper})
 * @param helperType     the declared type of that field
 * @param helperFactory  creates DL4J's oneDNN helper for a data type
 * @param unsupported    why a layer's configuration rules the helper out, or empty
 */
record LayerKind(String label, Class<? extends Layer> layerClass, String fieldName,
                 Class<? extends LayerHelper> helperType, Function<DataType, LayerHelper> helperFactory,
                 Function<Layer, Optional<String>> unsupported) {

    static final String HELPER_FIELD = "helper";

    static final LayerKind CONVOLUTION = new LayerKind("convolution", ConvolutionLayer.class, HELPER_FIELD,
            ConvolutionHelper.class, ContiguousNhwcConvHelper::new, layer -> Optional.empty());

    static final LayerKind SUBSAMPLING = new LayerKind("subsampling", SubsamplingLayer.class, HELPER_FIELD,
            SubsamplingHelper.class, MKLDNNSubsamplingHelper::new, HelperConditions::pooling);

    static final LayerKind BATCH_NORMALIZATION = new LayerKind("batch normalization", BatchNormalization.class,
            HELPER_FIELD, BatchNormalizationHelper.class, MKLDNNBatchNormHelper::new, HelperConditions::batchNormalization);

    /** @return the layer kinds DL4J 1.0.0-M2.1 has working oneDNN helpers for */
    static List<LayerKind> all() {
        return List.of(CONVOLUTION, SUBSAMPLING, BATCH_NORMALIZATION);
    }

    /** @return whether this kind is about exactly the layer's class */
    boolean matches(Layer layer) {
        return layer.getClass() == layerClass;
    }
}
