package io.github.lossvariants.it;

import com.example.custom.SquaredHingeLoss;
import com.google.inject.Guice;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.guice.LossModule;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
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
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A user's custom loss, registered through META-INF/services only, used end to end. */
class CustomLossThroughServiceLoaderTest {

    @Test
    void customLossIsFoundByNameTrainsSavesAndRestores(@TempDir Path dir) throws Exception {
        LossFunction loss = LossRegistry.discover().create("squared-hinge(margin=2)");
        assertEquals(new SquaredHingeLoss(2.0), loss);
        LossFunction viaGuice = Guice.createInjector(new LossModule()).getInstance(LossRegistry.class)
                .create("squared-hinge(margin=2)");
        assertEquals(loss, viaGuice);

        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 64, 2).subi(0.5);
        INDArray y = x.getColumn(0).add(x.getColumn(1)).gt(0).castTo(DataType.FLOAT).reshape(64, 1);
        DataSet data = new DataSet(x, y);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(0.05)).list()
                .layer(new DenseLayer.Builder().nIn(2).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(loss).nIn(8).nOut(1).activation(Activation.SIGMOID).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        double before = net.score(data);
        for (int i = 0; i < 60; i++) {
            net.fit(data);
        }
        double after = net.score(data);
        assertTrue(after < 0.5 * before, "score should fall clearly: " + before + " -> " + after);

        File file = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(loss, ((OutputLayer) restored.getLayerWiseConfigurations().getConf(1).getLayer()).getLossFn());
        assertEquals(net.params(), restored.params());
        assertEquals(net.score(data), restored.score(data), 1e-7);
        net.fit(data);
        restored.fit(data);
        assertEquals(net.score(), restored.score(), 1e-7);
    }
}
