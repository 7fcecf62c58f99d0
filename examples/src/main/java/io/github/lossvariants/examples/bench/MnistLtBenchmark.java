package io.github.lossvariants.examples.bench;

import io.github.lossvariants.calibration.metrics.BinEdges;
import io.github.lossvariants.calibration.metrics.CalibrationMetrics;
import io.github.lossvariants.calibration.metrics.ReliabilityDiagram;
import io.github.lossvariants.calibration.scaling.TemperatureScaling;
import io.github.lossvariants.examples.data.Mnist;
import io.github.lossvariants.examples.metrics.CalibrationBeforeAfter;
import io.github.lossvariants.examples.metrics.CalibrationBins;
import io.github.lossvariants.examples.metrics.Metric;
import io.github.lossvariants.examples.metrics.Metrics;
import io.github.lossvariants.examples.metrics.Stats;
import io.github.lossvariants.examples.report.BarCharts;
import io.github.lossvariants.examples.report.ReportWriter;
import io.github.lossvariants.longtail.ClassCounts;
import io.github.lossvariants.longtail.DeferredReweighting;
import io.github.lossvariants.longtail.LdamLoss;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * mnist-lt: long-tailed classification on MNIST, the protocol of the PyTorch reference in
 * {@code ../shared/data/mnist/README.md} ("Reference run: mnist-lt"). The training split is made
 * long-tailed with imbalance ratio {@value #RATIO} in the exponential profile of CIFAR-10-LT:
 * class c keeps its first n_c = floor({@value #HEAD} * {@value #RATIO}^(-c/(C-1))) images in file
 * order ([5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50], 12406 images for MNIST); the test
 * split is the full balanced t10k split. MLP 784-256-128-C (ReLU, inputs pixel/255, PyTorch's
 * default initialisation), Adam 1e-3, batch {@value #BATCH} (last partial batch kept), a fresh
 * permutation every epoch, 20 epochs, seeds 0-4 (quick: 4 epochs, seed 0). Any IDX files in MNIST's format work
 * ({@code --mnist-dir}); the class count C comes from the labels.
 *
 * <p>Metrics are computed from the logits z of the output layer: prediction argmax z, top-1
 * accuracy, many / medium / few-shot accuracy (mean of the class recalls of the first 30%, the
 * middle and the last 30% of the classes by training frequency: 0-2, 3-6, 7-9), macro-F1 and
 * top-label ECE of softmax(z) (15 equal-width bins, as the reference, whatever activation the loss
 * trains with: the sigmoid focal base of {@code class-balanced(baseLoss=focal)} included).
 *
 * <p>Parameters counted from the training data: {@code classCounts} (loss-longtail's
 * {@link ClassCounts} over the long-tailed training set), filled into every loss that declares it
 * and whose spec leaves it out ({@link #dataParameters()}), so {@code --loss balanced-softmax}
 * needs no counts.
 *
 * <p>Schedules: {@code SPEC with drw} trains with loss-longtail's {@link DeferredReweighting} (LDAM-DRW:
 * class-balanced weights with beta 0.9999 from epoch 15 of 20, 0-based; by default from 3/4 of the
 * run's epochs, so the 4 epochs of a quick run switch at epoch 3); {@code drw(epoch=N, beta=B)} sets
 * both. The spec must be {@code ldam}. {@code drw(weightedMean=true)} is an experiment: after the
 * switch the loss is divided by the minibatch's sum of target weights instead of N, as PyTorch's
 * weighted mean in the reference ({@link WeightedMeanReduction}).
 *
 * <p>Temperature scaling: one temperature for softmax(z / T), fitted on validation images that
 * the long-tailed training set leaves out: the next {@value #VALIDATION_PER_CLASS} images of each
 * class after its first n_c in the training file ({@value #QUICK_VALIDATION_PER_CLASS} in a quick
 * run), a balanced set like the test split; then applied to the test logits.
 */
public final class MnistLtBenchmark implements Benchmark {
    /** Training images of the most frequent class. */
    static final int HEAD = 5000;
    /** Imbalance ratio n_0 / n_(C-1). */
    static final int RATIO = 100;
    static final int BATCH = 128;
    static final int EPOCHS = 20;
    static final int QUICK_EPOCHS = 4;
    static final int VALIDATION_PER_CLASS = 500;
    static final int QUICK_VALIDATION_PER_CLASS = 100;
        private static final Pattern DRW_SCHEDULE = Pattern.compile("drw\\s*(?:\\((.*)\\))?");

    private Split train;
    private Split validation;
    private Split test;
    private int classes;
    private int inputs;
    private double[] classCounts;
    private Path mnistDir;

    /** Images (pixel/255, float) and their classes. */
    record Split(INDArray features, int[] labels, INDArray oneHot) {
        int size() {
            return labels.length;
        }
    }

    @Override
    public String name() {
        return "mnist-lt";
    }

    @Override
    public String description() {
        return "long-tailed MNIST (training split cut to n_c = floor(5000 * 100^(-c/9)) images per class, first in "
                + "file order; full t10k test split); MLP 784-256-128-10, ReLU, inputs pixel/255, Adam 1e-3, batch 128, "
                + "a fresh permutation per epoch; argmax prediction, metrics from the logits";
    }

    @Override
    public String baseline() {
        return "ce";
    }

    @Override
    public List<String> defaultLosses() {
        return List.of("ce", "softmax-focal(gamma=2)", "class-balanced(baseLoss=focal)", "ldam with drw", "balanced-softmax",
                "poly");
    }

    @Override
    public int defaultThreads() {
        return 1;
    }

    /** @return 5 seeds (0-4, as the reference), 1 for a quick run (4 epochs): under 2 minutes */
    @Override
    public int defaultSeeds(boolean quick) {
        return quick ? 1 : 5;
    }

    int epochs(RunSettings s) {
        return s.epochs(EPOCHS, QUICK_EPOCHS);
    }

    int validationPerClass(RunSettings s) {
        return s.quick() ? QUICK_VALIDATION_PER_CLASS : VALIDATION_PER_CLASS;
    }

    @Override
    public List<String> protocols(RunSettings s) {
        return List.of(epochs(s) + " epochs");
    }

    @Override
    public List<Metric> headlineMetrics() {
        return List.of(Metrics.TOP1, Metrics.MANY_SHOT, Metrics.MEDIUM_SHOT, Metrics.FEW_SHOT, Metrics.CLASS_MACRO_F1,
                Metrics.ECE);
    }

    @Override
    public Metric primaryMetric() {
        return Metrics.TOP1;
    }

    @Override
    public String temperatureSource() {
        return "fitted on " + validation.size() + " validation images that the long-tailed training set leaves out (the "
                + "next images of each class after its first n_c in the training file, up to " + validation.size() / classes
                + " per class: balanced like the test split); one T for softmax(z / T), applied to the test logits. "
                + "The argmax prediction does not change.";
    }

    @Override
    public String configKey(RunSettings s) {
        return String.format(Locale.ROOT, "%s/%s/head%d/ratio%d/val=%d/epochs=%d/mlp-256-128/adam1e-3/batch%d", name(),
                Mnist.locate(s.mnistDir(), s.dataDir()).toAbsolutePath().normalize(), HEAD, RATIO, validationPerClass(s),
                epochs(s), BATCH);
    }

    @Override
    public void prepare(RunSettings s) {
        mnistDir = Mnist.locate(s.mnistDir(), s.dataDir());
        Mnist trainFile = Mnist.read(mnistDir, true);
        Mnist testFile = Mnist.read(mnistDir, false);
        classes = 1 + Math.max(Arrays.stream(trainFile.labels()).max().orElse(0),
                Arrays.stream(testFile.labels()).max().orElse(0));
        if (classes < 3) {
            throw new IllegalStateException(mnistDir + ": the labels name " + classes + " classes; mnist-lt needs at least 3");
        }
        inputs = trainFile.rows() * trainFile.cols();
        int[] perClass = profile(classes);
        List<Integer> trainRows = new ArrayList<>();
        List<Integer> validationRows = new ArrayList<>();
        int[] seen = new int[classes];
        int perClassValidation = validationPerClass(s);
        for (int i = 0; i < trainFile.labels().length; i++) {
            int c = trainFile.labels()[i];
            if (seen[c] < perClass[c]) {
                trainRows.add(i);
            } else if (seen[c] < perClass[c] + perClassValidation) {
                validationRows.add(i);
            }
            seen[c]++;
        }
        for (int c = 0; c < classes; c++) {
            if (seen[c] < perClass[c]) {
                throw new IllegalStateException(String.format(Locale.ROOT, "%s: class %d has %d training images, the "
                        + "long-tailed profile needs %d (n_c = floor(%d * %d^(-c/%d)))", mnistDir, c, seen[c], perClass[c],
                        HEAD, RATIO, classes - 1));
            }
        }
        train = split(trainFile, trainRows);
        validation = split(trainFile, validationRows);
        test = split(testFile, IntStream.range(0, testFile.labels().length).boxed().toList());
        classCounts = ClassCounts.of(new ListDataSetIterator<>(new DataSet(train.features(), train.oneHot()).batchBy(1024)));
    }

    /** @return n_c = floor(HEAD * RATIO^(-c/(C-1))) for c = 0..C-1 */
    static int[] profile(int classes) {
        int[] n = new int[classes];
        for (int c = 0; c < classes; c++) {
            n[c] = (int) Math.floor(HEAD * Math.pow(RATIO, -(double) c / (classes - 1)));
        }
        return n;
    }

    private Split split(Mnist file, List<Integer> rows) {
        float[] x = new float[rows.size() * inputs];
        int[] y = new int[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            int[] image = file.images()[rows.get(r)];
            for (int j = 0; j < inputs; j++) {
                x[r * inputs + j] = image[j] / 255f;
            }
            y[r] = file.labels()[rows.get(r)];
        }
        float[] oneHot = new float[rows.size() * classes];
        for (int r = 0; r < y.length; r++) {
            oneHot[r * classes + y[r]] = 1;
        }
        return new Split(Nd4j.create(x, new long[]{y.length, inputs}, DataType.FLOAT), y,
                Nd4j.create(oneHot, new long[]{y.length, classes}, DataType.FLOAT));
    }

    @Override
    public Map<String, Object> dataParameters() {
        return Map.of("classCounts", classCounts.clone());
    }

    @Override
    public String dataSummary() {
        int[] counts = new int[classes];
        for (int c : test.labels()) {
            counts[c]++;
        }
        return String.format(Locale.ROOT, "%s: train %d images, per class %s (ClassCounts: classCounts filled into the "
                        + "losses that need them); validation %d images (held-out training images) for temperature "
                        + "scaling; test %d images, per class %s", mnistDir, train.size(),
                Arrays.toString(Arrays.stream(classCounts).mapToInt(d -> (int) d).toArray()), validation.size(),
                test.size(), Arrays.toString(counts));
    }

    @Override
    public void checkSchedule(String schedule) {
        drw(schedule, EPOCHS);
    }

    /**
     * @param schedule {@code drw}, {@code drw(epoch=N)}, {@code drw(beta=B)} or {@code drw(epoch=N, beta=B)}
     * @param epochs   the run's epochs (the default switch is at 3/4 of them)
     * @return the listener
     * @throws IllegalArgumentException for anything else
     */
    static DeferredReweighting drw(String schedule, int epochs) {
        return drwSchedule(schedule, epochs).listener();
    }

    /**
     * A parsed DRW schedule.
     *
     * @param listener     the re-weighting listener
     * @param weightedMean divide the re-weighted loss by the minibatch's Σ w_(y_i) instead of N, as PyTorch's
     *                     weighted mean in the reference ({@link WeightedMeanReduction}); an experiment, off by default
     */
    record DrwSchedule(DeferredReweighting listener, boolean weightedMean) {
    }

    /** @see #drw(String, int); also accepts {@code weightedMean=true|false} */
    static DrwSchedule drwSchedule(String schedule, int epochs) {
        Matcher m = DRW_SCHEDULE.matcher(schedule.trim());
        String allowed = "; allowed: drw, drw(epoch=N), drw(beta=B), drw(epoch=N, beta=B), optionally with "
                + "weightedMean=true (deferred re-weighting of ldam)";
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown schedule '" + schedule + "'" + allowed);
        }
        int epoch = epochs * 3 / 4;
        double beta = DeferredReweighting.DEFAULT_BETA;
        boolean weightedMean = false;
        if (m.group(1) != null && !m.group(1).isBlank()) {
            for (String part : m.group(1).split(",")) {
                String[] kv = part.split("=", 2);
                String key = kv[0].trim();
                try {
                    if (kv.length == 2 && key.equals("epoch")) {
                        epoch = Integer.parseInt(kv[1].trim());
                    } else if (kv.length == 2 && key.equals("beta")) {
                        beta = Double.parseDouble(kv[1].trim());
                    } else if (kv.length == 2 && key.equals("weightedMean") && kv[1].trim().matches("true|false")) {
                        weightedMean = Boolean.parseBoolean(kv[1].trim());
                    } else {
                        throw new IllegalArgumentException("schedule '" + schedule + "': unknown setting '" + part.trim()
                                + "'" + allowed);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("schedule '" + schedule + "': '" + part.trim()
                            + "' is not a number" + allowed, e);
                }
            }
        }
        return new DrwSchedule(new DeferredReweighting(epoch, beta), weightedMean);
    }

    /**
     * @return SOFTMAX when the loss accepts it, else SIGMOID (e.g. class-balanced's sigmoid and focal bases),
     * found by one score call on a zero row
     */
    static Activation outputActivation(ILossFunction loss, int classes) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 1, classes).putScalar(0, 0, 1);
        INDArray logits = Nd4j.zeros(DataType.FLOAT, 1, classes);
        RuntimeException softmaxError;
        try {
            loss.computeScore(labels, logits, Activation.SOFTMAX.getActivationFunction(), null, false);
            return Activation.SOFTMAX;
        } catch (RuntimeException e) {
            softmaxError = e;
        }
        try {
            loss.computeScore(labels, logits, Activation.SIGMOID.getActivationFunction(), null, false);
            return Activation.SIGMOID;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("loss " + loss + " accepts neither a SOFTMAX nor a SIGMOID output layer: "
                    + softmaxError.getMessage(), e);
        }
    }

    static MultiLayerNetwork network(ILossFunction loss, Activation out, int seed, int nIn, int classes) {
        return Nets.initialised(new NeuralNetConfiguration.Builder().seed(Nets.nd4jSeed(seed)).dataType(DataType.FLOAT)
                .updater(new Adam(1e-3)).weightInit(WeightInit.UNIFORM).list()
                .layer(new DenseLayer.Builder().nIn(nIn).nOut(256).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(256).nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(loss).nIn(128).nOut(classes).activation(out).build())
                .build(), seed);
    }

    @Override
    public CellResult run(ILossFunction loss, String spec, int seed, RunSettings s, Progress.Factory progress) {
        Nd4j.getRandom().setSeed(Nets.nd4jSeed(seed));
        MultiLayerNetwork net = network(loss, outputActivation(loss, classes), seed, inputs, classes);
        int epochs = epochs(s);
        String schedule = LossLabel.parse(spec).schedule();
        DrwSchedule drw = schedule == null ? null : drwSchedule(schedule, epochs);
        boolean wrapped = false;
        int n = train.size();
        int batches = (n + BATCH - 1) / BATCH;
        double[] trainLoss = new double[epochs];
        double[] testTop1 = new double[epochs];
        try (Progress p = progress.create(spec + " seed " + seed, (long) epochs * batches)) {
            for (int e = 0; e < epochs; e++) {
                if (drw != null && !wrapped) {
                    drw.listener().apply(net); // the network's epoch count is e: re-weighted from getEpoch() on
                    if (drw.weightedMean() && e >= drw.listener().getEpoch()) {
                        BaseOutputLayer out = (BaseOutputLayer) net.getLayerWiseConfigurations().getConf(2).getLayer();
                        LdamLoss ldam = (LdamLoss) out.getLossFn();
                        out.setLossFn(new WeightedMeanReduction(ldam, ldam.getClassWeights()));
                        wrapped = true;
                    }
                }
                int[] perm = CanvasSets.permutation(n, seed * 100003L + e);
                double sum = 0;
                for (int b = 0; b < batches; b++) {
                    int[] idx = Arrays.copyOfRange(perm, b * BATCH, Math.min(n, (b + 1) * BATCH));
                    net.fit(new DataSet(Nd4j.pullRows(train.features(), 1, idx), Nd4j.pullRows(train.oneHot(), 1, idx)));
                    sum += net.score();
                    p.step("loss " + Nets.fmt(sum / (b + 1)));
                }
                net.incrementEpochCount();
                trainLoss[e] = sum / batches;
                testTop1[e] = evaluation(Nets.logits(net, test.features()), test.labels(), classes).top1();
            }
        }
        CellResult r = new CellResult();
        evaluate(r, protocols(s).get(0), net);
        r.curves.put("train_loss", trainLoss);
        r.curves.put("test_top1", testTop1);
        return r;
    }

    /** Fills the protocol's metrics, the per-class recalls and the reliability bins from the test logits. */
    void evaluate(CellResult r, String protocol, MultiLayerNetwork net) {
        double[][] logits = Nets.logits(net, test.features());
        Evaluation ev = evaluation(logits, test.labels(), classes);
        Map<String, Double> m = r.protocol(protocol);
        m.put(Metrics.TOP1.name(), ev.top1());
        int[] groups = groupBounds(classes);
        m.put(Metrics.MANY_SHOT.name(), ev.meanRecall(0, groups[0]));
        m.put(Metrics.MEDIUM_SHOT.name(), ev.meanRecall(groups[0], groups[1]));
        m.put(Metrics.FEW_SHOT.name(), ev.meanRecall(groups[1], classes));
        m.put(Metrics.CLASS_MACRO_F1.name(), ev.macroF1());
        for (int c = 0; c < classes; c++) {
            m.put(Metrics.classRecall(c).name(), ev.recall()[c]);
        }
        INDArray z = Nd4j.createFromArray(logits);
        INDArray y = test.oneHot().castTo(DataType.DOUBLE);
        INDArray prob = new TemperatureScaling(1).calibrateLogits(z);
        ReliabilityDiagram raw = CalibrationMetrics.topLabelDiagram(prob, y, CalibrationBins.BINS, BinEdges.UPPER_INCLUSIVE);
        m.put(Metrics.ECE.name(), 100 * raw.ece());
        TemperatureScaling t = TemperatureScaling.fit(Nd4j.createFromArray(Nets.logits(net, validation.features())),
                validation.oneHot().castTo(DataType.DOUBLE));
        INDArray scaled = t.calibrateLogits(z);
        new CalibrationBeforeAfter(raw.ece(), CalibrationMetrics.adaptiveEce(prob, y), TemperatureScaling.nll(z, y, 1),
                t.temperature(), CalibrationMetrics.ece(scaled, y), CalibrationMetrics.adaptiveEce(scaled, y),
                TemperatureScaling.nll(z, y, t.temperature())).putInto(m, Metrics.CALIBRATION);
        r.reliability.put(protocol, CalibrationBins.toCellBins(raw));
        r.extra.put("class_recall", ev.recall());
    }

    /** @return {end of the many-shot classes, end of the medium-shot classes}: 30% / 40% / 30%, {3, 7} for 10 */
    static int[] groupBounds(int classes) {
        int edge = (int) Math.round(0.3 * classes);
        return new int[]{edge, classes - edge};
    }

    /**
     * Argmax decisions against the truth.
     *
     * @param recall  per-class recall in %
     * @param f1      per-class F1 (0 for a class neither predicted nor present)
     * @param correct correctly classified examples
     * @param total   examples
     */
    record Evaluation(double[] recall, double[] f1, long correct, long total) {
        double top1() {
            return 100.0 * correct / total;
        }

        /** @return the mean recall in % of classes from (inclusive) to (exclusive) */
        double meanRecall(int from, int to) {
            return Arrays.stream(recall, from, to).average().orElse(Double.NaN);
        }

        double macroF1() {
            return Arrays.stream(f1).average().orElse(Double.NaN);
        }
    }

    /** @return the evaluation of the argmax of each logit row against the labels */
    static Evaluation evaluation(double[][] logits, int[] labels, int classes) {
        long[] tp = new long[classes];
        long[] fp = new long[classes];
        long[] fn = new long[classes];
        long correct = 0;
        for (int i = 0; i < logits.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i][c] > logits[i][best]) {
                    best = c;
                }
            }
            if (best == labels[i]) {
                tp[best]++;
                correct++;
            } else {
                fp[best]++;
                fn[labels[i]]++;
            }
        }
        double[] recall = new double[classes];
        double[] f1 = new double[classes];
        for (int c = 0; c < classes; c++) {
            recall[c] = tp[c] + fn[c] == 0 ? Double.NaN : 100.0 * tp[c] / (tp[c] + fn[c]);
            long d = 2 * tp[c] + fp[c] + fn[c];
            f1[c] = d == 0 ? 0 : 2.0 * tp[c] / d;
        }
        return new Evaluation(recall, f1, correct, logits.length);
    }

    /** The reference rows of ../shared/data/mnist/README.md by our default label: name, top-1, many, medium, few, F1, ECE. */
    static final Map<String, String[]> REFERENCE = referenceRows();

    private static Map<String, String[]> referenceRows() {
        Map<String, String[]> m = new LinkedHashMap<>();
        m.put("ce", new String[]{"cross-entropy", "89.00 +- 0.42", "98.91", "94.20", "71.71 +- 1.19", "0.885", "6.78"});
        m.put("softmax-focal(gamma=2)", new String[]{"softmax focal (gamma 2)", "88.90 +- 0.41", "98.80", "93.95",
                "71.80 +- 1.30", "0.884", "2.54"});
        m.put("class-balanced(baseLoss=focal)", new String[]{"class-balanced focal (sigmoid, beta 0.9999, gamma 2)",
                "90.23 +- 0.47", "98.86", "94.30", "75.81 +- 1.22", "0.899", "3.76"});
        m.put("ldam", new String[]{"LDAM (m 0.5, s 30)", "88.23 +- 3.03", "98.89", "94.36", "68.93 +- 9.95", "0.872", "35.59"});
        m.put("ldam with drw", new String[]{"LDAM-DRW", "90.63 +- 0.80", "98.47", "94.87", "76.85 +- 2.39", "0.902", "32.75"});
        m.put("balanced-softmax", new String[]{"balanced softmax", "91.54 +- 0.26", "98.43", "94.37", "80.56 +- 0.75",
                "0.913", "4.86"});
        m.put("poly", new String[]{"Poly-1 cross-entropy (epsilon 1)", "88.99 +- 0.56", "98.90", "94.25", "71.64 +- 1.69",
                "0.885", "7.06"});
        return m;
    }

    @Override
    public String referenceMarkdown() {
        StringBuilder b = new StringBuilder("""
                Reference run (../shared/data/mnist/README.md, "Reference run: mnist-lt"): PyTorch 1.13 CPU, float32, the
                same data, network and schedule, 20 epochs, seeds 0-4, loss code from the papers' repositories (LDAM-DRW's
                LDAMLoss and DRW rule, BalancedMetaSoftmax, the class-balanced port's sigmoid focal, polyloss-pytorch's
                Poly-1). Mean +- std over the 5 seeds, in %:

                | loss | top-1 | many | medium | few | macro-F1 | ECE |
                | --- | --- | --- | --- | --- | --- | --- |
                """);
        for (String[] row : REFERENCE.values()) {
            b.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        b.append("""

                Our ECE is top-label on softmax(z) of the output layer's logits z, as the reference's, also for the
                sigmoid-trained class-balanced focal; LDAM's softmax(z) is badly calibrated by design (it trains
                softmax(30 z')).
                """);
        return b.toString();
    }

    @Override
    public String besideReference(List<CellResult> cells, List<String> losses, List<String> protocols) {
        String p = protocols.get(protocols.size() - 1);
        StringBuilder b = new StringBuilder("| loss | run | top-1 | many | medium | few | macro-F1 | ECE |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (String l : losses) {
            String[] ref = REFERENCE.get(l);
            if (ref != null) {
                b.append("| `").append(l).append("` | reference (").append(ref[0]).append(") | ")
                        .append(String.join(" | ", Arrays.copyOfRange(ref, 1, ref.length))).append(" |\n");
            }
            b.append("| `").append(l).append("` | ours |");
            for (Metric m : headlineMetrics()) {
                b.append(' ').append(ReportWriter.meanValue(cells, l, p, m));
                if (m == Metrics.TOP1 || m == Metrics.FEW_SHOT) {
                    double[] v = cells.stream().filter(c -> c.loss.equals(l) && c.metrics.containsKey(p))
                            .mapToDouble(c -> c.metrics.get(p).getOrDefault(m.name(), Double.NaN)).toArray();
                    if (v.length > 1) {
                        b.append(" +- ").append(m.format(Stats.std(v)));
                    }
                }
                b.append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    @Override
    public String writeSpecificPlots(List<CellResult> cells, List<String> losses, Path outDir) throws IOException {
        Integer[] order = IntStream.range(0, classes).boxed().sorted(Comparator.comparingDouble(c -> -classCounts[c]))
                .toArray(Integer[]::new);
        String[] names = Arrays.stream(order).map(c -> c + " (" + (int) classCounts[c] + ")").toArray(String[]::new);
        List<CellResult> byFrequency = new ArrayList<>();
        for (CellResult c : cells) {
            double[] recall = c.extra.get("class_recall");
            if (recall == null) {
                continue;
            }
            CellResult copy = new CellResult();
            copy.loss = c.loss;
            copy.seed = c.seed;
            copy.extra.put("class_recall", Arrays.stream(order).mapToDouble(k -> recall[k]).toArray());
            byFrequency.add(copy);
        }
        if (!BarCharts.perLabel(outDir.resolve("per_class_accuracy.png"), name()
                        + ": per-class test accuracy (recall, mean over seeds), classes by training frequency",
                "class (training images)", "accuracy %", byFrequency, losses, "class_recall", names)) {
            return "";
        }
        return "![per-class accuracy](per_class_accuracy.png)\n\nTest accuracy of each class (its recall), mean over "
                + "seeds, classes from the most to the least frequent in training (training images in brackets).\n";
    }
}
