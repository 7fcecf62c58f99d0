package io.github.lossvariants.it.parallel;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.region.PerImageLossLayer;
import io.github.lossvariants.calibration.AdaFocalCalibrator;
import io.github.lossvariants.calibration.AdaFocalLoss;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data-parallel training on one machine with DL4J's {@link ParallelWrapper} (2 workers, parameter
 * averaging after every round): networks with {@code focal}, with {@code ce + dice} behind a
 * {@link PerImageLossLayer}, and with {@code adafocal} and its {@link AdaFocalCalibrator} reach
 * the single-worker run's test metrics within {@value #TOLERANCE} (absolute, on accuracy-type
 * metrics in [0, 1]) after the same number of epochs, and learn at all (each metric clearly above
 * what predicting the majority gives).
 *
 * <p>What the two-worker runs do differently: every averaging round trains each worker on its own
 * minibatch from the same starting parameters and averages the two results (and the Adam state),
 * so an epoch has half as many averaged steps as the single-worker epoch has steps. The losses are
 * immutable and stateless in the step; workers 1.. are built from the network's JSON at every
 * {@code fit} (their losses are equal copies); worker 0 is the network itself.
 *
 * <p>AdaFocal's per-bin gamma table: DL4J sends no epoch events to ParallelWrapper's workers, so the
 * calibrator is called on the wrapped network after each {@code wrapper.fit} (see its Javadoc); the
 * test checks that every worker trains the next epoch with the table computed from the averaged
 * parameters, and that attaching the calibrator as a wrapper listener alone leaves the table at
 * its initial value (DL4J's behaviour this protocol exists for).
 */
class ParallelWrapperTrainingTest {
    /** Largest allowed absolute difference between the single- and two-worker test metrics. */
    static final double TOLERANCE = 0.03;
    static final int WORKERS = 2;
    static final int BATCH = 32;

    private static final LossRegistry REGISTRY = LossRegistry.discover();

    // ------------------------------------------------------------------ focal, multi-label

    @Test
    void focalOnTwoWorkersReachesTheSingleWorkerMetrics() {
        DataSet train = multiLabel(384, 1);
        DataSet test = multiLabel(512, 2);
        ILossFunction focal = REGISTRY.create("focal(gamma=2, alpha=0.25)");
        Function<Integer, MultiLayerNetwork> net = seed -> dense(seed, 6, 3, Activation.SIGMOID, focal);
        int epochs = 8;
        Runs runs = Runs.of(net, train, epochs, null);
        double single = labelAccuracy(runs.single, test);
        double parallel = labelAccuracy(runs.parallel, test);
        double majority = majorityLabelAccuracy(test);
        report("focal", "label accuracy", single, parallel, "majority " + fmt(majority));
        assertTrue(single > majority + 0.05, "focal single-worker label accuracy " + single + " vs majority " + majority);
        assertEquals(single, parallel, TOLERANCE, "focal: label accuracy of 2 workers vs 1");
    }

    // ------------------------------------------------------------------ ce + dice, per image

    @Test
    void ceDiceBehindPerImageLossLayerOnTwoWorkersReachesTheSingleWorkerMetrics() {
        DataSet train = squares(192, 3);
        DataSet test = squares(128, 4);
        ILossFunction loss = REGISTRY.create("0.015625*ce + dice");  // 1/(H*W): MONAI's DiceCE weighting
        Function<Integer, MultiLayerNetwork> net = seed -> {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(0.03))
                    .dataType(DataType.FLOAT).convolutionMode(ConvolutionMode.Same).list()
                    .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.RELU).build())
                    .layer(new ConvolutionLayer.Builder(1, 1).nOut(2).activation(Activation.IDENTITY).build())
                    .layer(new PerImageLossLayer.Builder(loss).activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutional(SIDE, SIDE, 1)).build();
            MultiLayerNetwork n = new MultiLayerNetwork(conf);
            n.init();
            return n;
        };
        int epochs = 10;
        Runs runs = Runs.of(net, train, epochs, null);
        double[] single = segmentationMetrics(runs.single, test);
        double[] parallel = segmentationMetrics(runs.parallel, test);
        report("ce + dice", "pixel accuracy", single[0], parallel[0], "");
        report("ce + dice", "foreground Dice", single[1], parallel[1], "");
        assertTrue(single[1] > 0.5, "ce + dice single-worker foreground Dice " + single[1]);
        assertEquals(single[0], parallel[0], TOLERANCE, "ce + dice: pixel accuracy of 2 workers vs 1");
        assertEquals(single[1], parallel[1], TOLERANCE, "ce + dice: foreground Dice of 2 workers vs 1");
    }

    // ------------------------------------------------------------------ adafocal + calibrator

    @Test
    void adafocalOnTwoWorkersReachesTheSingleWorkerMetricsWithOneGammaTablePerEpoch() {
        DataSet train = threeClasses(384, 5);
        DataSet validation = threeClasses(256, 6);
        DataSet test = threeClasses(512, 7);
        Function<Integer, MultiLayerNetwork> net = seed -> dense(seed, 4, 3, Activation.SOFTMAX, new AdaFocalLoss());
        int epochs = 6;
        Runs runs = Runs.of(net, train, epochs, validation);
        double single = accuracy(runs.single, test);
        double parallel = accuracy(runs.parallel, test);
        report("adafocal", "accuracy", single, parallel, "majority " + fmt(majorityClassAccuracy(test)));
        assertTrue(single > majorityClassAccuracy(test) + 0.2, "adafocal single-worker accuracy " + single);
        assertEquals(single, parallel, TOLERANCE, "adafocal: accuracy of 2 workers vs 1");

        // the gamma table moved in both runs, one update per epoch
        assertEquals(epochs, runs.singleCalibrator.history().size());
        assertEquals(epochs, runs.parallelCalibrator.history().size());
        assertFalse(adafocalOf(runs.parallel).isInitialState(), "two-worker gamma table was updated");
        // every worker of epoch e > 0 trained with the table computed after epoch e - 1
        List<double[]> history = runs.parallelCalibrator.history();
        for (GammaSeen seen : runs.gammasSeen) {
            double[] expected = seen.epoch == 0 ? new AdaFocalLoss().getGammas() : history.get(seen.epoch - 1);
            assertArrayEquals(expected, seen.gammas, 0.0, "worker " + seen.worker + " in epoch " + seen.epoch);
        }
        assertEquals(WORKERS, runs.gammasSeen.stream().filter(g -> g.epoch == epochs - 1).map(g -> g.worker)
                .distinct().count(), "both workers reported in the last epoch");
    }

    @Test
    void adafocalCalibratorAsAWrapperListenerAloneNeverUpdates() {
        DataSet train = threeClasses(256, 8);
        MultiLayerNetwork net = dense(11, 4, 3, Activation.SOFTMAX, new AdaFocalLoss());
        AdaFocalCalibrator calibrator = new AdaFocalCalibrator(iterator(threeClasses(128, 9)));
        ParallelWrapper wrapper = wrapper(net);
        wrapper.setListeners(calibrator);
        for (int epoch = 0; epoch < 2; epoch++) {
            wrapper.fit(iterator(train));
        }
        assertTrue(calibrator.history().isEmpty(), "DL4J sent an epoch event to a ParallelWrapper worker");
        assertTrue(adafocalOf(net).isInitialState(), "gamma table changed without calibrate()");
    }

    // ------------------------------------------------------------------ harness

    /** The same network (same seed, same data order) trained on one worker and on {@value #WORKERS}. */
    static final class Runs {
        MultiLayerNetwork single;
        MultiLayerNetwork parallel;
        AdaFocalCalibrator singleCalibrator;
        AdaFocalCalibrator parallelCalibrator;
        final List<GammaSeen> gammasSeen = Collections.synchronizedList(new ArrayList<>());

        static Runs of(Function<Integer, MultiLayerNetwork> factory, DataSet train, int epochs, DataSet validation) {
            Runs r = new Runs();
            r.single = factory.apply(42);
            r.parallel = factory.apply(42);
            assertEquals(r.single.params(), r.parallel.params(), "same initial parameters");
            if (validation != null) {
                r.singleCalibrator = new AdaFocalCalibrator(iterator(validation));
                r.single.setListeners(r.singleCalibrator);
            }
            long t0 = System.nanoTime();
            r.single.fit(iterator(train), epochs);
            long t1 = System.nanoTime();

            ParallelWrapper wrapper = wrapper(r.parallel);
            // per epoch, the networks that trained (by identity): workers 1.. are rebuilt at every fit
            List<List<WeakReference<Model>>> networksPerEpoch = Collections.synchronizedList(new ArrayList<>());
            int[] epoch = {0};
            wrapper.setListeners(new BaseTrainingListener() {
                @Override
                public void iterationDone(Model model, int iteration, int ignored) {
                    int worker;
                    synchronized (networksPerEpoch) {
                        while (networksPerEpoch.size() <= epoch[0]) {
                            networksPerEpoch.add(new ArrayList<>());
                        }
                        List<WeakReference<Model>> networks = networksPerEpoch.get(epoch[0]);
                        worker = -1;
                        for (int i = 0; i < networks.size(); i++) {
                            if (networks.get(i).get() == model) {
                                worker = i;
                            }
                        }
                        if (worker < 0) {
                            networks.add(new WeakReference<>(model));
                            worker = networks.size() - 1;
                        }
                    }
                    Object out = ((MultiLayerNetwork) model).getOutputLayer().conf().getLayer();
                    if (out instanceof BaseOutputLayer && ((BaseOutputLayer) out).getLossFn() instanceof AdaFocalLoss) {
                        double[] gammas = ((AdaFocalLoss) ((BaseOutputLayer) out).getLossFn()).getGammas();
                        r.gammasSeen.add(new GammaSeen(epoch[0], worker, gammas));
                    }
                }
            });
            if (validation != null) {
                r.parallelCalibrator = new AdaFocalCalibrator(iterator(validation));
            }
            for (epoch[0] = 0; epoch[0] < epochs; epoch[0]++) {
                wrapper.fit(iterator(train));
                if (r.parallelCalibrator != null) {
                    r.parallelCalibrator.calibrate(r.parallel);
                }
            }
            long t2 = System.nanoTime();
            System.out.printf(java.util.Locale.ROOT, "[parallel-wrapper] %d epochs: 1 worker %.1f s, %d workers %.1f s%n",
                    epochs, (t1 - t0) / 1e9, WORKERS, (t2 - t1) / 1e9);
            assertEquals(epochs, networksPerEpoch.size(), "epochs with iterations");
            for (int e = 0; e < epochs; e++) {
                assertEquals(WORKERS, networksPerEpoch.get(e).size(), "networks that trained in epoch " + e);
            }
            return r;
        }
    }

    /** The gamma table a worker's network held at one iteration. */
    static final class GammaSeen {
        final int epoch;
        final int worker;
        final double[] gammas;

        GammaSeen(int epoch, int worker, double[] gammas) {
            this.epoch = epoch;
            this.worker = worker;
            this.gammas = gammas;
        }
    }

    static ParallelWrapper wrapper(MultiLayerNetwork net) {
        return new ParallelWrapper.Builder<>(net).workers(WORKERS).averagingFrequency(1)
                .trainingMode(ParallelWrapper.TrainingMode.AVERAGING).prefetchBuffer(2).reportScoreAfterAveraging(false)
                .build();
    }

    static DataSetIterator iterator(DataSet data) {
        return new ListDataSetIterator<>(data.asList(), BATCH);
    }

    static MultiLayerNetwork dense(int seed, int nIn, int nOut, Activation out, ILossFunction loss) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(0.02))
                .dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(nIn).nOut(16).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(loss).nIn(16).nOut(nOut).activation(out).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    static AdaFocalLoss adafocalOf(MultiLayerNetwork net) {
        return (AdaFocalLoss) ((BaseOutputLayer) net.getOutputLayer().conf().getLayer()).getLossFn();
    }

    // ------------------------------------------------------------------ data (seeded)

    /** 6 Gaussian features, 3 labels from fixed linear scores with noise, rare positives (about 20%). */
    static DataSet multiLabel(int n, long seed) {
        Random r = new Random(seed);
        double[][] w = {{1.5, -1, 0.5, 0, 0.8, -0.3}, {-0.5, 1.2, 1, -1, 0, 0.6}, {0.3, 0.4, -1.4, 1.1, -0.7, 0}};
        float[][] x = new float[n][6];
        float[][] y = new float[n][3];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 6; j++) {
                x[i][j] = (float) r.nextGaussian();
            }
            for (int k = 0; k < 3; k++) {
                double s = -1.6 + 0.4 * r.nextGaussian();
                for (int j = 0; j < 6; j++) {
                    s += w[k][j] * x[i][j];
                }
                y[i][k] = s > 0 ? 1 : 0;
            }
        }
        return new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y));
    }

    /** 4 Gaussian features, 3 ordered classes from a noisy linear score (overlapping). */
    static DataSet threeClasses(int n, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][4];
        float[][] y = new float[n][3];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < 4; j++) {
                x[i][j] = (float) r.nextGaussian();
                s += x[i][j] * (j + 1) * 0.5;
            }
            s += 0.8 * r.nextGaussian();
            y[i][s < -1 ? 0 : s < 1 ? 1 : 2] = 1;
        }
        return new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y));
    }

    static final int SIDE = 8;

    /** 1x8x8 noisy images with one bright axis-aligned rectangle; labels [N, 2, 8, 8] one-hot (background, rectangle). */
    static DataSet squares(int n, long seed) {
        Random r = new Random(seed);
        float[][][][] x = new float[n][1][SIDE][SIDE];
        float[][][][] y = new float[n][2][SIDE][SIDE];
        for (int i = 0; i < n; i++) {
            int h = 2 + r.nextInt(3);
            int w = 2 + r.nextInt(3);
            int top = r.nextInt(SIDE - h + 1);
            int left = r.nextInt(SIDE - w + 1);
            for (int a = 0; a < SIDE; a++) {
                for (int b = 0; b < SIDE; b++) {
                    boolean fg = a >= top && a < top + h && b >= left && b < left + w;
                    x[i][0][a][b] = (float) ((fg ? 1.0 : 0.0) + 0.35 * r.nextGaussian());
                    y[i][fg ? 1 : 0][a][b] = 1;
                }
            }
        }
        return new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y));
    }

    // ------------------------------------------------------------------ metrics

    static double labelAccuracy(MultiLayerNetwork net, DataSet test) {
        INDArray p = net.output(test.getFeatures());
        INDArray predicted = p.gt(0.5).castTo(DataType.FLOAT);
        return predicted.eq(test.getLabels()).castTo(DataType.DOUBLE).meanNumber().doubleValue();
    }

    static double majorityLabelAccuracy(DataSet test) {
        double positives = test.getLabels().meanNumber().doubleValue();
        return Math.max(positives, 1 - positives);
    }

    static double accuracy(MultiLayerNetwork net, DataSet test) {
        INDArray predicted = net.output(test.getFeatures()).argMax(1);
        INDArray truth = test.getLabels().argMax(1);
        return predicted.eq(truth).castTo(DataType.DOUBLE).meanNumber().doubleValue();
    }

    static double majorityClassAccuracy(DataSet test) {
        return test.getLabels().sum(0).maxNumber().doubleValue() / test.numExamples();
    }

    /** @return {pixel accuracy, foreground Dice pooled over the test set} from the per-pixel argmax */
    static double[] segmentationMetrics(MultiLayerNetwork net, DataSet test) {
        INDArray predictedFg = net.output(test.getFeatures()).argMax(1).castTo(DataType.DOUBLE);   // [N, H, W]
        INDArray trueFg = test.getLabels().argMax(1).castTo(DataType.DOUBLE);
        double accuracy = predictedFg.eq(trueFg).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        double tp = predictedFg.mul(trueFg).sumNumber().doubleValue();
        double dice = 2 * tp / (predictedFg.sumNumber().doubleValue() + trueFg.sumNumber().doubleValue());
        return new double[]{accuracy, dice};
    }

    private static void report(String loss, String metric, double single, double parallel, String note) {
        System.out.println("[parallel-wrapper] " + loss + ": " + metric + " 1 worker " + fmt(single) + ", " + WORKERS
                + " workers " + fmt(parallel) + ", difference " + fmt(parallel - single)
                + (note.isEmpty() ? "" : " (" + note + ")"));
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }
}
