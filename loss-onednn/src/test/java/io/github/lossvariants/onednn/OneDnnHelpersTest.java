package io.github.lossvariants.onednn;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What {@link OneDnnHelpers#enable} changes and reports: supported and skipped layers, repeated calls,
 * restored, cloned and transfer-learning models, and every case in which it must change nothing.
 */
class OneDnnHelpersTest {
    private static final Availability ONEDNN_CPU = new Availability(true, "CpuBackend",
            "GCC: 7.5.0 | HAVE_FLATBUFFERS | HAVE_ONEDNN | HAVE_OPENBLAS", true, null, null);

    /** Every layer kind this class knows, including the ones it must leave alone. */
    private static MultiLayerConfiguration mixed(DataType type) {
        return new NeuralNetConfiguration.Builder().seed(1).dataType(type).updater(new Adam(1e-2))
                .convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).name("conv").build())
                .layer(new LocalResponseNormalization.Builder().name("lrn").build())
                .layer(new BatchNormalization.Builder().lockGammaBeta(true).name("bn-locked").build())
                .layer(new BatchNormalization.Builder().name("bn").build())
                .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(3, 3).stride(1, 1)
                        .avgPoolIncludePadInDivisor(true).name("avg-legacy").build())
                .layer(new SubsamplingLayer.Builder(PoolingType.PNORM).pnorm(2).kernelSize(2, 2).stride(1, 1)
                        .name("pnorm").build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).name("max").build())
                .layer(new Deconvolution2D.Builder(2, 2).stride(2, 2).nOut(3).name("deconv").build())
                .layer(new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .name("out").build())
                .setInputType(InputType.convolutional(TestNets.H, TestNets.W, 1)).build();
    }

    private static MultiLayerNetwork mixedNet() {
        return TestNets.init(mixed(DataType.FLOAT));
    }

    @Test
    void enablesTheSupportedLayersAndSaysWhyItSkipsTheOthers() {
        assumeTrue(OneDnnHelpers.unavailableReason().isEmpty());
        MultiLayerNetwork net = mixedNet();
        HelperReport report = OneDnnHelpers.enable(net);

        assertTrue(report.isAvailable());
        assertEquals(Optional.empty(), report.unavailableReason());
        assertEquals(Map.of("conv", "convolution", "bn", "batch normalization", "max", "subsampling"),
                report.enabledLayers());
        assertEquals(List.of("lrn", "bn-locked", "avg-legacy", "pnorm"), List.copyOf(report.skippedLayers().keySet()));
        assertTrue(report.skippedLayers().get("lrn").contains("7272"), report.skippedLayers().get("lrn"));
        assertTrue(report.skippedLayers().get("bn-locked").contains("lockGammaBeta"));
        assertTrue(report.skippedLayers().get("avg-legacy").contains("avgPoolIncludePadInDivisor"));
        assertTrue(report.skippedLayers().get("pnorm").contains("PNORM"));
        assertTrue(report.toString().startsWith("oneDNN helpers enabled on 3 layers of the MultiLayerNetwork"),
                report.toString());

        Map<String, Object> helpers = helpersByName(net.getLayers());
        assertInstanceOf(ContiguousNhwcConvHelper.class, helpers.get("conv"));
        assertInstanceOf(MKLDNNBatchNormHelper.class, helpers.get("bn"));
        assertInstanceOf(MKLDNNSubsamplingHelper.class, helpers.get("max"));
        for (String untouched : List.of("lrn", "bn-locked", "avg-legacy", "pnorm", "deconv", "out")) {
            assertNull(helpers.get(untouched), untouched);
        }

        DataSet batch = new DataSet(TestNets.images(2, CNN2DFormat.NCHW, 5), TestNets.labels(2, CNN2DFormat.NCHW, 6));
        net.fit(batch);
        assertTrue(Double.isFinite(net.score()), "score " + net.score());
    }

    @Test
    void aSecondCallKeepsTheHelpers() {
        assumeTrue(OneDnnHelpers.unavailableReason().isEmpty());
        MultiLayerNetwork net = mixedNet();
        HelperReport first = OneDnnHelpers.enable(net);
        Map<String, Object> helpers = helpersByName(net.getLayers());
        HelperReport second = OneDnnHelpers.enable(net);
        assertEquals(first.enabledLayers(), second.enabledLayers());
        Map<String, Object> again = helpersByName(net.getLayers());
        for (String name : first.enabledLayers().keySet()) {
            assertSame(helpers.get(name), again.get(name), name);
        }
    }

    @Test
    void restoredAndClonedModelsNeedTheCallAgainAndThenComputeTheSame(@TempDir File dir) throws Exception {
        assumeTrue(OneDnnHelpers.unavailableReason().isEmpty());
        ComputationGraph net = TestNets.init(TestNets.unet("dice", CNN2DFormat.NCHW));
        OneDnnHelpers.enable(net);
        INDArray x = TestNets.images(2, CNN2DFormat.NCHW, 7);
        net.fit(new MultiDataSet(x, TestNets.labels(2, CNN2DFormat.NCHW, 8)));
        INDArray expected = net.outputSingle(false, x);

        File file = new File(dir, "unet.zip");
        ModelSerializer.writeModel(net, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        assertTrue(helpersByName(restored.getLayers()).values().stream().allMatch(h -> h == null),
                "a restored model has no helpers until enabled");
        assertEquals(8, OneDnnHelpers.enable(restored).enabledLayers().size());
        HelperEquivalenceTest.assertClose("restored model with helpers", expected, restored.outputSingle(false, x));

        ComputationGraph copy = net.clone();
        assertTrue(helpersByName(copy.getLayers()).values().stream().allMatch(h -> h == null),
                "clone() builds new layers without helpers");
        assertEquals(8, OneDnnHelpers.enable(copy).enabledLayers().size());
        HelperEquivalenceTest.assertClose("clone with helpers", expected, copy.outputSingle(false, x));
    }

    @Test
    void layersInsideFrozenWrappersGetHelpers() {
        assumeTrue(OneDnnHelpers.unavailableReason().isEmpty());
        MultiLayerNetwork base = TestNets.init(TestNets.stack("dice", CNN2DFormat.NCHW, WorkspaceMode.ENABLED));
        MultiLayerNetwork tuned = new TransferLearning.Builder(base).setFeatureExtractor(3).build();
        assertInstanceOf(FrozenLayer.class, tuned.getLayer(0));
        HelperReport report = OneDnnHelpers.enable(tuned);
        assertEquals(7, report.enabledLayers().size(), report.toString());
        assertInstanceOf(ContiguousNhwcConvHelper.class, ((FrozenLayer) tuned.getLayer(0)).getInsideLayer().getHelper());
    }

    @Test
    void anUninitialisedNetworkIsAClearError() {
        MultiLayerNetwork net = new MultiLayerNetwork(mixed(DataType.FLOAT));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> OneDnnHelpers.enable(net));
        assertTrue(e.getMessage().contains("call init() before OneDnnHelpers.enable"), e.getMessage());
    }

    @Test
    void aDoublePrecisionNetworkIsLeftAlone() {
        MultiLayerNetwork net = TestNets.init(mixed(DataType.DOUBLE));
        HelperReport report = new HelperInstaller(LayerKind.all(), () -> ONEDNN_CPU)
                .install(net.getLayers(), net.getLayerWiseConfigurations().getDataType(), "MultiLayerNetwork");
        assertFalse(report.isAvailable());
        assertTrue(report.unavailableReason().orElseThrow().contains("float32 and the network's data type is DOUBLE"),
                report.toString());
        assertFalse(OneDnnHelpers.enable(net).isAvailable(), "the public call agrees");
        assertTrue(report.enabledLayers().isEmpty());
        assertNoHelpers(net.getLayers());
    }

    @Test
    void withoutOneDnnNothingChanges() {
        Map<String, Availability> environments = new LinkedHashMap<>();
        environments.put("CUDA backend", new Availability(false, "JCublasBackend", "HAVE_CUDNN", true, null, null));
        environments.put("plain binary", new Availability(true, "CpuBackend", "HAVE_FLATBUFFERS | HAVE_OPENBLAS", true,
                null, null));
        environments.put("helpers disallowed", new Availability(true, "CpuBackend", "HAVE_ONEDNN", false, null, null));
        environments.put("ND4J_MKL_FALLBACK", new Availability(true, "CpuBackend", "HAVE_ONEDNN", true, "true", null));
        environments.put("DL4J helpers disabled", new Availability(true, "CpuBackend", "HAVE_ONEDNN", true, null, " TRUE "));
        for (Map.Entry<String, Availability> env : environments.entrySet()) {
            MultiLayerNetwork net = mixedNet();
            HelperReport report = new HelperInstaller(LayerKind.all(), env::getValue)
                    .install(net.getLayers(), DataType.FLOAT, "MultiLayerNetwork");
            assertFalse(report.isAvailable(), env.getKey());
            assertTrue(report.toString().endsWith("; nothing changed"), report.toString());
            assertNoHelpers(net.getLayers());
        }
    }

    @Test
    void theReasonsNameTheCauseAndTheFix() {
        assertEquals(Optional.empty(), ONEDNN_CPU.reason());
        assertEquals(Optional.empty(), new Availability(true, "CpuBackend", "HAVE_ONEDNN", true, "conv2d", "false").reason(),
                "ND4J_MKL_FALLBACK with op names and an explicit false leave oneDNN on");
        assertTrue(new Availability(false, "JCublasBackend", "", true, null, null).reason().orElseThrow()
                .contains("JCublasBackend, not nd4j-native"));
        assertTrue(new Availability(true, "CpuBackend", "HAVE_OPENBLAS", true, null, null).reason().orElseThrow()
                .contains("linux-x86_64-onednn"));
        assertTrue(new Availability(true, "CpuBackend", "HAVE_ONEDNN", false, null, null).reason().orElseThrow()
                .contains("allowHelpers(false)"));
        assertTrue(new Availability(true, "CpuBackend", "HAVE_ONEDNN", true, "TRUE", null).reason().orElseThrow()
                .contains("ND4J_MKL_FALLBACK=true"));
        assertTrue(new Availability(true, "CpuBackend", "HAVE_ONEDNN", true, null, "true").reason().orElseThrow()
                .contains("org.eclipse.deeplearning4j.helpers.disable=true"));
    }

    @Test
    void unexpectedDl4jInternalsChangeNothing() {
        LayerKind noSuchField = new LayerKind("subsampling", LayerKind.SUBSAMPLING.layerClass(), "oneDnnHelper",
                LayerKind.SUBSAMPLING.helperType(), LayerKind.SUBSAMPLING.helperFactory(), LayerKind.SUBSAMPLING.unsupported());
        LayerKind wrongType = new LayerKind("convolution", LayerKind.CONVOLUTION.layerClass(), "helperCountFail",
                LayerKind.CONVOLUTION.helperType(), LayerKind.CONVOLUTION.helperFactory(), LayerKind.CONVOLUTION.unsupported());
        for (LayerKind broken : List.of(noSuchField, wrongType)) {
            MultiLayerNetwork net = mixedNet();
            // the valid kinds come first: nothing may be set before the broken one is found
            HelperReport report = new HelperInstaller(List.of(LayerKind.CONVOLUTION, LayerKind.BATCH_NORMALIZATION, broken),
                    () -> ONEDNN_CPU).install(net.getLayers(), DataType.FLOAT, "MultiLayerNetwork");
            assertFalse(report.isAvailable());
            assertTrue(report.unavailableReason().orElseThrow().contains("not those of 1.0.0-M2.1"), report.toString());
            assertTrue(report.unavailableReason().orElseThrow().contains(broken.fieldName()), report.toString());
            assertNoHelpers(net.getLayers());
        }
    }

    private static Map<String, Object> helpersByName(Layer[] layers) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Layer l : layers) {
            Layer inner = l instanceof FrozenLayer f ? f.getInsideLayer() : l;
            m.put(inner.conf().getLayer().getLayerName(), inner.getHelper());
        }
        return m;
    }

    private static void assertNoHelpers(Layer[] layers) {
        helpersByName(layers).forEach((name, h) -> assertNull(h, name + " has a helper"));
    }
}
