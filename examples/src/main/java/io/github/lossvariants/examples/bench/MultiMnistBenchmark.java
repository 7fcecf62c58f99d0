package io.github.lossvariants.examples.bench;

import io.github.lossvariants.examples.data.DigitCanvas;
import io.github.lossvariants.examples.metrics.MultiLabelMetrics;
import io.github.lossvariants.examples.metrics.SigmoidTemperature;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Multi-digit multi-label set: the same 64 x 84 canvases as m2nist, target = the set of digits
 * present (10 sigmoid outputs). A small CNN (3 x [3x3 conv + ReLU, 2x2 max pool] with 16/32/64
 * channels, dense 128, sigmoid output), Adam 1e-3, batch 32.
 *
 * <p>Temperature scaling: one temperature for all labels, fitted on validation canvases composed
 * from MNIST training digits that no training canvas uses (seed {@value #VALIDATION_SEED}; 500
 * canvases, 100 in a quick run), then applied to the test canvases.
 */
public final class MultiMnistBenchmark extends CanvasBenchmark implements MultiLabelBenchmark {
    static final long TRAIN_SEED = 777;
    static final long VALIDATION_SEED = 779;
    static final long TEST_SEED = 778;
    /** Canvases per inference batch. */
    static final int PREDICT_BATCH = 100;
    static final String[] DIGITS = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

    /**
     * Full: 4000 training canvases x 10 epochs (1250 steps, long enough for the BCE baseline's test curve to
     * flatten, docs/BENCHMARKS.md), 500 validation, 500 test canvases; quick: 256 x 2, 100, 200.
     */
    public MultiMnistBenchmark() {
        super(new CanvasSets.Seeds(TRAIN_SEED, VALIDATION_SEED, TEST_SEED), new int[]{10, 2},
                new CanvasSets.Sizes(4000, 500, 500), new CanvasSets.Sizes(256, 100, 200), "cnn16-32-64-d128/adam1e-3");
    }

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
    public List<String> defaultLosses() {
        List<String> losses = new ArrayList<>(List.of("bce", "focal(gamma=2)", "asymmetric(gammaNeg=4, gammaPos=1, clip=0.05)"));
        losses.addAll(MultiLabelEval.LONG_TAIL_LOSSES);
        return losses;
    }

    /** @return {@code classCounts} and {@code trainNum} of the training canvases (see {@link MultiLabelEval#countedParameters}) */
    @Override
    public Map<String, Object> dataParameters() {
        DigitCanvas train = sets().train();
        return MultiLabelEval.countedParameters(CanvasSets.labelSets(train, CanvasSets.range(0, train.size())));
    }

    @Override
    public int defaultSeeds(boolean quick) {
        return quick ? 1 : 2;
    }

    @Override
    public String temperatureSource() {
        return "fitted on " + sets().validation().size() + " validation canvases (seed " + VALIDATION_SEED + ") composed from "
                + "MNIST training digits that no training canvas uses; one T for all labels, applied to the test canvases. "
                + "Decisions at 0.5 and rankings do not change.";
    }

    @Override
    public String dataSummary() {
        CanvasSets sets = sets();
        double[][] y = sets.train().labelSets();
        double card = 0;
        for (double[] r : y) {
            for (double v : r) {
                card += v;
            }
        }
        return String.format(Locale.ROOT, "%d train canvases (seed %d), %d test canvases (seed %d), %dx%d, label "
                        + "cardinality %.2f (train); %d validation canvases (seed %d) for temperature scaling",
                sets.train().size(), TRAIN_SEED, sets.test().size(), TEST_SEED, DigitCanvas.HEIGHT, DigitCanvas.WIDTH,
                card / y.length, sets.validation().size(), VALIDATION_SEED);
    }

    static MultiLayerNetwork network(ILossFunction loss, int seed) {
        return Nets.initialised(new NeuralNetConfiguration.Builder().seed(Nets.nd4jSeed(seed)).dataType(DataType.FLOAT)
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
                .build(), seed);
    }

    @Override
    public CellResult run(ILossFunction loss, String spec, int seed, RunSettings s, Progress.Factory progress) {
        Nd4j.getRandom().setSeed(Nets.nd4jSeed(seed));
        MultiLayerNetwork net = network(loss, seed);
        double[][] testY = sets().test().labelSets();
        double[][][] lastPrediction = new double[1][][];
        DigitCanvas train = sets().train();
        double[][] curves = train(net, spec, seed, s, progress, idx -> CanvasSets.labelSets(train, idx), e -> {
            lastPrediction[0] = predict(sets().test(), x -> Nets.rows(net.output(x, false)));
            return MultiLabelMetrics.macroMap(lastPrediction[0], testY);
        });
        double[][] testLogits = predict(sets().test(), x -> Nets.logits(net, x));
        double[][] validationLogits = predict(sets().validation(), x -> Nets.logits(net, x));
        SigmoidTemperature.Scaled scaled = SigmoidTemperature.fittedOn(validationLogits,
                sets().validation().labelSets(), testLogits, testY);
        CellResult r = new CellResult();
        MultiLabelEval.evaluate(r, protocols(s).get(0), lastPrediction[0], testLogits, testY, scaled);
        r.curves.put("train_loss", curves[0]);
        r.curves.put("test_macro_map", curves[1]);
        return r;
    }

    /** @return the rows {@code forward} gives for the canvases, {@value #PREDICT_BATCH} canvases per pass */
    static double[][] predict(DigitCanvas canvases, Function<INDArray, double[][]> forward) {
        List<double[]> rows = new ArrayList<>();
        for (int from = 0; from < canvases.size(); from += PREDICT_BATCH) {
            int to = Math.min(canvases.size(), from + PREDICT_BATCH);
            rows.addAll(Arrays.asList(forward.apply(CanvasSets.images(canvases, CanvasSets.range(from, to)))));
        }
        return rows.toArray(new double[0][]);
    }

    @Override
    public String referenceMarkdown() {
        return "No external reference run exists for this set. DATASETS.md: with 5000 canvases the label cardinality is "
                + "about 1.87 with 175 distinct label sets.\n";
    }

    @Override
    public String[] labelNames() {
        return DIGITS.clone();
    }
}
