package io.github.lossvariants.tversky;

import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Cnn3DLossLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Region losses per volume behind DL4J's {@code Cnn3DLossLayer} (NCDHW): the layer flattens
 * [N, C, D, H, W] to [N*D*H*W, C] rows, each volume's rows contiguous, so a loss configured with
 * {@code rowsPerExample = D*H*W} scores each volume.
 */
class VolumetricNetworkTest {
    private static final int D = 2;
    private static final int H = 3;
    private static final int W = 2;
    private static final int C = 3;
    private static DataType previous;

    @BeforeAll
    static void doubles() {
        previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
    }

    private static MultiLayerNetwork net(RowGroupedLoss loss) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Same).list()
                .layer(new Convolution3D.Builder().kernelSize(1, 1, 1).nOut(C).activation(Activation.TANH)
                        .dataFormat(Convolution3D.DataFormat.NCDHW).build())
                .layer(new Cnn3DLossLayer.Builder(Convolution3D.DataFormat.NCDHW)
                        .lossFunction(loss.withRowsPerExample((long) D * H * W)).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, D, H, W, 2)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static INDArray oneHotVolumes(Random r, int n) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, C, D, H, W);
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < D; d++) {
                for (int h = 0; h < H; h++) {
                    for (int w = 0; w < W; w++) {
                        y.putScalar(new int[]{i, r.nextInt(C), d, h, w}, 1.0);
                    }
                }
            }
        }
        return y;
    }

    @Test
    void gradientCheckPassesAndTheScoreIsTheMeanOfPerVolumeLosses() {
        Random r = new Random(5);
        int n = 3;
        INDArray x = Nd4j.rand(DataType.DOUBLE, n, 2, D, H, W);
        INDArray y = oneHotVolumes(r, n);
        for (RowGroupedLoss loss : new RowGroupedLoss[]{TverskyLoss.of(0.3, 0.7), new DiceLoss()}) {
            MultiLayerNetwork net = net(loss);
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-8)), loss.spec());

            // The network's score (DL4J divides by N) equals the mean over volumes of the loss of each
            // volume alone, computed directly on that volume's rows.
            INDArray logits = net.feedForwardToLayer(0, x).get(1);
            double expected = 0;
            for (int i = 0; i < n; i++) {
                INDArray rowsOfVolume = logits.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).reshape(C, D * H * W)
                        .transpose().dup();
                INDArray labelsOfVolume = y.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).reshape(C, D * H * W)
                        .transpose().dup();
                expected += loss.withRowsPerExample((long) D * H * W).computeScore(labelsOfVolume, rowsOfVolume,
                        new ActivationSoftmax(), null, false);
            }
            net.setInput(x);
            net.setLabels(y);
            net.computeGradientAndScore();
            assertEquals(expected / n, net.score(), 1e-10, loss.spec());
        }
    }
}
