package io.github.lossvariants.calibration;

import io.github.lossvariants.calibration.metrics.Predictions;
import io.github.lossvariants.calibration.metrics.ReliabilityDiagram;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.io.File;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AdaFocal's update rule, bin lookup, and its state across training, JSON and ModelSerializer. */
class AdaFocalTest {

    @Test
    void updateRuleFollowsThePaper() {
        double[] gammas = {1.0, 0.25, -1.0, -0.21, 19.0};
        AdaFocalLoss loss = new AdaFocalLoss(5, 1.0, 1.0, 20.0, -2.0, 0.2, gammas, null);
        double[] gaps = {0.5, -0.5, 0.3, 0.1, 0.2};
        double[] lower = {0.1, 0.3, 0.5, 0.6, 0.8};
        double[] upper = {0.3, 0.5, 0.6, 0.8, 0.95};
        long[] count = {1, 1, 1, 1, 1};
        double[] conf = {0.9, 0.5, 0.8, 0.6, 0.7};
        double[] acc = new double[5];
        for (int b = 0; b < 5; b++) {
            acc[b] = conf[b] - gaps[b];
        }
        ReliabilityDiagram d = new ReliabilityDiagram(lower, upper, count, conf, acc, 5);
        AdaFocalLoss next = loss.updated(d);
        double[] expected = {
                1.0 * Math.exp(0.5),          // positive: grows with a positive gap
                -0.2,                         // 0.25 e^-0.5 = 0.152 < 0.2: positive flips to -0.2
                -1.0 * Math.exp(-0.3),        // negative: gamma * exp(-lambda gap)
                0.2,                          // -0.21 e^-0.1 = -0.19: negative flips to +0.2
                20.0};                        // 19 e^0.2 = 23.2 clipped to gammaMax
        assertArrayEquals(expected, next.getGammas(), 1e-12);
        assertArrayEquals(new double[]{0.1, 0.3, 0.5, 0.6, 0.8, 0.95}, next.getBinEdges(), 0.0);
        assertArrayEquals(gammas, loss.getGammas(), 0.0, "the old instance is unchanged");
        assertFalse(next.isInitialState());
        assertTrue(new AdaFocalLoss().isInitialState());
    }

    @Test
    void binLookupIsLowerInclusiveWithOpenEnds() {
        AdaFocalLoss loss = new AdaFocalLoss();
        assertEquals(0, loss.binOf(0.0));
        assertEquals(0, loss.binOf(Math.nextDown(1.0 / 15)));
        assertEquals(1, loss.binOf(1.0 / 15));
        assertEquals(14, loss.binOf(1.0));
        AdaFocalLoss narrow = new AdaFocalLoss(3, 1, 1, 20, -2, 0.2, new double[]{1, 2, 3},
                new double[]{0.4, 0.5, 0.6, 0.7});
        assertEquals(0, narrow.binOf(0.1), "first bin open below");
        assertEquals(2, narrow.binOf(0.99), "last bin open above");
        assertEquals(1, narrow.binOf(0.5));
    }

    private static MultiLayerNetwork net(long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(0.05))
                .dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder().nIn(8).nOut(3).activation(Activation.SOFTMAX)
                        .lossFunction(new AdaFocalLoss()).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static DataSet data(int n, long seed) {
        Random r = new Random(seed);
        INDArray x = Nd4j.zeros(DataType.FLOAT, n, 4);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 3);
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < 4; j++) {
                double v = r.nextGaussian();
                x.putScalar(i, j, v);
                s += v * (j + 1) * 0.5;
            }
            s += 0.8 * r.nextGaussian();
            y.putScalar(i, s < -1 ? 0 : s < 1 ? 1 : 2, 1.0);
        }
        return new DataSet(x, y);
    }

    @Test
    void calibratorUpdatesTheLossEachEpochAndTheStateSurvivesSaveAndRestore(@TempDir File dir) throws Exception {
        MultiLayerNetwork net = net(42);
        List<DataSet> train = data(192, 1).asList();
        ListDataSetIterator<DataSet> trainIt = new ListDataSetIterator<>(train, 32);
        ListDataSetIterator<DataSet> valIt = new ListDataSetIterator<>(data(96, 2).asList(), 48);
        AdaFocalCalibrator calibrator = new AdaFocalCalibrator(valIt);
        net.setListeners(calibrator);
        net.fit(trainIt, 2);

        assertEquals(2, calibrator.history().size());
        BaseOutputLayer outConf = (BaseOutputLayer) net.getOutputLayer().conf().getLayer();
        AdaFocalLoss trained = (AdaFocalLoss) outConf.getLossFn();
        assertFalse(trained.isInitialState());
        assertArrayEquals(calibrator.history().get(1), trained.getGammas(), 0.0);
        assertSame(trained, ((BaseOutputLayer) net.getLayerWiseConfigurations().getConf(1).getLayer()).getLossFn(),
                "the network's configuration holds the swapped loss");

        // one more update by hand: exactly prev.updated(validation's equal-mass bins)
        AdaFocalLoss expected = trained.updated(AdaFocalCalibrator.binsOf(Predictions.collect(net, valIt), 15));
        calibrator.onEpochEnd(net);
        AdaFocalLoss updated = (AdaFocalLoss) outConf.getLossFn();
        assertEquals(expected, updated);

        // JSON keeps the gamma table
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson());
        assertEquals(net.getLayerWiseConfigurations(), back);
        assertEquals(updated, ((BaseOutputLayer) back.getConf(1).getLayer()).getLossFn());

        // ModelSerializer: same loss state, same outputs and score, training continues
        File f = new File(dir, "adafocal.zip");
        ModelSerializer.writeModel(net, f, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(f, true);
        AdaFocalLoss restoredLoss = (AdaFocalLoss) ((BaseOutputLayer) restored.getOutputLayer().conf().getLayer())
                .getLossFn();
        assertEquals(updated, restoredLoss);
        assertArrayEquals(updated.getGammas(), restoredLoss.getGammas(), 0.0);
        DataSet probe = data(20, 3);
        assertEquals(net.output(probe.getFeatures()), restored.output(probe.getFeatures()));
        assertEquals(net.score(probe), restored.score(probe), 1e-6);
        AdaFocalCalibrator again = new AdaFocalCalibrator(valIt);
        restored.setListeners(again);
        restored.fit(trainIt, 1);
        assertEquals(1, again.history().size());
        assertNotEquals(restoredLoss, ((BaseOutputLayer) restored.getOutputLayer().conf().getLayer()).getLossFn());
        assertTrue(Double.isFinite(restored.score(probe)));
    }

    @Test
    void calibratorWorksOnAComputationGraph() {
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3)
                .updater(new Adam(0.05)).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder().nIn(8).nOut(3).activation(Activation.SOFTMAX)
                        .lossFunction(new AdaFocalLoss()).build(), "hidden")
                .setOutputs("out").build();
        org.deeplearning4j.nn.graph.ComputationGraph graph = new org.deeplearning4j.nn.graph.ComputationGraph(conf);
        graph.init();
        AdaFocalCalibrator c = new AdaFocalCalibrator(new org.nd4j.linalg.dataset.adapter.MultiDataSetIteratorAdapter(
                new ListDataSetIterator<>(data(64, 6).asList(), 32)));
        graph.setListeners(c);
        graph.fit(new ListDataSetIterator<>(data(96, 5).asList(), 32), 1);
        assertEquals(1, c.history().size());
        AdaFocalLoss loss = (AdaFocalLoss) ((BaseOutputLayer) graph.getOutputLayer(0).conf().getLayer()).getLossFn();
        assertFalse(loss.isInitialState());
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration back =
                org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(graph.getConfiguration().toJson());
        assertEquals(loss, ((BaseOutputLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices()
                .get("out")).getLayerConf().getLayer()).getLossFn());
    }

    @Test
    void calibratorNamesAWrongLoss() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new OutputLayer.Builder().nIn(4).nOut(3).activation(Activation.SOFTMAX)
                        .lossFunction(new DualFocalLoss()).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        AdaFocalCalibrator c = new AdaFocalCalibrator(new ListDataSetIterator<>(data(8, 4).asList(), 8));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> c.onEpochEnd(net));
        assertTrue(e.getMessage().contains("adafocal"), e.getMessage());
    }
}
