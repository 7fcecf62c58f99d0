package io.github.lossvariants.api;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SerializationPatternTest {

    private static MultiLayerConfiguration conf(ILossFunction loss) {
        return new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(loss).nIn(4).nOut(2).activation(Activation.SIGMOID).build())
                .build();
    }

    @Test
    void singleLossKeepsItsParametersThroughJson() {
        MultiLayerConfiguration c = conf(new ScaledSquaredLoss(5.0));
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(c.toJson());
        assertEquals(c, back);
        OutputLayer out = (OutputLayer) back.getConf(1).getLayer();
        assertEquals(new ScaledSquaredLoss(5.0), out.getLossFn());
    }

    @Test
    void compoundLossKeepsPartsAndWeightsThroughJson() {
        CompoundLoss loss = new CompoundLoss(List.of(new ScaledSquaredLoss(2.0), new ScaledSquaredLoss(3.0)),
                new double[]{0.7, 0.3});
        MultiLayerConfiguration c = conf(loss);
        String json = c.toJson();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        OutputLayer out = (OutputLayer) back.getConf(1).getLayer();
        assertEquals(loss, out.getLossFn(), json);
        assertEquals("0.7*scaled-squared(scale=2) + 0.3*scaled-squared(scale=3)", ((LossFunction) out.getLossFn()).spec());
    }
}
