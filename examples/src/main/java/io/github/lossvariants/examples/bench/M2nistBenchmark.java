package io.github.lossvariants.examples.bench;

import io.github.lossvariants.api.region.PerImageLossLayer;
import io.github.lossvariants.calibration.metrics.ReliabilityDiagram;
import io.github.lossvariants.calibration.scaling.TemperatureScaling;
import io.github.lossvariants.examples.data.DigitCanvas;
import io.github.lossvariants.examples.metrics.BinaryMetrics;
import io.github.lossvariants.examples.metrics.CalibrationBins;
import io.github.lossvariants.examples.metrics.Metric;
import io.github.lossvariants.examples.metrics.Metrics;
import io.github.lossvariants.examples.report.BarCharts;
import io.github.lossvariants.examples.report.Images;
import io.github.lossvariants.onednn.OneDnnDeconvolution2D;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * M2NIST-style segmentation: real MNIST digits composed on 64 x 84 canvases (1-3 digits, 11
 * classes incl. background, about 4% foreground), a small U-Net (two poolings, 16/32/64 channels,
 * transposed-conv upsampling with skip concatenation, 1x1 conv to 11 classes, softmax,
 * {@link PerImageLossLayer}), Adam 1e-3, batch 32. The output layer groups region losses per image
 * (it sets {@code rowsPerExample = H*W} from the input shape, also inside {@code ce + dice}).
 * {@code CacheMode.DEVICE} keeps each convolution's im2col buffer from the forward pass for the
 * backward pass (DL4J recomputes it otherwise); im2col dominates the CPU time of this net.
 *
 * <p>Temperature scaling: one temperature for the softmax, fitted on every 8th pixel of validation
 * canvases composed from MNIST training digits that no training canvas uses (seed
 * {@value #VALIDATION_SEED}; 64 canvases, 16 in a quick run), then applied to the test pixels.
 */
public final class M2nistBenchmark extends CanvasBenchmark {
    static final long TRAIN_SEED = 12345;
    static final long VALIDATION_SEED = 23456;
    static final long TEST_SEED = 54321;
    static final int OVERLAYS = 4;
    /**
     * MONAI's {@code DiceCELoss} weighting of the cross-entropy term, put before every region loss combined with
     * {@code ce}: DL4J sums the per-pixel cross-entropy over the H*W pixels of an image while MONAI averages it, so
     * the same balance as MONAI is {@code (1/(H*W)) * ce + dice}, 1/5376 = 0.000186.
     */
    static final String MONAI_CE = "0.000186*ce + ";
    /** MONAI's {@code DiceCELoss}. */
    static final String MONAI_DICE_CE = MONAI_CE + "dice";
    static final int H = DigitCanvas.HEIGHT;
    static final int W = DigitCanvas.WIDTH;

    /**
     * Full: 4000 training canvases x 2 epochs (250 steps: the first two epochs of the reference schedule, same
     * canvases and batch order), 64 validation, 200 test canvases; quick: 64 x 1, 16, 32.
     */
    public M2nistBenchmark() {
        super(new CanvasSets.Seeds(TRAIN_SEED, VALIDATION_SEED, TEST_SEED), new int[]{2, 1},
                new CanvasSets.Sizes(4000, 64, 200), new CanvasSets.Sizes(64, 16, 32), "unet16-32-64/adam1e-3");
    }

    @Override
    public String name() {
        return "m2nist";
    }

    @Override
    public String description() {
        return "M2NIST-style segmentation (64x84 canvases of 1-3 real MNIST digits, 11 classes incl. background); U-Net "
                + "with 2 poolings (16/32/64 channels, transposed-conv upsampling, skip concatenation), softmax, "
                + "per-image loss layer, Adam 1e-3, batch 32; argmax prediction";
    }

    @Override
    public String baseline() {
        return "ce";
    }

    /**
     * Nine losses, what fits the 30-minute budget of a full run: the per-pixel ones, the region losses alone that
     * behave differently from Dice (generalized Dice's class weights, Lovasz), and every region loss with
     * cross-entropy in MONAI's weighting. {@code tversky}, {@code focal-tversky} and {@code jaccard} alone, and
     * the unweighted {@code ce + dice} (its summed cross-entropy outweighs Dice, see {@link #MONAI_CE}), are {@code --loss}
     * runs (docs/BENCHMARKS.md).
     */
    @Override
    public List<String> defaultLosses() {
        return List.of("ce", "softmax-focal(gamma=2)", "dice", "generalized-dice", "lovasz", MONAI_DICE_CE,
                MONAI_CE + "jaccard", MONAI_CE + "generalized-dice", MONAI_CE + "lovasz");
    }

    @Override
    public int defaultSeeds(boolean quick) {
        return 1;
    }

    @Override
    public List<Metric> headlineMetrics() {
        return List.of(Metrics.MEAN_FG_DICE, Metrics.WORST_FG_DICE, Metrics.MEAN_FG_IOU, Metrics.PIXEL_ACCURACY,
                Metrics.FG_AP, Metrics.PIXEL_ECE);
    }

    @Override
    public Metric primaryMetric() {
        return Metrics.MEAN_FG_DICE;
    }

    @Override
    public List<Metric> calibrationMetrics() {
        return Metrics.PIXEL_CALIBRATION;
    }

    @Override
    public String temperatureSource() {
        return "fitted on every " + PixelCalibration.FIT_STRIDE + "th pixel of " + sets().validation().size()
                + " validation canvases (seed " + VALIDATION_SEED + ") composed from MNIST training digits that no "
                + "training canvas uses; one T for the softmax, applied to the test pixels. The argmax prediction does "
                + "not change.";
    }

    @Override
    public String dataSummary() {
        CanvasSets sets = sets();
        double[] f = sets.train().classFractions();
        return String.format(Locale.ROOT, "%d train canvases (seed %d, MNIST training digits), %d test canvases (seed %d, "
                        + "t10k digits), %dx%d; foreground %.2f%% of training pixels; mask CRC32 train %08x; %d validation "
                        + "canvases (seed %d, unused training digits) for temperature scaling",
                sets.train().size(), TRAIN_SEED, sets.test().size(), TEST_SEED, H, W, 100 * (1 - f[0]), sets.train().crc32(),
                sets.validation().size(), VALIDATION_SEED);
    }

    static ComputationGraph network(ILossFunction loss, int seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(Nets.nd4jSeed(seed))
                .dataType(DataType.FLOAT).updater(new Adam(1e-3)).weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Same).cacheMode(CacheMode.DEVICE)
                .graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(H, W, 1))
                .addLayer("c1a", conv(16), "in").addLayer("c1b", conv(16), "c1a")
                .addLayer("p1", pool(), "c1b")
                .addLayer("c2a", conv(32), "p1").addLayer("c2b", conv(32), "c2a")
                .addLayer("p2", pool(), "c2b")
                .addLayer("c3a", conv(64), "p2").addLayer("c3b", conv(64), "c3a")
                .addLayer("u2", new OneDnnDeconvolution2D.Builder(2, 2).stride(2, 2).nOut(32).activation(Activation.IDENTITY).build(), "c3b")
                .addVertex("m2", new MergeVertex(), "u2", "c2b")
                .addLayer("c4a", conv(32), "m2").addLayer("c4b", conv(32), "c4a")
                .addLayer("u1", new OneDnnDeconvolution2D.Builder(2, 2).stride(2, 2).nOut(16).activation(Activation.IDENTITY).build(), "c4b")
                .addVertex("m1", new MergeVertex(), "u1", "c1b")
                .addLayer("c5a", conv(16), "m1").addLayer("c5b", conv(16), "c5a")
                .addLayer("logits", new ConvolutionLayer.Builder(1, 1).nOut(DigitCanvas.CLASSES).activation(Activation.IDENTITY).build(), "c5b")
                .addLayer("out", new PerImageLossLayer.Builder(loss).activation(Activation.SOFTMAX).build(), "logits")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        Nets.initLikePyTorch(g, seed);
        return g;
    }

    private static ConvolutionLayer conv(int channels) {
        return new ConvolutionLayer.Builder(3, 3).nOut(channels).activation(Activation.RELU).build();
    }

    private static SubsamplingLayer pool() {
        return new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
    }

    @Override
    public CellResult run(ILossFunction loss, String spec, int seed, RunSettings s, Progress.Factory progress) {
        Nd4j.getRandom().setSeed(Nets.nd4jSeed(seed));
        ComputationGraph net = network(loss, seed);
        CellResult r = new CellResult();
        String protocol = protocols(s).get(0);
        int last = epochs(s) - 1;
        DigitCanvas train = sets().train();
        double[][] curves = train(net, spec, seed, s, progress, idx -> CanvasSets.oneHotMasks(train, idx),
                e -> e == last ? evaluate(net, r, protocol, seed == 0) : meanForegroundDice(net));
        r.curves.put("train_loss", curves[0]);
        r.curves.put("test_mean_fg_dice", curves[1]);
        return r;
    }

    /** @return the mean foreground Dice of the argmax prediction on the test canvases (the per-epoch curve) */
    double meanForegroundDice(ComputationGraph net) {
        TestPass pass = new TestPass(sets().test(), null, false);
        inBatches(sets().test(), BATCH, x -> net.outputSingle(false, x), pass);
        return pass.counts.scores().meanDice();
    }

    /**
     * The final evaluation on the test canvases: fits the temperature on the validation canvases, then fills
     * {@code r} with the segmentation metrics, the calibration before and after scaling, the foreground PR curve
     * and, when asked, the overlays of the first canvases.
     *
     * @return the mean foreground Dice
     */
    double evaluate(ComputationGraph net, CellResult r, String protocol, boolean keepOverlays) {
        TemperatureScaling temperature = fitTemperature(net);
        DigitCanvas test = sets().test();
        TestPass pass = new TestPass(test, new PixelCalibration(test.size() * H * W, temperature), keepOverlays);
        inBatches(test, BATCH, x -> net.outputSingle(false, x), pass);
        pass.fill(r, protocol);
        return pass.counts.scores().meanDice();
    }

    /** @return the temperature fitted on every pixel of the validation canvases */
    TemperatureScaling fitTemperature(ComputationGraph net) {
        List<INDArray> outputs = new ArrayList<>();
        inBatches(sets().validation(), BATCH, x -> net.outputSingle(false, x), (from, out) -> outputs.add(out));
        return PixelCalibration.fit(sets().validation(), outputs);
    }

    /** Per-class pixel counts of the argmax prediction against the truth. */
    static final class SegmentationCounts {
        private final long[] tp = new long[DigitCanvas.CLASSES];
        private final long[] fp = new long[DigitCanvas.CLASSES];
        private final long[] fn = new long[DigitCanvas.CLASSES];
        private long correct;
        private long pixels;

        void add(int predicted, int truth) {
            if (predicted == truth) {
                tp[truth]++;
                correct++;
            } else {
                fp[predicted]++;
                fn[truth]++;
            }
            pixels++;
        }

        /** @return the fraction of correctly classified pixels */
        double pixelAccuracy() {
            return (double) correct / pixels;
        }

        /**
         * @return Dice and IoU of the digit classes, pooled over the pixels; classes absent from both truth and
         * prediction have Dice NaN and are left out of the means
         */
        ForegroundScores scores() {
            double[] dice = new double[DigitCanvas.CLASSES - 1];
            double diceSum = 0;
            double iouSum = 0;
            double worst = 1;
            int present = 0;
            for (int c = 1; c < DigitCanvas.CLASSES; c++) {
                long d = 2 * tp[c] + fp[c] + fn[c];
                dice[c - 1] = d == 0 ? Double.NaN : 2.0 * tp[c] / d;
                if (d > 0) {
                    diceSum += dice[c - 1];
                    iouSum += (double) tp[c] / (tp[c] + fp[c] + fn[c]);
                    worst = Math.min(worst, dice[c - 1]);
                    present++;
                }
            }
            return present == 0 ? new ForegroundScores(dice, Double.NaN, Double.NaN, Double.NaN)
                    : new ForegroundScores(dice, diceSum / present, worst, iouSum / present);
        }
    }

    /**
     * @param digitDice Dice per digit 0-9 (NaN when absent from truth and prediction)
     * @param meanDice  mean over the present digits
     * @param worstDice the lowest
     * @param meanIou   mean IoU over the present digits
     */
    record ForegroundScores(double[] digitDice, double meanDice, double worstDice, double meanIou) {
    }

    /**
     * One pass over the test canvases: the argmax counts, and for the final evaluation (a calibration is given)
     * the pixel calibration, every 7th pixel's foreground score for the PR curve and the overlays.
     */
    static final class TestPass implements BatchConsumer {
        private final DigitCanvas test;
        private final PixelCalibration calibration;
        private final SegmentationCounts counts = new SegmentationCounts();
        private final List<Double> foregroundScore = new ArrayList<>();
        private final List<Double> foregroundLabel = new ArrayList<>();
        private final double[] overlay;

        /**
         * @param calibration null for the per-epoch curve (counts only)
         * @param overlays    keep the argmax of the first {@value #OVERLAYS} canvases
         */
        TestPass(DigitCanvas test, PixelCalibration calibration, boolean overlays) {
            this.test = test;
            this.calibration = calibration;
            this.overlay = overlays ? new double[OVERLAYS * H * W] : null;
        }

        @Override
        public void accept(int firstCanvas, INDArray out) {
            int hw = H * W;
            int k = DigitCanvas.CLASSES;
            float[] prob = out.castTo(DataType.FLOAT).dup('c').data().asFloat();
            for (int i = 0; i < out.size(0); i++) {
                int img = firstCanvas + i;
                for (int px = 0; px < hw; px++) {
                    int best = 0;
                    float bestP = -1;
                    for (int c = 0; c < k; c++) {
                        float v = prob[(i * k + c) * hw + px];
                        if (v > bestP) {
                            bestP = v;
                            best = c;
                        }
                    }
                    int truth = test.masks()[img * hw + px];
                    counts.add(best, truth);
                    if (calibration != null) {
                        calibration.addTopLabel(bestP, best == truth);
                        if (px % 7 == img % 7) {
                            foregroundScore.add(1.0 - prob[(i * k) * hw + px]);
                            foregroundLabel.add(truth > 0 ? 1.0 : 0.0);
                        }
                    }
                    if (overlay != null && img < OVERLAYS) {
                        overlay[img * hw + px] = best;
                    }
                }
            }
            if (calibration != null) {
                calibration.addBatch(out, test, firstCanvas);
            }
        }

        /** Puts the metrics, the reliability bins, the PR curve and the per-class and overlay arrays into {@code r}. */
        void fill(CellResult r, String protocol) {
            ForegroundScores scores = counts.scores();
            Map<String, Double> m = r.protocol(protocol);
            m.put(Metrics.MEAN_FG_DICE.name(), scores.meanDice());
            m.put(Metrics.WORST_FG_DICE.name(), scores.worstDice());
            m.put(Metrics.MEAN_FG_IOU.name(), scores.meanIou());
            m.put(Metrics.PIXEL_ACCURACY.name(), counts.pixelAccuracy());
            double[] score = foregroundScore.stream().mapToDouble(Double::doubleValue).toArray();
            double[] label = foregroundLabel.stream().mapToDouble(Double::doubleValue).toArray();
            m.put(Metrics.FG_AP.name(), BinaryMetrics.averagePrecision(score, label));
            ReliabilityDiagram reliability = calibration.rawDiagram();
            m.put(Metrics.PIXEL_ECE.name(), 100 * reliability.ece());
            for (int d = 0; d < 10; d++) {
                m.put(Metrics.digitDice(d).name(), scores.digitDice()[d]);
            }
            calibration.result().putInto(m, Metrics.PIXEL_CALIBRATION);
            r.reliability.put(protocol, CalibrationBins.toCellBins(reliability));
            r.pr.put(protocol, BinaryMetrics.prCurve(score, label, 300));
            r.extra.put("class_dice", scores.digitDice());
            if (overlay != null) {
                r.extra.put("overlay", overlay);
            }
        }
    }

    @Override
    public String referenceMarkdown() {
        return """
                Reference run (../shared/data/mnist/README.md): PyTorch + MONAI losses, 4000 training and 1000 test canvases,
                the same U-Net, Adam 1e-3, batch 32, 5 epochs, seed 0; Dice per digit class (argmax), mean over the 10 digits.

                | loss (MONAI, softmax over 11 channels, background included) | mean foreground Dice | worst digit |
                | --- | --- | --- |
                | cross-entropy | 0.247 | 0.006 |
                | softmax focal (gamma 2) | 0.212 | 0.080 |
                | Dice (per image) | 0.000 | 0.000 |
                | Tversky (alpha 0.3, beta 0.7) | 0.000 | 0.000 |
                | focal Tversky ((1 - TI)^(3/4)) | 0.000 | 0.000 |
                | Dice + cross-entropy | 0.434 | 0.218 |

                Our Dice and IoU per class are computed over all test pixels pooled (argmax prediction); classes absent from
                both truth and prediction are left out of the mean. `fg_ap` is the average precision of 1 - p(background)
                for foreground-vs-background on every 7th test pixel; pixel ECE is top-label over all test pixels.
                """;
    }

    @Override
    public String writeSpecificPlots(List<CellResult> cells, List<String> losses, Path outDir) throws IOException {
        StringBuilder md = new StringBuilder();
        Map<String, List<double[]>> preds = new LinkedHashMap<>();
        int hw = H * W;
        for (String l : losses) {
            cells.stream().filter(c -> c.loss.equals(l) && c.extra.containsKey("overlay")).findFirst().ifPresent(c -> {
                List<double[]> per = new ArrayList<>();
                for (int i = 0; i < OVERLAYS; i++) {
                    per.add(Arrays.copyOfRange(c.extra.get("overlay"), i * hw, (i + 1) * hw));
                }
                preds.put(l, per);
            });
        }
        if (!preds.isEmpty()) {
            List<float[]> in = new ArrayList<>();
            List<byte[]> truth = new ArrayList<>();
            DigitCanvas t = sets().test();
            for (int i = 0; i < OVERLAYS; i++) {
                in.add(Arrays.copyOfRange(t.images(), i * hw, (i + 1) * hw));
                truth.add(Arrays.copyOfRange(t.masks(), i * hw, (i + 1) * hw));
            }
            Images.overlays(outDir.resolve("overlays.png"), H, W, in, truth, preds);
            md.append("![prediction overlays](overlays.png)\n\nFirst four test canvases: input, ground truth, and the "
                    + "argmax prediction of each loss (seed 0); one colour per digit class, background dark.\n\n");
        }
        String[] digits = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
        if (BarCharts.perLabel(outDir.resolve("per_class_dice.png"), "m2nist: Dice per digit class (mean over seeds)",
                "Dice", cells, losses, "class_dice", digits)) {
            md.append("![per-class Dice](per_class_dice.png)\n\n");
        }
        return md.toString();
    }
}
