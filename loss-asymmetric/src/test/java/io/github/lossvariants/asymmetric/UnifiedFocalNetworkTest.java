package io.github.lossvariants.asymmetric;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.region.PerImageLossLayer;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** unified-focal per image behind DL4J's CnnLossLayer and PerImageLossLayer (3x4 images, NCHW). */
class UnifiedFocalNetworkTest {
    private static final int H = 3;
    private static final int W = 4;
    private static final int C_IN = 2;
    private static DataType savedDefault;
    private static DataType savedFloat;

    @BeforeAll
    static void doublePrecision() {
        savedDefault = Nd4j.dataType();
        savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(savedDefault, savedFloat);
    }

    private static MultiLayerNetwork net(Layer lossLayer, int nOut) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(5).dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(new NormalDistribution(0, 1))
                .list()
                .layer(new ConvolutionLayer.Builder(1, 1).nIn(C_IN).nOut(nOut).activation(Activation.TANH).build())
                .layer(lossLayer)
                .setInputType(InputType.convolutional(H, W, C_IN))
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    /** Random NCHW input and one-hot (softmax) or single-channel (sigmoid) labels, foreground ~30%. */
    private static INDArray[] data(int n, int nOut, long seed) {
        Random r = new Random(seed);
        double[][][][] x = new double[n][C_IN][H][W];
        double[][][][] y = new double[n][nOut][H][W];
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < H; h++) {
                for (int w = 0; w < W; w++) {
                    for (int c = 0; c < C_IN; c++) {
                        x[i][c][h][w] = r.nextGaussian();
                    }
                    boolean fg = r.nextDouble() < 0.3;
                    if (nOut == 2) {
                        y[i][fg ? 1 : 0][h][w] = 1;
                    } else {
                        y[i][0][h][w] = fg ? 1 : 0;
                    }
                }
            }
        }
        return new INDArray[]{Nd4j.createFromArray(x), Nd4j.createFromArray(y)};
    }

    @Test
    void gradientCheckBehindCnnLossLayerWithAndWithoutMasks() {
        UnifiedFocalLoss loss = new UnifiedFocalLoss().withRowsPerExample(H * W);
        for (int nOut : new int[]{2, 1}) {
            Activation act = nOut == 2 ? Activation.SOFTMAX : Activation.SIGMOID;
            for (int minibatch : new int[]{1, 3}) {
                INDArray[] d = data(minibatch, nOut, 100 + minibatch);
                INDArray pixelMask = Nd4j.ones(DataType.DOUBLE, minibatch, 1, H, W);
                pixelMask.putScalar(new long[]{0, 0, 1, 2}, 0.0);
                pixelMask.putScalar(new long[]{minibatch - 1, 0, 2, 0}, 0.0);
                // labels-shaped mask that masks whole pixels (every channel of them)
                INDArray outputMask = Nd4j.ones(DataType.DOUBLE, minibatch, nOut, H, W);
                for (int c = 0; c < nOut; c++) {
                    outputMask.putScalar(new long[]{0, c, 0, 1}, 0.0);
                    outputMask.putScalar(new long[]{minibatch - 1, c, 2, 3}, 0.0);
                }
                INDArray[] masks = {null, pixelMask, outputMask};
                for (INDArray mask : masks) {
                    MultiLayerNetwork n = net(new CnnLossLayer.Builder(loss).activation(act).build(), nOut);
                    boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(n).input(d[0])
                            .labels(d[1]).labelMask(mask).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                            .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
                    assertTrue(ok, "nOut " + nOut + " minibatch " + minibatch + " mask "
                            + (mask == null ? "none" : java.util.Arrays.toString(mask.shape())));
                }
            }
        }
    }

    /**
     * A labels-shaped mask that masks only one channel of a pixel under SOFTMAX is rejected with a
     * clear error, behind CnnLossLayer and PerImageLossLayer. (Softmax couples the channels of a
     * pixel: CnnLossLayer passes the unmasked activations, so it would need the exact derivative at
     * the masked channel, not 0, while OutputLayer zeroes masked pre-activations and needs 0; when the
     * loss returned 0 here GradientCheckUtil failed with relative error 4e-2 on the conv bias.)
     */
    @Test
    void oneChannelOfAPixelMaskedUnderSoftmaxIsRejectedClearly() {
        INDArray[] d = data(1, 2, 101);
        INDArray outputMask = Nd4j.ones(DataType.DOUBLE, 1, 2, H, W);
        outputMask.putScalar(new long[]{0, 1, 0, 1}, 0.0);
        Layer[] layers = {new CnnLossLayer.Builder(new UnifiedFocalLoss().withRowsPerExample(H * W))
                .activation(Activation.SOFTMAX).build(),
                new PerImageLossLayer.Builder(new UnifiedFocalLoss()).activation(Activation.SOFTMAX).build()};
        for (Layer layer : layers) {
            MultiLayerNetwork n = net(layer, 2);
            DataSet ds = new DataSet(d[0], d[1], null, outputMask);
            LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> n.fit(ds),
                    layer.getClass().getSimpleName());
            // pixel (h 0, w 1) is row 1 of the [N*H*W, C] rows the layer passes
            assertTrue(e.getMessage().startsWith("unified-focal: a per-output (labels-shaped) mask must be constant"
                    + " within each row for a softmax output, but row 1 has mask values [1.0, 0.0]"), e.getMessage());
            assertTrue(e.getMessage().contains("[N, 1, H, W]"), e.getMessage());
        }
    }

    /**
     * A labels-shaped {@code [N, C, H, W]} mask that masks whole pixels (both channels) under
     * SOFTMAX, the usual segmentation mask: it is the per-pixel mask it equals, exact behind
     * CnnLossLayer and PerImageLossLayer alike (GradientCheckUtil), and scores like that mask.
     */
    @Test
    void gradientCheckWithWholePixelsMaskedUnderSoftmaxBehindBothLayers() {
        int minibatch = 2;
        INDArray[] d = data(minibatch, 2, 103);
        INDArray pixelMask = Nd4j.ones(DataType.DOUBLE, minibatch, 1, H, W);
        pixelMask.putScalar(new long[]{0, 0, 0, 1}, 0.0);
        pixelMask.putScalar(new long[]{1, 0, 2, 3}, 0.0);
        pixelMask.putScalar(new long[]{1, 0, 1, 1}, 0.0);
        INDArray outputMask = Nd4j.ones(DataType.DOUBLE, minibatch, 2, H, W).muli(pixelMask.broadcast(minibatch, 2, H, W));
        Layer[] layers = {new CnnLossLayer.Builder(new UnifiedFocalLoss().withRowsPerExample(H * W))
                .activation(Activation.SOFTMAX).build(),
                new PerImageLossLayer.Builder(new UnifiedFocalLoss()).activation(Activation.SOFTMAX).build()};
        for (Layer layer : layers) {
            String what = layer.getClass().getSimpleName();
            MultiLayerNetwork n = net(layer, 2);
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(n).input(d[0])
                    .labels(d[1]).labelMask(outputMask).epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)), what);
            assertEquals(n.score(new DataSet(d[0], d[1], null, pixelMask)),
                    n.score(new DataSet(d[0], d[1], null, outputMask)), 1e-12, what);
        }
    }

    @Test
    void scoreExamplesArePerImageLossesMatchingTheOracle() {
        int n = 3;
        INDArray[] d = data(n, 2, 7);
        // PerImageLossLayer sets rowsPerExample = H*W itself; the plain CnnLossLayer needs it configured
        Layer[] layers = {new CnnLossLayer.Builder(new UnifiedFocalLoss().withRowsPerExample(H * W))
                .activation(Activation.SOFTMAX).build(),
                new PerImageLossLayer.Builder(new UnifiedFocalLoss()).activation(Activation.SOFTMAX).build()};
        for (Layer layer : layers) {
            MultiLayerNetwork net = net(layer, 2);
            INDArray probs = net.output(d[0]);
            INDArray perImage = net.scoreExamples(new DataSet(d[0], d[1]), false);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double[][] p = new double[H * W][2];
                double[][] g = new double[H * W][2];
                for (int h = 0; h < H; h++) {
                    for (int w = 0; w < W; w++) {
                        for (int c = 0; c < 2; c++) {
                            p[h * W + w][c] = probs.getDouble(i, c, h, w);
                            g[h * W + w][c] = d[1].getDouble(i, c, h, w);
                        }
                    }
                }
                double expected = UnifiedFocalLossTest.oracle(p, g, UnifiedFocalLossTest.ones(H * W), 0.5, 0.6, 0.5);
                assertEquals(expected, perImage.getDouble(i), 1e-10, layer.getClass().getSimpleName() + " image " + i);
                sum += expected;
            }
            // DL4J's minibatch score is the mean over images
            assertEquals(sum / n, net.score(new DataSet(d[0], d[1])), 1e-10, layer.getClass().getSimpleName());
        }
    }
}
