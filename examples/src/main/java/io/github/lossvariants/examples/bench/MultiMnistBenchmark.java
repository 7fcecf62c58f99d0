package io.github.lossvariants.examples.bench;

import io.github.lossvariants.examples.data.DigitCanvas;
import io.github.lossvariants.examples.metrics.MultiLabelMetrics;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Multi-digit multi-label set: the same 64 x 84 canvases as m2nist, target = the set of digits
 * present (10 sigmoid outputs). A small CNN (3 x [3x3 conv + ReLU, 2x2 max pool] with 16/32/64
 * channels, dense 128, sigmoid output), Adam 1e-3, batch 32.
 */
public final class MultiMnistBenchmark implements Benchmark {
    static final long TRAIN_SEED = 777;
    static final long TEST_SEED = 778;
    static final int BATCH = 32;
    static final String[] DIGITS = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

    private CanvasSets sets;

    @Override
    public String name() {
        return "multimnist";
    }

    @Override
    public String description() {
        return "multi-digit multi-label set (64x84 canvases of 1-3 real MNIST digits, target = digits present); CNN "
                + "3x(conv3x3+ReLU, maxpool2) 16/32/64, dense 128, 10 sigmoid outputs, Adam 1e-3, batch 32, threshold 0.5";
    }

    @Override
    public String baseline() {
        return "bce";
    }

    @Override
    public List<String> defaultLosses() {
        return List.of("bce", "focal(gamma=2)", "asymmetric(gammaNeg=4, gammaPos=1, clip=0.05)");
    }

    @Override
    public int defaultSeeds(boolean quick) {
        return quick ? 1 : 2;
    }

    int epochs(RunSettings s) {
        return s.epochs(5, 2);
    }

    int trainSize(RunSettings s) {
        return s.trainSize(2000, 256);
    }

    int testSize(RunSettings s) {
        return s.quick() ? 200 : 500;
    }

    @Override
    public List<String> protocols(RunSettings s) {
        return List.of(epochs(s) + " epochs");
    }

    @Override
    public List<String> headlineMetrics() {
        return List.of("hamming_loss", "micro_f1", "macro_f1", "macro_map", "ranking_ap", "one_error", "coverage",
                "ranking_loss", "ece");
    }

    @Override
    public String primaryMetric() {
        return "macro_map";
    }

    @Override
    public String configKey(RunSettings s) {
        return String.format(Locale.ROOT, "%s/train=%d@%d/test=%d@%d/epochs=%d/cnn16-32-64-d128/adam1e-3/batch%d", name(),
                trainSize(s), TRAIN_SEED, testSize(s), TEST_SEED, epochs(s), BATCH);
    }

    @Override
    public void prepare(RunSettings s) {
        sets = CanvasSets.generate(s, trainSize(s), testSize(s), TRAIN_SEED, TEST_SEED);
    }

    @Override
    public String dataSummary() {
        double[][] y = sets.train().labelSets();
        double card = 0;
        for (double[] r : y) {
            for (double v : r) {
                card += v;
            }
        }
        return String.format(Locale.ROOT, "%d train canvases (seed %d), %d test canvases (seed %d), %dx%d, label "
                        + "cardinality %.2f (train)", sets.train().size(), TRAIN_SEED, sets.test().size(), TEST_SEED,
                DigitCanvas.HEIGHT, DigitCanvas.WIDTH, card / y.length);
    }

    static MultiLayerNetwork network(ILossFunction loss, int seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).weightInit(WeightInit.RELU).convolutionMode(ConvolutionMode.Same)
                .cacheMode(CacheMode.DEVICE).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(16).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(32).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(64).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(loss).nOut(10).activation(Activation.SIGMOID).weightInit(WeightInit.XAVIER).build())
                .setInputType(InputType.convolutional(DigitCanvas.HEIGHT, DigitCanvas.WIDTH, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nets.initLikePyTorch(net, seed);
        return net;
    }

    @Override
    public CellResult run(ILossFunction loss, String spec, int seed, RunSettings s, Progress.Factory progress) {
        Nd4j.getRandom().setSeed(seed);
        MultiLayerNetwork net = network(loss, seed);
        DigitCanvas train = sets.train();
        int n = train.size();
        int epochs = epochs(s);
        int batches = (n + BATCH - 1) / BATCH;
        double[] trainLoss = new double[epochs];
        double[] testMap = new double[epochs];
        double[][] testY = sets.test().labelSets();
        try (Progress p = progress.create(spec + " seed " + seed, (long) epochs * batches)) {
            for (int e = 0; e < epochs; e++) {
                int[] perm = CanvasSets.permutation(n, seed * 100003L + e);
                double sum = 0;
                for (int b = 0; b < batches; b++) {
                    int[] idx = java.util.Arrays.copyOfRange(perm, b * BATCH, Math.min(n, (b + 1) * BATCH));
                    net.fit(new DataSet(CanvasSets.images(train, idx), CanvasSets.labelSets(train, idx)));
                    sum += net.score();
                    p.step("loss " + Nets.fmt(sum / (b + 1)));
                }
                trainLoss[e] = sum / batches;
                testMap[e] = MultiLabelMetrics.macroMap(predict(net), testY);
            }
        }
        CellResult r = new CellResult();
        MultiLabelEval.evaluate(r, protocols(s).get(0), predict(net), testY);
        r.curves.put("train_loss", trainLoss);
        r.curves.put("test_macro_map", testMap);
        return r;
    }

    double[][] predict(MultiLayerNetwork net) {
        DigitCanvas test = sets.test();
        List<double[]> rows = new ArrayList<>();
        for (int from = 0; from < test.size(); from += 100) {
            int to = Math.min(test.size(), from + 100);
            for (double[] r : Nets.rows(net.output(CanvasSets.images(test, CanvasSets.range(from, to)), false))) {
                rows.add(r);
            }
        }
        return rows.toArray(new double[0][]);
    }

    @Override
    public String referenceMarkdown() {
        return "No external reference run exists for this set. DATASETS.md: with 5000 canvases the label cardinality is "
                + "about 1.87 with 175 distinct label sets.\n";
    }

    @Override
    public String writeSpecificPlots(List<CellResult> cells, List<String> losses, Path outDir) throws IOException {
        return MultiLabelEval.plots(cells, losses, outDir, name(), DIGITS);
    }
}
