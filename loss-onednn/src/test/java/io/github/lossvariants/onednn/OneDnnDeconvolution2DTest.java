package io.github.lossvariants.onednn;

import io.github.lossvariants.api.region.PerImageLossLayer;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OneDnnDeconvolution2D} computes what DL4J's {@link Deconvolution2D} computes, with the same
 * parameters: outputs, score, gradients and an Adam step in float (tolerance as in
 * {@link HelperEquivalenceTest}), DL4J's gradient check in double, other configurations through DL4J's
 * own code, and JSON and {@code ModelSerializer} round trips.
 */
class OneDnnDeconvolution2DTest {
    private static final int H = 4;
    private static final int W = 6;
    private static final int CLASSES = 3;

    static Stream<Arguments> blocks() {
        return Stream.of(CNN2DFormat.NCHW, CNN2DFormat.NHWC).flatMap(f -> Stream.of(
                Arguments.of(f, 2, true), Arguments.of(f, 3, true), Arguments.of(f, 2, false)));
    }

    /** conv 3x3 -> transposed convolution (kernel and stride s, or the given one) -> conv 1x1 -> per-image loss */
    private static MultiLayerConfiguration net(boolean ours, CNN2DFormat format, int[] kernel, int[] stride, int[] padding,
                                               boolean bias, DataType type) {
        return net(ours, format, kernel, stride, padding, bias, type, CacheMode.NONE);
    }

    private static MultiLayerConfiguration net(boolean ours, CNN2DFormat format, int[] kernel, int[] stride, int[] padding,
                                               boolean bias, DataType type, CacheMode cacheMode) {
        Deconvolution2D.Builder up = ours ? new OneDnnDeconvolution2D.Builder() : new Deconvolution2D.Builder();
        up.kernelSize(kernel).stride(stride).padding(padding).dataFormat(format);
        up.nOut(5).hasBias(bias).activation(Activation.TANH).name("up");
        return new NeuralNetConfiguration.Builder().seed(3).dataType(type)
                .updater(type == DataType.DOUBLE ? new NoOp() : new Adam(1e-2))
                .weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Truncate).cacheMode(cacheMode).list()
                .layer(new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(4).activation(Activation.TANH).dataFormat(format).build())
                .layer(up.build())
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(CLASSES).activation(Activation.IDENTITY).dataFormat(format).build())
                .layer(new PerImageLossLayer.Builder(TestNets.loss("0.05*ce + dice")).activation(Activation.SOFTMAX)
                        .format(format).build())
                .setInputType(InputType.convolutional(H, W, 2, format)).build();
    }

    private static MultiLayerConfiguration block(boolean ours, CNN2DFormat format, int s, boolean bias, DataType type) {
        return net(ours, format, new int[]{s, s}, new int[]{s, s}, new int[]{0, 0}, bias, type);
    }

    private static INDArray input(int n, CNN2DFormat format, DataType type, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(type, n, 2, H, W);
        return format == CNN2DFormat.NCHW ? x : x.permute(0, 2, 3, 1).dup('c');
    }

    private static INDArray labels(int n, int h, int w, CNN2DFormat format, DataType type, long seed) {
        Random r = new Random(seed);
        INDArray y = Nd4j.zeros(type, n, CLASSES, h, w);
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < h; a++) {
                for (int b = 0; b < w; b++) {
                    y.putScalar(new long[]{i, r.nextInt(CLASSES), a, b}, 1);
                }
            }
        }
        return format == CNN2DFormat.NCHW ? y : y.permute(0, 2, 3, 1).dup('c');
    }

    @ParameterizedTest(name = "{0} block {1} bias {2}")
    @MethodSource("blocks")
    void computesWhatDeconvolution2DComputes(CNN2DFormat format, int s, boolean bias) {
        MultiLayerNetwork dl4j = TestNets.init(block(false, format, s, bias, DataType.FLOAT));
        MultiLayerNetwork ours = TestNets.init(block(true, format, s, bias, DataType.FLOAT));
        ours.setParams(dl4j.params().dup());
        assertInstanceOf(OneDnnDeconvolution2D.Impl.class, ours.getLayer(1));
        assertEquals(s, ((OneDnnDeconvolution2D.Impl) ours.getLayer(1)).blockSize());
        compare(dl4j, ours, input(3, format, DataType.FLOAT, 1), labels(3, s * H, s * W, format, DataType.FLOAT, 2),
                format + " block " + s + " bias " + bias);
    }

    @Test
    void withTheOneDnnHelpersOnTheOtherLayersToo() {
        MultiLayerNetwork dl4j = TestNets.init(block(false, CNN2DFormat.NCHW, 2, true, DataType.FLOAT));
        MultiLayerNetwork ours = TestNets.init(block(true, CNN2DFormat.NCHW, 2, true, DataType.FLOAT));
        ours.setParams(dl4j.params().dup());
        OneDnnHelpers.enable(ours);
        compare(dl4j, ours, input(3, CNN2DFormat.NCHW, DataType.FLOAT, 3), labels(3, 2 * H, 2 * W, CNN2DFormat.NCHW,
                DataType.FLOAT, 4), "with helpers");
    }

    /** With CacheMode.DEVICE the layer keeps its pre-activation for the backward pass (DL4J's layer computes it again). */
    @ParameterizedTest(name = "cached forward results {0}")
    @MethodSource("formats")
    void keepsItsForwardResultWithACacheMode(CNN2DFormat format) {
        int[] two = {2, 2};
        MultiLayerNetwork dl4j = TestNets.init(net(false, format, two, two, new int[]{0, 0}, true, DataType.FLOAT));
        MultiLayerNetwork ours = TestNets.init(net(true, format, two, two, new int[]{0, 0}, true, DataType.FLOAT,
                CacheMode.DEVICE));
        ours.setParams(dl4j.params().dup());
        for (int step = 0; step < 2; step++) {
            compare(dl4j, ours, input(3, format, DataType.FLOAT, 20 + step),
                    labels(3, 2 * H, 2 * W, format, DataType.FLOAT, 30 + step), format + " cached, step " + step);
        }
    }

    @Test
    void otherConfigurationsRunDl4jsOwnCodeAndGiveIdenticalResults() {
        // 3x3 kernel, stride 2, padding 1: overlapping blocks, not a depth-to-space
        MultiLayerNetwork dl4j = TestNets.init(net(false, CNN2DFormat.NCHW, new int[]{3, 3}, new int[]{2, 2},
                new int[]{1, 1}, true, DataType.FLOAT));
        MultiLayerNetwork ours = TestNets.init(net(true, CNN2DFormat.NCHW, new int[]{3, 3}, new int[]{2, 2},
                new int[]{1, 1}, true, DataType.FLOAT));
        ours.setParams(dl4j.params().dup());
        assertEquals(0, ((OneDnnDeconvolution2D.Impl) ours.getLayer(1)).blockSize());
        INDArray x = input(2, CNN2DFormat.NCHW, DataType.FLOAT, 5);
        INDArray out = dl4j.output(x);
        assertEquals(out, ours.output(x), "the same code must give the same numbers");
    }

    @ParameterizedTest(name = "gradient check {0}")
    @MethodSource("formats")
    void passesDl4jsGradientCheckInDouble(CNN2DFormat format) {
        DataType defaultType = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            gradientCheck(format);
        } finally {
            Nd4j.setDefaultDataTypes(defaultType, defaultType);
        }
    }

    private static void gradientCheck(CNN2DFormat format) {
        for (int s : new int[]{2, 3}) {
            MultiLayerNetwork net = TestNets.init(block(true, format, s, true, DataType.DOUBLE));
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net)
                    .input(input(2, format, DataType.DOUBLE, 7)).labels(labels(2, s * H, s * W, format, DataType.DOUBLE, 8))
                    // the transposed convolution's parameters only, 40 of each
                    .excludeParams(Set.of("0_W", "0_b", "2_W", "2_b")).subset(true).maxPerParam(40)
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8));
            assertTrue(ok, format + " block " + s);
        }
    }

    static Stream<CNN2DFormat> formats() {
        return Stream.of(CNN2DFormat.NCHW, CNN2DFormat.NHWC);
    }

    @Test
    void survivesJsonAndModelSerializer(@TempDir File dir) throws Exception {
        MultiLayerConfiguration conf = block(true, CNN2DFormat.NCHW, 2, true, DataType.FLOAT);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertInstanceOf(OneDnnDeconvolution2D.class, back.getConf(1).getLayer());
        assertNotEquals(block(false, CNN2DFormat.NCHW, 2, true, DataType.FLOAT).getConf(1).getLayer(),
                conf.getConf(1).getLayer(), "never equal to DL4J's Deconvolution2D");

        MultiLayerNetwork net = TestNets.init(conf);
        INDArray x = input(2, CNN2DFormat.NCHW, DataType.FLOAT, 9);
        net.fit(new DataSet(x, labels(2, 2 * H, 2 * W, CNN2DFormat.NCHW, DataType.FLOAT, 10)));
        File file = new File(dir, "net.zip");
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertInstanceOf(OneDnnDeconvolution2D.Impl.class, restored.getLayer(1));
        assertEquals(net.params(), restored.params());
        assertEquals(net.output(x), restored.output(x));
    }

    private static void compare(MultiLayerNetwork dl4j, MultiLayerNetwork ours, INDArray x, INDArray y, String what) {
        HelperEquivalenceTest.assertClose(what + ": inference output", dl4j.output(x, false), ours.output(x, false));
        List<INDArray> a = dl4j.feedForward(x, true);
        List<INDArray> b = ours.feedForward(x, true);
        for (int i = 0; i < a.size(); i++) {
            HelperEquivalenceTest.assertClose(what + ": activations " + i, a.get(i), b.get(i));
        }
        for (MultiLayerNetwork net : List.of(dl4j, ours)) {
            net.setInput(x);
            net.setLabels(y);
            net.computeGradientAndScore();
        }
        assertEquals(dl4j.score(), ours.score(), 2e-5 * Math.abs(dl4j.score()), what + ": score");
        Map<String, INDArray> ga = dl4j.gradient().gradientForVariable();
        Map<String, INDArray> gb = ours.gradient().gradientForVariable();
        assertEquals(ga.keySet(), gb.keySet());
        for (String k : ga.keySet()) {
            HelperEquivalenceTest.assertClose(what + ": gradient of " + k, ga.get(k), gb.get(k));
        }
        DataSet batch = new DataSet(x, y);
        dl4j.fit(batch);
        ours.fit(batch);
        HelperEquivalenceTest.assertClose(what + ": parameters after one Adam step", dl4j.params(), ours.params());
    }
}
