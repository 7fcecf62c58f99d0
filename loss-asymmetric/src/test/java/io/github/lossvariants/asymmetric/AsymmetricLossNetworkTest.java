package io.github.lossvariants.asymmetric;

import io.github.lossvariants.api.LossFunction;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.io.File;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ASL inside DL4J networks: serialization with non-default parameters, and learning rare labels.
 * (DL4J gradient checks with and without masks run in {@link AsymmetricContractTest}.)
 */
class AsymmetricLossNetworkTest {
    private static DataType savedDefault;
    private static DataType savedFloat;

    @BeforeAll
    static void doublePrecision() {
        savedDefault = Nd4j.dataType();
        savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(savedDefault, savedFloat);
    }

    private static MultiLayerNetwork net(LossFunction loss, int nIn, int nOut, long seed, DataType type,
                                         org.nd4j.linalg.learning.config.IUpdater updater) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(type).updater(updater).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(nIn).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(loss).nIn(8).nOut(nOut).activation(Activation.SIGMOID).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    @Test
    void jsonAndModelSerializerRoundTripsKeepEveryParameter(@TempDir File dir) throws Exception {
        AsymmetricLoss loss = AsymmetricLoss.builder().gammaNeg(2.5).gammaPos(0.5).clip(0.1).detachFocusingWeight(true)
                .build();
        MultiLayerNetwork n = net(loss, 4, 3, 7, DataType.DOUBLE, new Adam(0.01));
        MultiLayerConfiguration conf = n.getLayerWiseConfigurations();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        Object restoredLoss = ((OutputLayer) back.getConf(1).getLayer()).getLossFn();
        assertEquals(loss, restoredLoss);

        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 4);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 5, 3).lt(0.4).castTo(DataType.DOUBLE);
        n.fit(new DataSet(x, y));
        File f = new File(dir, "asl.zip");
        ModelSerializer.writeModel(n, f, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(f, true);
        assertEquals(loss, ((OutputLayer) restored.getLayerWiseConfigurations().getConf(1).getLayer()).getLossFn());
        assertEquals(n.params(), restored.params());
        assertEquals(n.output(x), restored.output(x));
        assertEquals(n.score(new DataSet(x, y)), restored.score(new DataSet(x, y)), 1e-12);
        restored.fit(new DataSet(x, y)); // training continues
    }

    // ---- learning rare labels ----

    /** Average precision of one label: mean over positives of the precision at their rank. */
    static double averagePrecision(double[] scores, double[] labels) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]));
        double hits = 0;
        double sum = 0;
        for (int rank = 0; rank < order.length; rank++) {
            if (labels[order[rank]] > 0.5) {
                hits++;
                sum += hits / (rank + 1);
            }
        }
        return hits == 0 ? Double.NaN : sum / hits;
    }

    @Test
    void averagePrecisionHelperOnAHandExample() {
        // ranks of positives 1 and 3: (1/1 + 2/3) / 2
        assertEquals((1.0 + 2.0 / 3) / 2, averagePrecision(new double[]{0.9, 0.8, 0.7, 0.1},
                new double[]{1, 0, 1, 0}), 1e-15);
    }

    @Test
    void aSmallMultiLabelNetworkLearnsRareLabelsWithAsl() {
        int features = 12;
        int labelsCount = 6;
        Random r = new Random(2024);
        double[][] w = new double[labelsCount][features];
        for (double[] row : w) {
            double norm = 0;
            for (int j = 0; j < features; j++) {
                row[j] = r.nextGaussian();
                norm += row[j] * row[j];
            }
            for (int j = 0; j < features; j++) {
                row[j] /= Math.sqrt(norm);
            }
        }
        // label l is on when a unit random projection of the features plus noise (sd 0.3) exceeds a high
        // threshold: prevalence from about 7% down to about 2%
        double[] thresholds = {1.5, 1.6, 1.7, 1.8, 1.9, 2.05};
        int nTrain = 2000;
        int nTest = 2000;
        double[][] xs = new double[nTrain + nTest][features];
        double[][] ys = new double[nTrain + nTest][labelsCount];
        for (int i = 0; i < xs.length; i++) {
            for (int j = 0; j < features; j++) {
                xs[i][j] = r.nextGaussian();
            }
            for (int l = 0; l < labelsCount; l++) {
                double s = 0;
                for (int j = 0; j < features; j++) {
                    s += w[l][j] * xs[i][j];
                }
                s += 0.3 * r.nextGaussian();
                ys[i][l] = s > thresholds[l] * Math.sqrt(1 + 0.09) ? 1 : 0;
            }
        }
        INDArray xTrain = Nd4j.createFromArray(java.util.Arrays.copyOfRange(xs, 0, nTrain)).castTo(DataType.FLOAT);
        INDArray yTrain = Nd4j.createFromArray(java.util.Arrays.copyOfRange(ys, 0, nTrain)).castTo(DataType.FLOAT);
        INDArray xTest = Nd4j.createFromArray(java.util.Arrays.copyOfRange(xs, nTrain, xs.length)).castTo(DataType.FLOAT);
        double[][] yTest = java.util.Arrays.copyOfRange(ys, nTrain, ys.length);

        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(99).dataType(DataType.FLOAT).updater(new Adam(0.01)).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(features).nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(new AsymmetricLoss()).nIn(32).nOut(labelsCount)
                        .activation(Activation.SIGMOID).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        DataSet train = new DataSet(xTrain, yTrain);
        List<DataSet> batches = new ArrayList<>();
        train.batchBy(200).forEach(batches::add);
        for (int epoch = 0; epoch < 12; epoch++) {
            for (DataSet b : batches) {
                n.fit(b);
            }
        }
        INDArray out = n.output(xTest).castTo(DataType.DOUBLE);
        double apSum = 0;
        double prevalenceSum = 0;
        for (int l = 0; l < labelsCount; l++) {
            double[] scores = out.getColumn(l).toDoubleVector();
            double[] truth = new double[nTest];
            double positives = 0;
            for (int i = 0; i < nTest; i++) {
                truth[i] = yTest[i][l];
                positives += truth[i];
            }
            assertTrue(positives >= 20, "label " + l + " has " + positives + " test positives");
            apSum += averagePrecision(scores, truth);
            prevalenceSum += positives / nTest;
        }
        double macroAp = apSum / labelsCount;
        double baseline = prevalenceSum / labelsCount; // the AP of a random ranking
        LoggerFactory.getLogger(getClass()).info("ASL macro AP {} vs prevalence baseline {}", macroAp, baseline);
        assertTrue(baseline < 0.1, "labels should be rare, mean prevalence " + baseline);
        assertTrue(macroAp > 0.6 && macroAp > 6 * baseline, "macro AP " + macroAp + " vs baseline " + baseline);
    }
}
