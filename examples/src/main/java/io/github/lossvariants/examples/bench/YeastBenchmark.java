package io.github.lossvariants.examples.bench;

import io.github.lossvariants.examples.data.CsvData;
import io.github.lossvariants.examples.data.Tabular;
import io.github.lossvariants.examples.metrics.Metric;
import io.github.lossvariants.examples.metrics.Metrics;
import io.github.lossvariants.examples.metrics.MultiLabelMetrics;
import io.github.lossvariants.examples.metrics.SigmoidTemperature;
import io.github.lossvariants.examples.report.ReportWriter;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * yeast (Elisseeff & Weston 2001), standard split: MLP 103-256-14 as the README's PyTorch
 * reference (ReLU, dropout 0.3, Adam 1e-3, L2 1e-4 as PyTorch's Adam weight_decay, batch 64,
 * 60 epochs, sigmoid outputs), features standardised with training statistics.
 *
 * <p>Temperature scaling: all 1500 training rows are trained on, so one temperature for all labels
 * is cross-fitted on the test split ({@link SigmoidTemperature#crossFitted}): test rows alternate
 * between two folds, and T fitted on one fold scales the other.
 */
public final class YeastBenchmark implements MultiLabelBenchmark {
    static final String[] LABELS = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14"};
    private Tabular data;

    @Override
    public String name() {
        return "yeast";
    }

    @Override
    public String description() {
        return "yeast multi-label set (103 features, 14 labels; rows 1-1500 train, 1501-2417 test); MLP 103-256-14, ReLU, "
                + "dropout 0.3, Adam 1e-3, L2 1e-4, batch 64, sigmoid outputs, threshold 0.5";
    }

    @Override
    public int defaultThreads() {
        return 1;
    }

    @Override
    public List<String> defaultLosses() {
        List<String> losses = new ArrayList<>(List.of("bce", "focal(gamma=2)", "asymmetric(gammaNeg=4, gammaPos=1, clip=0.05)",
                "asymmetric(gammaNeg=2, gammaPos=0, clip=0.05)"));
        losses.addAll(MultiLabelEval.LONG_TAIL_LOSSES);
        return losses;
    }

    /** @return {@code classCounts} and {@code trainNum} of the training rows (see {@link MultiLabelEval#countedParameters}) */
    @Override
    public Map<String, Object> dataParameters() {
        return MultiLabelEval.countedParameters(Nets.matrix(data.trainY()));
    }

    @Override
    public String temperatureSource() {
        return "cross-fitted on the test split (no held-out data besides it): test rows alternate between two folds, "
                + "one T for all labels fitted on one fold scales the other; `temperature` is the mean of the two. "
                + "Decisions at 0.5 and rankings do not change.";
    }

    int epochs(RunSettings s) {
        return s.epochs(60, 12);
    }

    @Override
    public List<String> protocols(RunSettings s) {
        return List.of(epochs(s) + " epochs");
    }

    @Override
    public String configKey(RunSettings s) {
        return name() + "/epochs=" + epochs(s) + "/mlp-103-256-14/drop0.3/adam1e-3/l2=1e-4/batch64";
    }

    @Override
    public void prepare(RunSettings s) {
        data = CsvData.yeast(s.dataDir()).standardised();
    }

    @Override
    public String dataSummary() {
        return "train " + data.trainX().length + " rows, test " + data.testX().length + " rows, " + data.features()
                + " features, " + data.labels() + " labels; train positives per label "
                + Arrays.toString(Tabular.positives(data.trainY()));
    }

    static MultiLayerNetwork network(ILossFunction loss, int seed, int nIn, int hidden, int nOut) {
        return Nets.initialised(new NeuralNetConfiguration.Builder().seed(Nets.nd4jSeed(seed)).dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).l2(1e-4).weightInit(WeightInit.UNIFORM).list()
                .layer(new DenseLayer.Builder().nIn(nIn).nOut(hidden).activation(Activation.RELU).dropOut(0.7).build())
                .layer(new OutputLayer.Builder(loss).nIn(hidden).nOut(nOut).activation(Activation.SIGMOID).build())
                .build(), seed);
    }

    @Override
    public CellResult run(ILossFunction loss, String spec, int seed, RunSettings s, Progress.Factory progress) {
        Nd4j.getRandom().setSeed(Nets.nd4jSeed(seed));
        MultiLayerNetwork net = network(loss, seed, data.features(), 256, data.labels());
        DataSet train = new DataSet(Nets.matrix(data.trainX()), Nets.matrix(data.trainY()));
        INDArray testX = Nets.matrix(data.testX());
        int epochs = epochs(s);
        int batches = (train.numExamples() + 63) / 64;
        double[] trainLoss = new double[epochs];
        double[] testMap = new double[epochs];
        try (Progress p = progress.create(spec + " seed " + seed, (long) epochs * batches)) {
            for (int e = 0; e < epochs; e++) {
                DataSet shuffled = train.copy();
                shuffled.shuffle(seed * 100003L + e);
                double sum = 0;
                for (DataSet b : shuffled.batchBy(64)) {
                    net.fit(b);
                    sum += net.score();
                    p.step(e > 0 ? "loss " + Nets.fmt(trainLoss[e - 1]) : null);
                }
                trainLoss[e] = sum / batches;
                testMap[e] = MultiLabelMetrics.macroMap(Nets.rows(net.output(testX, false)), data.testY());
            }
        }
        CellResult r = new CellResult();
        double[][] logits = Nets.logits(net, testX);
        SigmoidTemperature.Scaled scaled = SigmoidTemperature.crossFitted(logits, data.testY(),
                SigmoidTemperature.alternatingFolds(logits.length));
        MultiLabelEval.evaluate(r, protocols(s).get(0), Nets.rows(net.output(testX, false)), logits, data.testY(), scaled);
        r.curves.put("train_loss", trainLoss);
        r.curves.put("test_macro_map", testMap);
        return r;
    }

    @Override
    public String referenceMarkdown() {
        return """
                Reference points on the same test split (../shared/data/yeast/README.md); thresholded metrics at 0.5:

                | model | Hamming loss | micro-F1 | macro-F1 | ranking AP | macro mAP | one-error | ranking loss |
                | --- | --- | --- | --- | --- | --- | --- | --- |
                | scikit-learn MLP (256 hidden, BCE, early stopping), mean of 5 seeds | 0.199 | 0.640 | 0.382 | 0.755 | 0.481 | 0.244 | 0.174 |
                | PyTorch MLP 103-256-14 (ReLU, dropout 0.3, Adam 1e-3, wd 1e-4, batch 64, 60 epochs), BCE, mean of 5 seeds | 0.205 | 0.635 | 0.425 | 0.754 | 0.495 | - | 0.179 |
                | same, torchvision focal (gamma 2) | 0.208 | 0.629 | 0.423 | 0.750 | 0.491 | - | 0.182 |
                | same, ASL authors' loss (gammaNeg 4, gammaPos 1, clip 0.05) | 0.325 | 0.616 | 0.478 | 0.755 | 0.498 | - | 0.178 |
                | same, ASL (gammaNeg 2, gammaPos 0, clip 0.05) | 0.267 | 0.641 | 0.482 | 0.753 | 0.497 | - | 0.182 |
                | ML-kNN (Zhang & Zhou 2007, as published) | 0.194 | - | - | 0.765 | - | 0.230 | 0.167 |

                Our coverage is scikit-learn's coverage_error (1-based; Mulan's coverage is one less).
                """;
    }

    @Override
    public String besideReference(List<CellResult> cells, List<String> losses, List<String> protocols) {
        List<Metric> metrics = List.of(Metrics.HAMMING_LOSS, Metrics.MICRO_F1, Metrics.MACRO_F1, Metrics.RANKING_AP,
                Metrics.MACRO_MAP, Metrics.ONE_ERROR, Metrics.RANKING_LOSS);
        StringBuilder b = new StringBuilder("| model | Hamming loss | micro-F1 | macro-F1 | ranking AP | macro mAP | one-error | ranking loss |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        b.append("| ML-kNN (published) | 0.194 | - | - | 0.765 | - | 0.230 | 0.167 |\n");
        b.append("| scikit-learn MLP, BCE | 0.199 | 0.640 | 0.382 | 0.755 | 0.481 | 0.244 | 0.174 |\n");
        b.append("| PyTorch MLP, BCE | 0.205 | 0.635 | 0.425 | 0.754 | 0.495 | - | 0.179 |\n");
        b.append("| PyTorch MLP, focal (gamma 2) | 0.208 | 0.629 | 0.423 | 0.750 | 0.491 | - | 0.182 |\n");
        b.append("| PyTorch MLP, ASL (4, 1, 0.05) | 0.325 | 0.616 | 0.478 | 0.755 | 0.498 | - | 0.178 |\n");
        b.append("| PyTorch MLP, ASL (2, 0, 0.05) | 0.267 | 0.641 | 0.482 | 0.753 | 0.497 | - | 0.182 |\n");
        String p = protocols.get(protocols.size() - 1);
        for (String l : losses) {
            b.append("| ours, DL4J MLP, `").append(l).append("` |");
            for (Metric m : metrics) {
                b.append(' ').append(ReportWriter.meanValue(cells, l, p, m)).append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    @Override
    public String[] labelNames() {
        return LABELS.clone();
    }
}
