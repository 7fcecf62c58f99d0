package io.github.lossvariants.tversky;

import io.github.lossvariants.api.CompoundLoss;
import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.region.PerImageLossLayer;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.io.File;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentationNetworkTest {
    private static final int H = 4;
    private static final int W = 4;
    private static final int C = 2;

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static Layer lossLayer(ILossFunction loss, Activation act, boolean perImageLayer) {
        if (perImageLayer) {
            return new PerImageLossLayer.Builder(loss).activation(act).build();
        }
        ILossFunction fixed = loss instanceof TverskyLoss || loss instanceof FocalTverskyLoss || loss instanceof DiceLoss
                || loss instanceof CompoundLoss
                ? ((io.github.lossvariants.api.dl4j.RowGroupedLoss) loss).withRowsPerExample(H * W) : loss;
        return new CnnLossLayer.Builder(fixed).activation(act).build();
    }

    private static MultiLayerNetwork net(ILossFunction loss, Activation act, boolean perImageLayer) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.DOUBLE)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.TANH).build())
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(C).activation(Activation.IDENTITY).build())
                .layer(lossLayer(loss, act, perImageLayer))
                .setInputType(InputType.convolutional(H, W, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static INDArray labels(Random r, int n, Activation act) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, C, H, W);
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < H; h++) {
                for (int w = 0; w < W; w++) {
                    if (act == Activation.SOFTMAX) {
                        y.putScalar(new int[]{i, r.nextInt(C), h, w}, 1.0);
                    } else {
                        for (int c = 0; c < C; c++) {
                            y.putScalar(new int[]{i, c, h, w}, r.nextDouble() < 0.4 ? 1.0 : 0.0);
                        }
                    }
                }
            }
        }
        return y;
    }

    private static INDArray perPixelMask(Random r, int n) {
        INDArray m = Nd4j.ones(DataType.DOUBLE, n, 1, H, W);
        for (int i = 0; i < n; i++) {
            m.putScalar(new int[]{i, 0, r.nextInt(H), r.nextInt(W)}, 0.0);
            m.putScalar(new int[]{i, 0, r.nextInt(H), r.nextInt(W)}, 0.0);
        }
        return m;
    }

    @Test
    void gradientChecksInNetworks() {
        Random r = new Random(1);
        Object[][] cases = {
                {TverskyLoss.of(0.3, 0.7), Activation.SOFTMAX},
                {FocalTverskyLoss.of(0.4, 0.6, 4.0 / 3), Activation.SIGMOID},
                {CompoundLoss.of(new LossMCXENT(), new DiceLoss()), Activation.SOFTMAX},
        };
        for (Object[] c : cases) {
            ILossFunction loss = (ILossFunction) c[0];
            Activation act = (Activation) c[1];
            for (boolean perImageLayer : new boolean[]{true, false}) {
                // minibatch 1 without masks, minibatch 3 with every mask kind (per-image layer) or per-pixel masks
                for (int n : perImageLayer ? new int[]{1, 3} : new int[]{3}) {
                    INDArray x = Nd4j.rand(DataType.DOUBLE, n, 1, H, W);
                    INDArray y = labels(r, n, act);
                    INDArray perImageMask = Nd4j.ones(DataType.DOUBLE, n, 1);
                    if (n > 1) {
                        perImageMask.putScalar(1, 0.0);
                    }
                    INDArray[] masks = n == 1 ? new INDArray[]{null}
                            : perImageLayer ? new INDArray[]{null, perPixelMask(r, n), perImageMask}
                            : new INDArray[]{perPixelMask(r, n)};
                    if (n > 1 && loss instanceof TverskyLoss) {
                        // softmax: an [N, C, H, W] mask equal across the channels (whole pixels) is exact
                        // behind CnnLossLayer and PerImageLossLayer alike
                        INDArray wholePixels = Nd4j.ones(DataType.DOUBLE, y.shape()).muli(
                                perPixelMask(r, n).broadcast(y.shape()));
                        masks = java.util.Arrays.copyOf(masks, masks.length + 1);
                        masks[masks.length - 1] = wholePixels;
                    }
                    for (INDArray mask : masks) {
                        MultiLayerNetwork net = net(loss, act, perImageLayer);
                        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net)
                                .input(x).labels(y).labelMask(mask).epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8));
                        assertTrue(ok, loss + " " + act + " perImageLayer=" + perImageLayer + " n=" + n + " mask="
                                + (mask == null ? "none" : java.util.Arrays.toString(mask.shape())));
                    }
                }
            }
        }
    }

    @Test
    void scoreExamplesArePerImageForAnyInputSize() {
        Random r = new Random(2);
        TverskyLoss loss = TverskyLoss.of(0.3, 0.7);
        MultiLayerNetwork perImage = net(loss, Activation.SOFTMAX, true);
        MultiLayerNetwork fixed = net(loss, Activation.SOFTMAX, false);
        fixed.setParams(perImage.params());
        for (int size : new int[]{4, 6}) {
            int n = 3;
            INDArray x = Nd4j.rand(DataType.DOUBLE, n, 1, size, size);
            INDArray y = Nd4j.zeros(DataType.DOUBLE, n, C, size, size);
            for (int i = 0; i < n; i++) {
                for (int h = 0; h < size; h++) {
                    for (int w = 0; w < size; w++) {
                        y.putScalar(new int[]{i, r.nextInt(C), h, w}, 1.0);
                    }
                }
            }
            DataSet ds = new DataSet(x, y);
            INDArray scores = perImage.scoreExamples(ds, false);
            INDArray out = perImage.output(x);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                // expected: the loss of image i alone, from the network's output probabilities
                INDArray zi = Nd4j.math().log(out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i))
                        .permute(1, 2, 0).dup('c').reshape(size * size, C));
                INDArray yi = y.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).permute(1, 2, 0).dup('c')
                        .reshape(size * size, C);
                double expected = loss.withRowsPerExample(size * size)
                        .computeScore(yi, zi, Activation.SOFTMAX.getActivationFunction(), null, false);
                assertEquals(expected, scores.getDouble(i), 1e-9, "image " + i + " size " + size);
                sum += expected;
            }
            assertEquals(sum / n, perImage.score(ds), 1e-9);
            if (size == 4) {
                assertEquals(scores, fixed.scoreExamples(ds, false));
            }
        }
        // the fixed route fails clearly when the size does not fit
        DataSet one = new DataSet(Nd4j.rand(DataType.DOUBLE, 1, 1, 6, 6), Nd4j.zeros(DataType.DOUBLE, 1, C, 6, 6));
        Exception e = assertThrows(LossConfigurationException.class, () -> fixed.score(one));
        assertTrue(e.getMessage().contains("36 rows") && e.getMessage().contains("rowsPerExample = 16"), e.getMessage());
    }

    @Test
    void compoundPerImageScoresAddUpWithMasks() {
        Random r = new Random(4);
        int n = 3;
        INDArray x = Nd4j.rand(DataType.DOUBLE, n, 1, H, W);
        INDArray y = labels(r, n, Activation.SOFTMAX);
        INDArray mask = perPixelMask(r, n);
        DiceLoss dice = new DiceLoss();
        CompoundLoss both = new CompoundLoss(java.util.List.of(new LossMCXENT(), dice), new double[]{0.5, 2});
        MultiLayerNetwork nb = net(both, Activation.SOFTMAX, true);
        MultiLayerNetwork nce = net(new LossMCXENT(), Activation.SOFTMAX, true);
        MultiLayerNetwork nd = net(dice, Activation.SOFTMAX, true);
        nce.setParams(nb.params());
        nd.setParams(nb.params());
        DataSet ds = new DataSet(x, y, null, mask);
        INDArray sb = nb.scoreExamples(ds, false);
        INDArray expected = nce.scoreExamples(ds, false).muli(0.5).addi(nd.scoreExamples(ds, false).muli(2));
        for (int i = 0; i < n; i++) {
            assertEquals(expected.getDouble(i), sb.getDouble(i), 1e-10);
        }
        // the mask reaches every part: the unmasked scores differ for both parts
        DataSet noMask = new DataSet(x, y);
        assertTrue(Math.abs(nce.scoreExamples(noMask, false).getDouble(0) - nce.scoreExamples(ds, false).getDouble(0)) > 1e-6);
        assertTrue(Math.abs(nd.scoreExamples(noMask, false).getDouble(0) - nd.scoreExamples(ds, false).getDouble(0)) > 1e-6);
        // JSON and ModelSerializer keep every part and weight
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(nb.getLayerWiseConfigurations().toJson());
        assertEquals(nb.getLayerWiseConfigurations(), back);
        ILossFunction restored = ((PerImageLossLayer) back.getConf(2).getLayer()).getLossFn();
        assertEquals(both, restored);
        assertEquals(both.spec(), ((CompoundLoss) restored).spec());
        // the registry form works too
        assertEquals(CompoundLoss.of(new DiceLoss(), TverskyLoss.of(0.3, 0.7)).spec(),
                LossRegistry.discover().create("dice + tversky(alpha=0.3, beta=0.7)").spec());
    }

    // ---- training: a tiny U-Net on synthetic shapes ----

    private static final int S = 16;

    private static DataSet shapes(Random r, int n) {
        INDArray x = Nd4j.zeros(DataType.FLOAT, n, 1, S, S);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 2, S, S);
        for (int i = 0; i < n; i++) {
            int side = 3 + r.nextInt(4);
            int top = r.nextInt(S - side);
            int left = r.nextInt(S - side);
            boolean disc = r.nextBoolean();
            for (int h = 0; h < S; h++) {
                for (int w = 0; w < S; w++) {
                    double cy = top + side / 2.0 - 0.5;
                    double cx = left + side / 2.0 - 0.5;
                    boolean fg = disc ? (h - cy) * (h - cy) + (w - cx) * (w - cx) <= side * side / 4.0
                            : h >= top && h < top + side && w >= left && w < left + side;
                    x.putScalar(new int[]{i, 0, h, w}, (fg ? 0.7 : 0.2) + 0.25 * r.nextGaussian());
                    y.putScalar(new int[]{i, fg ? 1 : 0, h, w}, 1.0);
                }
            }
        }
        return new DataSet(x, y);
    }

    private static ComputationGraph unet(ILossFunction loss) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(123).dataType(DataType.FLOAT)
                .updater(new Adam(0.01)).weightInit(WeightInit.RELU).convolutionMode(ConvolutionMode.Same)
                .graphBuilder().addInputs("in")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.RELU).build(), "in")
                .addLayer("p1", new SubsamplingLayer.Builder(2, 2).stride(2, 2).build(), "c1")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(16).activation(Activation.RELU).build(), "p1")
                .addLayer("u1", new Upsampling2D.Builder(2).build(), "c2")
                .addVertex("m", new MergeVertex(), "c1", "u1")
                .addLayer("c3", new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.RELU).build(), "m")
                .addLayer("logits", new ConvolutionLayer.Builder(1, 1).nOut(2).activation(Activation.IDENTITY).build(), "c3")
                .addLayer("out", new PerImageLossLayer.Builder(loss).activation(Activation.SOFTMAX).build(), "logits")
                .setOutputs("out").setInputTypes(InputType.convolutional(S, S, 1)).build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** Foreground Dice of the argmax prediction over a whole set. */
    private static double foregroundDice(ComputationGraph g, DataSet ds) {
        INDArray out = g.outputSingle(ds.getFeatures());
        INDArray pred = out.argMax(1).castTo(DataType.FLOAT);
        INDArray truth = ds.getLabels().get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.point(1));
        double tp = pred.mul(truth).sumNumber().doubleValue();
        return 2 * tp / (pred.sumNumber().doubleValue() + truth.sumNumber().doubleValue());
    }

    @Test
    void unetTrainsAndRestoresWithIdenticalScores(@TempDir File dir) throws Exception {
        Nd4j.getRandom().setSeed(7);
        Random r = new Random(7);
        DataSet train = shapes(r, 32);
        DataSet test = shapes(r, 24);
        ILossFunction loss = LossRegistry.discover().create("dice(includeBackground=false)");
        ComputationGraph g = unet(loss);
        double before = foregroundDice(g, test);
        java.util.List<DataSet> batches = train.batchBy(16);
        for (int epoch = 0; epoch < 12; epoch++) {
            for (DataSet b : batches) {
                g.fit(b);
            }
        }
        double after = foregroundDice(g, test);
        org.slf4j.LoggerFactory.getLogger(SegmentationNetworkTest.class).info("foreground Dice {} -> {}", before, after);
        assertTrue(after > before + 0.4 && after > 0.6, "foreground Dice before " + before + ", after " + after);

        File f = new File(dir, "unet.zip");
        ModelSerializer.writeModel(g, f, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(f, true);
        assertEquals(g.getConfiguration().toJson(), restored.getConfiguration().toJson());
        assertEquals(g.score(test), restored.score(test), 0.0);
        for (int i = 0; i < 3; i++) {
            g.fit(batches.get(i % batches.size()));
            restored.fit(batches.get(i % batches.size()));
            assertEquals(g.score(), restored.score(), 0.0, "iteration " + i);
        }
        assertEquals(g.params(), restored.params());
    }
}
