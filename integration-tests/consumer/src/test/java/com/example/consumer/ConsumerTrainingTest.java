package com.example.consumer;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.region.PerImageLossLayer;
import org.bytedeco.javacpp.Loader;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trains three steps with {@code focal} and with {@code ce + dice} behind a
 * {@link PerImageLossLayer}, using the library from a Maven repository and the oneDNN CPU backend,
 * and checks that every score is finite and that training moves it.
 */
class ConsumerTrainingTest {
    @Test
    void focalTrainsThreeSteps() {
        ILossFunction focal = LossRegistry.discover().create("focal(gamma=2, alpha=0.25)");   // RetinaNet's setting

        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).updater(new Adam(1e-3)).list()
            .layer(new DenseLayer.Builder().nIn(103).nOut(256).activation(Activation.RELU).build())
            .layer(new OutputLayer.Builder(focal).nIn(256).nOut(14).activation(Activation.SIGMOID).build())
            .build();

        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(1);
        INDArray features = Nd4j.randn(DataType.FLOAT, 32, 103);
        INDArray labels = Nd4j.rand(DataType.FLOAT, 32, 14).lt(0.2).castTo(DataType.FLOAT);
        assertTrainsThreeSteps(net, new DataSet(features, labels));
    }

    @Test
    void ceDiceBehindPerImageLossLayerTrainsThreeSteps() {
        int nClasses = 3;
        // 32x32 images: per-pixel cross-entropy weighted 1/(H*W) plus per-image Dice, as MONAI's DiceCELoss
        ILossFunction loss = LossRegistry.discover().create("0.0009765625*ce + dice(includeBackground=false)");

        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).updater(new Adam(1e-2))
            .convolutionMode(ConvolutionMode.Same).list()
            .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.RELU).build())
            .layer(new ConvolutionLayer.Builder(1, 1).nOut(nClasses).activation(Activation.IDENTITY).build())
            .layer(new PerImageLossLayer.Builder(loss).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.convolutional(32, 32, 1))
            .build();

        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(2);
        INDArray classes = Nd4j.rand(DataType.FLOAT, 4, 1, 32, 32).mul(nClasses).castTo(DataType.INT32);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 4, nClasses, 32, 32);
        for (int c = 0; c < nClasses; c++) {
            labels.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(c))
                    .assign(classes.eq(c).castTo(DataType.FLOAT).reshape(4, 32, 32));
        }
        INDArray features = classes.castTo(DataType.FLOAT).add(Nd4j.randn(DataType.FLOAT, 4, 1, 32, 32).mul(0.3));
        assertTrainsThreeSteps(net, new DataSet(features, labels));
    }

    private static void assertTrainsThreeSteps(MultiLayerNetwork net, DataSet batch) {
        double[] scores = new double[4];
        scores[0] = net.score(batch);
        for (int step = 1; step <= 3; step++) {
            net.fit(batch);
            scores[step] = net.score(batch);
        }
        for (double s : scores) {
            assertTrue(Double.isFinite(s), "scores " + Arrays.toString(scores));
        }
        for (int step = 1; step <= 3; step++) {
            assertNotEquals(scores[step - 1], scores[step], "score unchanged by step " + step + ": " + Arrays.toString(scores));
        }
        assertTrue(scores[3] < scores[0], "three steps did not lower the score: " + Arrays.toString(scores));
        assertEquals("CpuBackend", Nd4j.getBackend().getClass().getSimpleName());
        assertTrue(Loader.getLoadedLibraries().values().stream().anyMatch(path -> path.contains("linux-x86_64-onednn")),
                "the oneDNN build of libnd4jcpu is loaded: " + Loader.getLoadedLibraries().values());
    }
}
