package io.github.lossvariants.tversky;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import io.github.lossvariants.api.region.PerImageLossLayer;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * generalized-dice, jaccard, lovasz and mcc behind {@link PerImageLossLayer} in a small CNN: DL4J's
 * GradientCheckUtil (minibatch 3, without a mask and with a per-pixel mask), per-image
 * {@code scoreExamples} for two input sizes on one network, and a few Adam steps on synthetic
 * squares that must lower the loss and raise the foreground overlap.
 */
class RegionLossNetworkTest {
    private static final LossRegistry REGISTRY = LossRegistry.discover();

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static MultiLayerNetwork net(ILossFunction loss, Activation act, int channels, IUpdater updater,
                                         int size) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.DOUBLE)
                .updater(updater).weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.TANH).build())
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(channels).activation(Activation.IDENTITY).build())
                .layer(new PerImageLossLayer.Builder(loss).activation(act).build())
                .setInputType(InputType.convolutional(size, size, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Bright squares on a noisy background; one-hot [N, 2, S, S] (softmax) or the foreground [N, 1, S, S]. */
    private static DataSet squares(Random r, int n, int size, int channels) {
        INDArray x = Nd4j.zeros(DataType.DOUBLE, n, 1, size, size);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, channels, size, size);
        for (int i = 0; i < n; i++) {
            int side = 2 + r.nextInt(size / 2);
            int top = r.nextInt(size - side + 1);
            int left = r.nextInt(size - side + 1);
            for (int h = 0; h < size; h++) {
                for (int w = 0; w < size; w++) {
                    boolean fg = h >= top && h < top + side && w >= left && w < left + side;
                    x.putScalar(new int[]{i, 0, h, w}, (fg ? 0.8 : 0.2) + 0.2 * r.nextGaussian());
                    if (channels == 1) {
                        y.putScalar(new int[]{i, 0, h, w}, fg ? 1 : 0);
                    } else {
                        y.putScalar(new int[]{i, fg ? 1 : 0, h, w}, 1);
                    }
                }
            }
        }
        return new DataSet(x, y);
    }

    private static INDArray perPixelMask(Random r, int n, int size) {
        INDArray m = Nd4j.ones(DataType.DOUBLE, n, 1, size, size);
        for (int i = 0; i < n; i++) {
            m.putScalar(new int[]{i, 0, r.nextInt(size), r.nextInt(size)}, 0.0);
            m.putScalar(new int[]{i, 0, r.nextInt(size), r.nextInt(size)}, 0.0);
        }
        return m;
    }

    /** Foreground Dice of the thresholded (sigmoid, 1 channel) or argmax (softmax) prediction. */
    private static double foregroundDice(MultiLayerNetwork net, DataSet ds, int channels, Activation act) {
        INDArray out = net.output(ds.getFeatures());
        INDArray pred;
        INDArray truth;
        if (channels == 1) {
            double threshold = act == Activation.IDENTITY ? 0.0 : 0.5;
            pred = out.gt(threshold).castTo(DataType.DOUBLE);
            truth = ds.getLabels();
        } else {
            pred = out.argMax(1).castTo(DataType.DOUBLE);
            truth = ds.getLabels().get(NDArrayIndex.all(), NDArrayIndex.point(1));
        }
        double tp = pred.mul(truth).sumNumber().doubleValue();
        return 2 * tp / (pred.sumNumber().doubleValue() + truth.sumNumber().doubleValue());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "generalized-dice | SOFTMAX | 2",
            "generalized-dice(weightType=simple, includeBackground=false) | SIGMOID | 2",
            "jaccard | SIGMOID | 1",
            "jaccard(batch=true) | SOFTMAX | 2",
            "lovasz | SOFTMAX | 2",
            "lovasz(mode=binary) | SIGMOID | 1",
            "lovasz(mode=binary, perImage=false) | IDENTITY | 1",
            "mcc | SIGMOID | 1",
            "mcc(batch=true) | SOFTMAX | 2"})
    void gradientChecksScoresAndTraining(String spec, Activation act, int channels) {
        ILossFunction loss = REGISTRY.create(spec);
        Random r = new Random(spec.hashCode());
        int size = 4;
        int n = 3;
        DataSet ds = squares(r, n, size, channels);
        for (INDArray mask : new INDArray[]{null, perPixelMask(r, n, size)}) {
            MultiLayerNetwork net = net(loss, act, channels, new NoOp(), size);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net)
                    .input(ds.getFeatures()).labels(ds.getLabels()).labelMask(mask)
                    .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8));
            assertTrue(ok, spec + " " + act + " mask=" + (mask != null));
        }
        // scoreExamples: per image (per-image losses), or the minibatch's loss spread over the images;
        // one network, two input sizes
        MultiLayerNetwork net = net(loss, act, channels, new NoOp(), size);
        boolean perMinibatch = spec.contains("batch=true") || spec.contains("perImage=false");
        for (int s : new int[]{4, 6}) {
            DataSet d = squares(r, n, s, channels);
            INDArray scores = net.scoreExamples(d, false);
            INDArray zRows = preOutputRows(net, d.getFeatures(), channels, s);
            INDArray yRows = d.getLabels().permute(0, 2, 3, 1).dup('c').reshape(n * s * s, channels);
            RowGroupedLoss grouped = ((RowGroupedLoss) loss).withRowsPerExample(s * s);
            double total = grouped.computeScore(yRows, zRows, act.getActivationFunction(), null, false);
            assertEquals(total, scores.sumNumber().doubleValue(), 1e-10, spec + " size " + s);
            assertEquals(total / n, net.score(d), 1e-10, spec + " size " + s);
            if (!perMinibatch) {
                for (int i = 0; i < n; i++) {
                    INDArray rows = zRows.get(NDArrayIndex.interval(i * s * s, (i + 1) * s * s), NDArrayIndex.all());
                    INDArray labels = yRows.get(NDArrayIndex.interval(i * s * s, (i + 1) * s * s), NDArrayIndex.all());
                    assertEquals(grouped.computeScore(labels, rows, act.getActivationFunction(), null, false),
                            scores.getDouble(i), 1e-10, spec + " image " + i + " size " + s);
                }
            }
        }
        // a few Adam steps on 8x8 squares lower the loss and raise the foreground overlap
        int train = 8;
        DataSet squares = squares(new Random(7), 16, train, channels);
        MultiLayerNetwork learner = net(loss, act, channels, new Adam(0.05), train);
        double before = learner.score(squares);
        double diceBefore = foregroundDice(learner, squares, channels, act);
        for (int i = 0; i < 30; i++) {
            learner.fit(squares);
        }
        double after = learner.score(squares);
        double diceAfter = foregroundDice(learner, squares, channels, act);
        assertTrue(after < 0.8 * before && diceAfter > Math.max(0.6, diceBefore),
                spec + ": loss " + before + " -> " + after + ", foreground Dice " + diceBefore + " -> " + diceAfter);
    }

    /** The network's pre-activations of its loss layer as CnnLossLayer rows [N*H*W, C]. */
    private static INDArray preOutputRows(MultiLayerNetwork net, INDArray x, int channels, int size) {
        INDArray z = net.feedForwardToLayer(1, x).get(2);
        return z.permute(0, 2, 3, 1).dup('c').reshape(z.size(0) * size * size, channels);
    }
}
