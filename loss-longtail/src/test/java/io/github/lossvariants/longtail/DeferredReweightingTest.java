package io.github.lossvariants.longtail;

import io.github.lossvariants.api.baseline.CrossEntropyLoss;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LDAM with deferred re-weighting in a small DL4J training run: the weights switch at the given
 * epoch (0-based), are saved with the model, and a restored network resumes the schedule from its
 * saved epoch count.
 */
class DeferredReweightingTest {
    private static final double[] COUNTS = {60, 20, 5};
    private static final double[] DRW_WEIGHTS = ClassBalancedLoss.effectiveNumberWeights(COUNTS, 0.9999);

    @TempDir
    Path dir;

    /** Records, at the start of every epoch, the class weights of the output layer's LDAM loss. */
    static final class WeightsSeen extends BaseTrainingListener {
        final List<double[]> atEpochStart = new ArrayList<>();

        @Override
        public void onEpochStart(Model model) {
            ILossFunction l = ((BaseOutputLayer) ((MultiLayerNetwork) model).getLayerWiseConfigurations()
                    .getConf(1).getLayer()).getLossFn();
            atEpochStart.add(((LdamLoss) l).getClassWeights());
        }
    }

    private static ListDataSetIterator<DataSet> data() {
        Random rng = new Random(5);
        List<DataSet> examples = new ArrayList<>();
        double[][] centres = {{0, 0}, {2, 0}, {0, 2}};
        for (int c = 0; c < COUNTS.length; c++) {
            for (int i = 0; i < COUNTS[c]; i++) {
                INDArray x = Nd4j.createFromArray(new float[][]{{(float) (centres[c][0] + rng.nextGaussian()),
                        (float) (centres[c][1] + rng.nextGaussian())}});
                INDArray y = Nd4j.zeros(DataType.FLOAT, 1, 3);
                y.putScalar(0, c, 1.0);
                examples.add(new DataSet(x, y));
            }
        }
        Collections.shuffle(examples, rng);
        return new ListDataSetIterator<>(examples, 32);
    }

    private static MultiLayerNetwork network() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nIn(2).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(new LdamLoss(COUNTS)).nIn(8).nOut(3).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static LdamLoss lossOf(MultiLayerNetwork net) {
        return (LdamLoss) ((BaseOutputLayer) net.getLayerWiseConfigurations().getConf(1).getLayer()).getLossFn();
    }

    @Test
    void weightsSwitchAtTheEpochAndAreSavedWithTheModel() throws IOException {
        MultiLayerNetwork net = network();
        WeightsSeen seen = new WeightsSeen();
        net.setListeners(new DeferredReweighting(2), seen);
        ListDataSetIterator<DataSet> it = data();
        net.fit(it, 4);
        assertEquals(4, seen.atEpochStart.size());
        assertNull(seen.atEpochStart.get(0));
        assertNull(seen.atEpochStart.get(1));
        assertArrayEquals(DRW_WEIGHTS, seen.atEpochStart.get(2), 0.0);
        assertArrayEquals(DRW_WEIGHTS, seen.atEpochStart.get(3), 0.0);
        it.reset();
        assertTrue(Double.isFinite(net.score(it.next())));

        File file = dir.resolve("ldam-drw.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(lossOf(net), lossOf(back));
        assertArrayEquals(DRW_WEIGHTS, lossOf(back).getClassWeights(), 0.0);
        assertEquals(4, back.getEpochCount());
        assertTrue(back.getLayerWiseConfigurations().toJson().contains("\"classWeights\""));
    }

    @Test
    void aRestoredNetworkResumesTheScheduleFromItsEpochCount() throws IOException {
        MultiLayerNetwork net = network();
        net.setListeners(new DeferredReweighting(3));
        ListDataSetIterator<DataSet> it = data();
        net.fit(it, 2);
        assertNull(lossOf(net).getClassWeights());
        File file = dir.resolve("ldam-before-drw.zip").toFile();
        ModelSerializer.writeModel(net, file, true);

        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(2, back.getEpochCount());
        WeightsSeen seen = new WeightsSeen();
        back.setListeners(new DeferredReweighting(3), seen);
        back.fit(it, 2);
        assertNull(seen.atEpochStart.get(0));
        assertArrayEquals(DRW_WEIGHTS, seen.atEpochStart.get(1), 0.0);
    }

    @Test
    void computationGraphOutputsAndMistakes() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(2).nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(new LdamLoss(COUNTS)).nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        DeferredReweighting drw = new DeferredReweighting(3, 0.99);
        assertFalse(drw.apply(graph), "epoch 0: before the switch");
        graph.getConfiguration().setEpochCount(3);
        assertTrue(drw.apply(graph));
        assertFalse(drw.apply(graph), "installed already");
        ILossFunction l = ((BaseOutputLayer) ((LayerVertex) graph.getConfiguration()
                .getVertices().get("out")).getLayerConf().getLayer()).getLossFn();
        assertArrayEquals(ClassBalancedLoss.effectiveNumberWeights(COUNTS, 0.99), ((LdamLoss) l).getClassWeights(), 0.0);

        MultiLayerNetwork ce = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new OutputLayer.Builder(CrossEntropyLoss.defaults()).nIn(2).nOut(3).activation(Activation.SOFTMAX)
                        .build()).build());
        ce.init();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> drw.apply(ce));
        assertTrue(e.getMessage().contains("ldam (LdamLoss)") && e.getMessage().contains("OutputLayer with ce"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DeferredReweighting(-1));
        assertThrows(IllegalArgumentException.class, () -> new DeferredReweighting(1, 1.5));
    }
}
