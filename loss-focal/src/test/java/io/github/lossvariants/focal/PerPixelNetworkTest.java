package io.github.lossvariants.focal;

import io.github.lossvariants.api.LossFunction;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Cnn3DLossLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The losses per time step (RnnOutputLayer, 3-D), per pixel (CnnLossLayer, 4-D) and per voxel
 * (Cnn3DLossLayer, 5-D): a few training steps lower a finite score, and DL4J's GradientCheckUtil
 * passes in double precision with minibatch 1 (no mask) and 3 (with a label mask, except 5-D).
 */
class PerPixelNetworkTest {
    private static final int CLASSES = 3;
    private static DataType previousDefault;
    private static DataType previousFloatDefault;

    @BeforeAll
    static void doublePrecision() {
        previousDefault = Nd4j.dataType();
        previousFloatDefault = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previousDefault, previousFloatDefault);
    }

    private enum Kind { RNN, CNN, CNN3D }

    private static MultiLayerNetwork net(Kind kind, LossFunction loss, Activation out, IUpdater updater) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(12345).dataType(DataType.DOUBLE)
                .updater(updater).list();
        switch (kind) {
            case RNN:
                b.layer(new SimpleRnn.Builder().nIn(2).nOut(3).activation(Activation.TANH).build())
                        .layer(new RnnOutputLayer.Builder(loss).nIn(3).nOut(CLASSES).activation(out).build());
                break;
            case CNN:
                b.layer(new ConvolutionLayer.Builder(3, 3).convolutionMode(ConvolutionMode.Same).nIn(1).nOut(CLASSES)
                                .activation(Activation.IDENTITY).build())
                        .layer(new CnnLossLayer.Builder(loss).activation(out).build())
                        .setInputType(InputType.convolutional(4, 4, 1));
                break;
            default:
                b.layer(new Convolution3D.Builder(2, 2, 2).convolutionMode(ConvolutionMode.Same).nIn(1).nOut(CLASSES)
                                .activation(Activation.IDENTITY).dataFormat(Convolution3D.DataFormat.NCDHW).build())
                        .layer(new Cnn3DLossLayer.Builder(Convolution3D.DataFormat.NCDHW).lossFunction(loss)
                                .activation(out).build())
                        .setInputType(InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, 3, 3, 3, 1));
        }
        MultiLayerConfiguration conf = b.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Input [N, features, spatial...] and labels [N, CLASSES, spatial...]: one-hot for softmax, multi-hot for sigmoid. */
    private static INDArray[] data(Kind kind, int n, boolean softmax, long seed) {
        Random r = new Random(seed);
        long[] spatial = kind == Kind.RNN ? new long[]{4} : kind == Kind.CNN ? new long[]{4, 4} : new long[]{3, 3, 3};
        long s = 1;
        for (long d : spatial) {
            s *= d;
        }
        int features = kind == Kind.RNN ? 2 : 1;
        INDArray x = Nd4j.create(DataType.DOUBLE, concat(n, features, spatial));
        INDArray y = Nd4j.create(DataType.DOUBLE, concat(n, CLASSES, spatial));
        INDArray xf = x.reshape(n, features, s);
        INDArray yf = y.reshape(n, CLASSES, s);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < s; k++) {
                double v = r.nextGaussian();
                for (int f = 0; f < features; f++) {
                    xf.putScalar(new long[]{i, f, k}, f == 0 ? v : r.nextGaussian());
                }
                // learnable: the class depends on the sign/size of the first feature
                int c = v < -0.4 ? 0 : v < 0.4 ? 1 : 2;
                for (int j = 0; j < CLASSES; j++) {
                    double label = softmax ? (j == c ? 1 : 0) : (j == c || (j == 0 && v > 1) ? 1 : 0);
                    yf.putScalar(new long[]{i, j, k}, label);
                }
            }
        }
        return new INDArray[]{xf.reshape(concat(n, features, spatial)), yf.reshape(concat(n, CLASSES, spatial))};
    }

    private static long[] concat(long a, long b, long[] rest) {
        long[] out = new long[rest.length + 2];
        out[0] = a;
        out[1] = b;
        System.arraycopy(rest, 0, out, 2, rest.length);
        return out;
    }

    /** Label mask of the layer's shape: RNN [N, T]; CNN [N, 1, H, W]; none for 3-D. */
    private static INDArray labelMask(Kind kind, int n) {
        INDArray m = kind == Kind.RNN ? Nd4j.ones(DataType.DOUBLE, n, 4) : Nd4j.ones(DataType.DOUBLE, n, 1, 4, 4);
        m.putScalar(0, n == 1 ? 0 : 1);
        m.putScalar(m.length() - 1, 0);
        m.putScalar(m.length() / 2, 0);
        return m;
    }

    private static void trainsAndPassesGradientCheck(Kind kind, LossFunction loss, Activation out) {
        boolean softmax = out == Activation.SOFTMAX;
        // training: a few Adam steps lower the score
        MultiLayerNetwork train = net(kind, loss, out, new Adam(0.05));
        INDArray[] d = data(kind, 8, softmax, 1);
        train.setInput(d[0]);
        train.setLabels(d[1]);
        double first = train.score(new org.nd4j.linalg.dataset.DataSet(d[0], d[1]));
        for (int i = 0; i < 10; i++) {
            train.fit(d[0], d[1]);
            assertTrue(Double.isFinite(train.score()), loss.spec() + " step " + i + " score " + train.score());
        }
        double last = train.score(new org.nd4j.linalg.dataset.DataSet(d[0], d[1]));
        assertTrue(Double.isFinite(first) && last < first, kind + " " + loss.spec() + ": score " + first + " -> " + last);

        // DL4J's gradient check, double precision, minibatch 1 and 3, with and without a label mask
        // minibatch 1 without a mask, minibatch 3 with a label mask (3-D: without)
        for (int n : new int[]{1, 3}) {
            boolean masked = n == 3 && kind != Kind.CNN3D;
            MultiLayerNetwork check = net(kind, loss, out, new NoOp());
            INDArray[] g = data(kind, n, softmax, 2 + n);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(check)
                    .input(g[0]).labels(g[1]).labelMask(masked ? labelMask(kind, n) : null)
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
            assertTrue(ok, kind + " " + loss.spec() + " gradient check, minibatch " + n + (masked ? ", masked" : ""));
        }
    }

    @Test
    void rnnOutputLayerPerTimeStep() {
        trainsAndPassesGradientCheck(Kind.RNN, FocalLoss.retinaNet(), Activation.SIGMOID);
        trainsAndPassesGradientCheck(Kind.RNN, new SoftmaxFocalLoss(2, new double[]{0.5, 1, 2}), Activation.SOFTMAX);
    }

    @Test
    void cnnLossLayerPerPixel() {
        trainsAndPassesGradientCheck(Kind.CNN, new SoftmaxFocalLoss(2, null), Activation.SOFTMAX);
        trainsAndPassesGradientCheck(Kind.CNN, new FocalLoss(0.5, 0.25), Activation.SIGMOID);
    }

    @Test
    void cnn3DLossLayerPerVoxel() {
        trainsAndPassesGradientCheck(Kind.CNN3D, new FocalLoss(2, null), Activation.SIGMOID);
        trainsAndPassesGradientCheck(Kind.CNN3D, new SoftmaxFocalLoss(1, null), Activation.SOFTMAX);
    }

    @Test
    void perPixelNetworkSurvivesModelSerializer() throws IOException {
        SoftmaxFocalLoss loss = new SoftmaxFocalLoss(2, new double[]{0.5, 1, 2});
        MultiLayerNetwork net = net(Kind.CNN, loss, Activation.SOFTMAX, new Adam(0.01));
        INDArray[] d = data(Kind.CNN, 2, true, 9);
        net.fit(d[0], d[1]);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertEquals(net.getLayerWiseConfigurations(), back.getLayerWiseConfigurations());
        assertEquals(loss, ((CnnLossLayer) back.getLayerWiseConfigurations().getConf(1).getLayer()).getLossFn());
        assertEquals(net.params(), back.params());
        org.nd4j.linalg.dataset.DataSet ds = new org.nd4j.linalg.dataset.DataSet(d[0], d[1]);
        assertEquals(net.score(ds), back.score(ds), 1e-12);
    }
}
