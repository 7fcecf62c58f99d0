package io.github.lossvariants.sparkexample;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.region.PerImageLossLayer;
import io.github.lossvariants.calibration.AdaFocalCalibrator;
import io.github.lossvariants.calibration.AdaFocalLoss;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Arrays;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark training with this project's losses: {@link SparkDl4jMultiLayer} with a
 * {@link ParameterAveragingTrainingMaster} on {@code local[2]} (two executor threads, each with its
 * own copy of the network built from the configuration Spark ships to it) trains networks with
 * {@code focal}, with {@code ce + dice} behind a {@link PerImageLossLayer}, and with {@code adafocal}
 * (its gamma table updated on the driver after each epoch and shipped with the next); Spark's
 * distributed scoring and evaluation run too. Scores must be finite and fall.
 */
class SparkTrainingTest {
    private static JavaSparkContext sc;
    private static final LossRegistry REGISTRY = LossRegistry.discover();

    @BeforeAll
    static void startSpark() {
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("loss-variants-spark-example")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        sc = new JavaSparkContext(conf);
    }

    @AfterAll
    static void stopSpark() {
        if (sc != null) {
            sc.stop();
        }
    }

    private static ParameterAveragingTrainingMaster trainingMaster() {
        return new ParameterAveragingTrainingMaster.Builder(1).batchSizePerWorker(16).averagingFrequency(2)
                .workerPrefetchNumBatches(0).build();
    }

    @Test
    void focalTrainsOnSpark() {
        ILossFunction focal = REGISTRY.create("focal(gamma=2, alpha=0.25)");
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).updater(new Adam(0.01))
                .dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(16).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(focal).nIn(16).nOut(3).activation(Activation.SIGMOID).build())
                .build();
        double[] scores = train(conf, multiLabel(256, 1), 4);
        assertFalls("focal", scores);
    }

    @Test
    void ceDiceBehindPerImageLossLayerTrainsOnSpark() {
        ILossFunction loss = REGISTRY.create("0.015625*ce + dice");
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).updater(new Adam(0.02))
                .dataType(DataType.FLOAT).convolutionMode(ConvolutionMode.Same).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(2).activation(Activation.IDENTITY).build())
                .layer(new PerImageLossLayer.Builder(loss).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 1)).build();
        double[] scores = train(conf, squares(128, 3), 4);
        assertFalls("ce + dice", scores);
    }

    @Test
    void adafocalTrainsOnSparkWithItsTableUpdatedOnTheDriver() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).updater(new Adam(0.01))
                .dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(16).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(new AdaFocalLoss()).nIn(16).nOut(3).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        DataSet data = threeClasses(256, 5);
        JavaRDD<DataSet> rdd = sc.parallelize(data.asList(), 2);
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net, trainingMaster());
        AdaFocalCalibrator calibrator = new AdaFocalCalibrator(new ListDataSetIterator<>(threeClasses(128, 6).asList(), 64));
        double[] scores = new double[4];
        scores[0] = sparkNet.calculateScore(rdd, true);
        for (int epoch = 1; epoch < scores.length; epoch++) {
            sparkNet.fit(rdd);
            calibrator.calibrate(sparkNet.getNetwork());
            scores[epoch] = sparkNet.calculateScore(rdd, true);
        }
        assertFalls("adafocal", scores);
        AdaFocalLoss trained = (AdaFocalLoss) ((BaseOutputLayer) sparkNet.getNetwork().getOutputLayer().conf().getLayer())
                .getLossFn();
        assertFalse(trained.isInitialState(), "gamma table updated");
        Evaluation evaluation = sparkNet.evaluate(rdd);
        assertTrue(evaluation.accuracy() > 0.6, "Spark evaluation accuracy " + evaluation.accuracy());
    }

    /** Trains {@code epochs} epochs and returns Spark's average score before and after each. */
    private static double[] train(MultiLayerConfiguration conf, DataSet data, int epochs) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        JavaRDD<DataSet> rdd = sc.parallelize(data.asList(), 2);
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net, trainingMaster());
        double[] scores = new double[epochs + 1];
        scores[0] = sparkNet.calculateScore(rdd, true);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            sparkNet.fit(rdd);
            scores[epoch] = sparkNet.calculateScore(rdd, true);
        }
        ILossFunction before = lossOf(conf);
        assertEquals(before, lossOf(sparkNet.getNetwork().getLayerWiseConfigurations()), "the loss after Spark training");
        return scores;
    }

    private static ILossFunction lossOf(MultiLayerConfiguration conf) {
        Object layer = conf.getConf(conf.getConfs().size() - 1).getLayer();
        return layer instanceof BaseOutputLayer ? ((BaseOutputLayer) layer).getLossFn()
                : ((PerImageLossLayer) layer).getLossFn();
    }

    private static void assertFalls(String loss, double[] scores) {
        System.out.println("[spark] " + loss + ": scores per epoch " + Arrays.toString(scores));
        for (double s : scores) {
            assertTrue(Double.isFinite(s), loss + ": " + Arrays.toString(scores));
        }
        assertTrue(scores[scores.length - 1] < scores[0], loss + ": training did not lower the score " + Arrays.toString(scores));
    }

    // ------------------------------------------------------------------ data (seeded)

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

    static DataSet squares(int n, long seed) {
        int side = 8;
        Random r = new Random(seed);
        float[][][][] x = new float[n][1][side][side];
        float[][][][] y = new float[n][2][side][side];
        for (int i = 0; i < n; i++) {
            int h = 2 + r.nextInt(3);
            int w = 2 + r.nextInt(3);
            int top = r.nextInt(side - h + 1);
            int left = r.nextInt(side - w + 1);
            for (int a = 0; a < side; a++) {
                for (int b = 0; b < side; b++) {
                    boolean fg = a >= top && a < top + h && b >= left && b < left + w;
                    x[i][0][a][b] = (float) ((fg ? 1.0 : 0.0) + 0.35 * r.nextGaussian());
                    y[i][fg ? 1 : 0][a][b] = 1;
                }
            }
        }
        return new DataSet(Nd4j.createFromArray(x), Nd4j.createFromArray(y));
    }

}
