package io.github.lossvariants.focal;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.baseline.BinaryCrossEntropyLoss;
import io.github.lossvariants.api.baseline.CrossEntropyLoss;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gamma = 0 is DL4J's own cross-entropy; the bce/ce wrappers equal DL4J's losses but never write into inputs. */
class BaselineTest {
    private static final Random R = new Random(5);

    private static INDArray logits(int rows, int cols) {
        double[][] z = new double[rows][cols];
        for (double[] row : z) {
            for (int j = 0; j < cols; j++) {
                row[j] = 6 * R.nextDouble() - 3;
            }
        }
        return Nd4j.createFromArray(z);
    }

    private static INDArray binaryLabels(int rows, int cols) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                y.putScalar(i, j, R.nextInt(3) == 0 ? 1 : 0);
            }
        }
        return y;
    }

    private static INDArray oneHot(int rows, int cols) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, rows, cols);
        for (int i = 0; i < rows; i++) {
            y.putScalar(i, R.nextInt(cols), 1);
        }
        return y;
    }

    private static void assertClose(INDArray expected, INDArray actual, double rtol) {
        assertEquals(expected.length(), actual.length());
        for (long k = 0; k < expected.length(); k++) {
            double e = expected.getDouble(k);
            assertEquals(e, actual.getDouble(k), 1e-12 + rtol * Math.abs(e), "element " + k);
        }
    }

    /** Score array and gradient of a loss, each call on a fresh copy of preOutput (DL4J's losses write into it). */
    private static Pair<INDArray, INDArray> run(ILossFunction loss, INDArray y, INDArray z, IActivation act, INDArray mask) {
        INDArray scores = loss.computeScoreArray(y, z.dup(), act, mask);
        INDArray grad = loss.computeGradient(y, z.dup(), act, mask);
        return new Pair<>(scores, grad);
    }

    @Test
    void focalWithGammaZeroIsDl4jBinaryCrossEntropy() {
        INDArray y = binaryLabels(6, 4);
        INDArray z = logits(6, 4);
        INDArray perOutputMask = binaryLabels(6, 4).rsubi(1);
        for (INDArray mask : new INDArray[]{null, perOutputMask}) {
            Pair<INDArray, INDArray> dl4j = run(new LossBinaryXENT(0), y, z, new ActivationSigmoid(), mask);
            Pair<INDArray, INDArray> focal = run(new FocalLoss(0, null), y, z, new ActivationSigmoid(), mask);
            Pair<INDArray, INDArray> bce = run(new BinaryCrossEntropyLoss(null, 0), y, z, new ActivationSigmoid(), mask);
            // DL4J computes log(sigmoid(z)) and log(1 - sigmoid(z)): rounding ~1e-16 / (1 - p) for |z| <= 3
            assertClose(dl4j.getFirst(), focal.getFirst(), 1e-12);
            assertClose(dl4j.getSecond(), focal.getSecond(), 1e-12);
            // bce(clipEps=0) works from the logits (DL4J's LossBinaryXENT(0) is NaN at saturated outputs)
            assertClose(dl4j.getFirst(), bce.getFirst(), 1e-12);
            assertClose(dl4j.getSecond(), bce.getSecond(), 1e-12);
        }
        // DL4J's default clipping only changes saturated outputs
        Pair<INDArray, INDArray> dl4jDefault = run(new LossBinaryXENT(), y, z, new ActivationSigmoid(), null);
        assertEquals(dl4jDefault.getFirst(), run(BinaryCrossEntropyLoss.defaults(), y, z, new ActivationSigmoid(), null).getFirst());
        assertClose(dl4jDefault.getFirst(), run(new FocalLoss(0, null), y, z, new ActivationSigmoid(), null).getFirst(), 1e-12);
    }

    @Test
    void softmaxFocalWithGammaZeroIsDl4jSoftmaxCrossEntropy() {
        INDArray y = oneHot(6, 4);
        INDArray z = logits(6, 4);
        INDArray perRow = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}, {1}, {0}, {1}});
        // the same mask labels-shaped (whole rows): ours accept it as that per-row mask, LossMCXENT does not
        INDArray perOutputRows = Nd4j.ones(DataType.DOUBLE, 6, 4).muliColumnVector(perRow);
        double[] w = {0.5, 1, 2, 4};
        for (INDArray[] masks : new INDArray[][]{{null, null}, {perRow, perRow}, {perRow, perOutputRows}}) {
            INDArray dl4jMask = masks[0];
            INDArray mask = masks[1];
            Pair<INDArray, INDArray> dl4j = run(new LossMCXENT(), y, z, new ActivationSoftmax(), dl4jMask);
            assertClose(dl4j.getFirst(), run(new SoftmaxFocalLoss(0, null), y, z, new ActivationSoftmax(), mask).getFirst(), 1e-12);
            assertClose(dl4j.getSecond(), run(new SoftmaxFocalLoss(0, null), y, z, new ActivationSoftmax(), mask).getSecond(), 1e-12);
            Pair<INDArray, INDArray> ce = run(CrossEntropyLoss.defaults(), y, z, new ActivationSoftmax(), mask);
            assertEquals(dl4j.getFirst(), ce.getFirst());
            assertEquals(dl4j.getSecond(), ce.getSecond());

            Pair<INDArray, INDArray> dl4jWeighted = run(new LossMCXENT(Nd4j.createFromArray(new double[][]{w})), y, z,
                    new ActivationSoftmax(), dl4jMask);
            Pair<INDArray, INDArray> focalWeighted = run(new SoftmaxFocalLoss(0, w), y, z, new ActivationSoftmax(), mask);
            assertClose(dl4jWeighted.getFirst(), focalWeighted.getFirst(), 1e-12);
            assertClose(dl4jWeighted.getSecond(), focalWeighted.getSecond(), 1e-12);
            assertEquals(dl4jWeighted.getSecond(), run(CrossEntropyLoss.weighted(w), y, z, new ActivationSoftmax(), mask).getSecond());
        }
    }

    @Test
    void weightedBceEqualsDl4jWeightedBce() {
        INDArray y = binaryLabels(5, 3);
        INDArray z = logits(5, 3);
        double[] w = {1, 0.5, 3};
        Pair<INDArray, INDArray> dl4j = run(new LossBinaryXENT(Nd4j.createFromArray(new double[][]{w})), y, z,
                new ActivationSigmoid(), null);
        Pair<INDArray, INDArray> ours = run(BinaryCrossEntropyLoss.weighted(w), y, z, new ActivationSigmoid(), null);
        assertEquals(dl4j.getFirst(), ours.getFirst());
        assertEquals(dl4j.getSecond(), ours.getSecond());
        // and in float, where the weights are cast to the data type
        Pair<INDArray, INDArray> f = run(BinaryCrossEntropyLoss.weighted(w), y.castTo(DataType.FLOAT), z.castTo(DataType.FLOAT),
                new ActivationSigmoid(), null);
        assertClose(dl4j.getSecond(), f.getSecond().castTo(DataType.DOUBLE), 1e-5);
    }

    /** The trap this module guards against, documented by a test: DL4J's own losses write into preOutput. */
    @Test
    void rawDl4jLossesWriteIntoPreOutputAndOursDoNot() {
        INDArray y = binaryLabels(4, 3);
        INDArray z = logits(4, 3);
        INDArray original = z.dup();

        INDArray raw = z.dup();
        new LossBinaryXENT().computeGradient(y, raw, new ActivationSigmoid(), null);
        assertNotEquals(original, raw, "LossBinaryXENT.computeGradient overwrites preOutput");
        raw = z.dup();
        new LossMCXENT().computeGradient(y, raw, new ActivationSigmoid(), null);
        assertNotEquals(original, raw, "LossMCXENT.computeGradient with a non-softmax activation overwrites preOutput");

        INDArray yOriginal = y.dup();
        INDArray perOutput = binaryLabels(4, 3);
        INDArray perOutputOriginal = perOutput.dup();
        INDArray perRow = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}, {1}});
        INDArray perRowOriginal = perRow.dup();
        INDArray perOutputRows = Nd4j.ones(DataType.DOUBLE, 4, 3).muliColumnVector(perRow);
        INDArray perOutputRowsOriginal = perOutputRows.dup();
        List<LossFunction> losses = List.of(BinaryCrossEntropyLoss.defaults(), BinaryCrossEntropyLoss.weighted(1, 2, 3),
                CrossEntropyLoss.defaults(), CrossEntropyLoss.weighted(1, 2, 3));
        for (LossFunction loss : losses) {
            boolean ce = loss instanceof CrossEntropyLoss;
            IActivation act = ce ? new ActivationSoftmax() : new ActivationSigmoid();
            // bce needs a sigmoid, ce a softmax: any other activation is rejected before DL4J's code runs
            org.junit.jupiter.api.Assertions.assertThrows(LossConfigurationException.class,
                    () -> loss.computeGradient(y, z, new ActivationTanH(), null));
            {
                for (INDArray mask : new INDArray[]{null, perRow, perOutput, perOutputRows}) {
                    if (ce && mask == perOutput) {
                        // a mask that differs within a row: rejected under softmax, clearly, before DL4J sees it
                        org.junit.jupiter.api.Assertions.assertThrows(LossConfigurationException.class,
                                () -> loss.computeGradient(y, z, act, perOutput));
                        org.junit.jupiter.api.Assertions.assertThrows(LossConfigurationException.class,
                                () -> loss.computeScoreArray(y, z, act, perOutput));
                        assertEquals(perOutputOriginal, perOutput, loss.spec() + " wrote into the mask");
                        continue;
                    }
                    loss.computeGradientAndScore(y, z, act, mask, false);
                    loss.computeGradient(y, z, act, mask);
                    loss.computeScoreArray(y, z, act, mask);
                    loss.computeScore(y, z, act, mask, true);
                    String what = loss.spec() + " with " + act + " and mask " + (mask == null ? "none" : mask.shapeInfoToString());
                    assertEquals(original, z, what + " wrote into preOutput");
                    assertEquals(yOriginal, y, what + " wrote into labels");
                    assertEquals(perOutputOriginal, perOutput, what + " wrote into the mask");
                    assertEquals(perRowOriginal, perRow, what + " wrote into the mask");
                    assertEquals(perOutputRowsOriginal, perOutputRows, what + " wrote into the mask");
                }
            }
        }
    }

    /**
     * ce with SOFTMAX: a labels-shaped mask constant within rows is the per-row mask it equals (DL4J's
     * LossMCXENT would throw UnsupportedOperationException from its gradient); one that differs within
     * a row is rejected with a message naming the loss, the row and the alternatives.
     */
    @Test
    void ceWithSoftmaxAcceptsWholeRowPerOutputMasksAndRejectsPartialRowsClearly() {
        INDArray y = oneHot(6, 4);
        INDArray z = logits(6, 4);
        INDArray perRow = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}, {1}, {0}, {1}});
        INDArray perOutputRows = Nd4j.ones(DataType.DOUBLE, 6, 4).muliColumnVector(perRow);
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                () -> new LossMCXENT().computeGradient(y, z.dup(), new ActivationSoftmax(), perOutputRows));
        for (CrossEntropyLoss ce : new CrossEntropyLoss[]{CrossEntropyLoss.defaults(), CrossEntropyLoss.weighted(1, 2, 3, 4)}) {
            Pair<INDArray, INDArray> rows = run(ce, y, z, new ActivationSoftmax(), perRow);
            Pair<INDArray, INDArray> labelsShaped = run(ce, y, z, new ActivationSoftmax(), perOutputRows);
            assertEquals(rows.getFirst(), labelsShaped.getFirst());
            assertEquals(rows.getSecond(), labelsShaped.getSecond());
            assertEquals(0.0, labelsShaped.getSecond().getRow(1).norm1Number().doubleValue(), 0.0);
            INDArray partial = perOutputRows.dup();
            partial.putScalar(2, 3, 0.0);
            LossConfigurationException e = org.junit.jupiter.api.Assertions.assertThrows(LossConfigurationException.class,
                    () -> ce.computeGradient(y, z, new ActivationSoftmax(), partial));
            assertTrue(e.getMessage().startsWith("ce: a per-output (labels-shaped) mask must be constant within each row"
                    + " for a softmax output, but row 2 has mask values [1.0, 1.0, 1.0, 0.0]"), e.getMessage());
            assertTrue(e.getMessage().contains("per-row mask [rows, 1]"), e.getMessage());
        }
    }

    /** DL4J's LossUtil takes a [1, 1] row mask (minibatch 1) for a per-output mask; LossMCXENT + softmax then throws. */
    @Test
    void ceAcceptsARowMaskForMinibatchOne() {
        INDArray y = oneHot(1, 4);
        INDArray z = logits(1, 4);
        INDArray half = Nd4j.createFromArray(new double[][]{{0.5}});
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                () -> new LossMCXENT().computeGradient(y, z.dup(), new ActivationSoftmax(), half));
        Pair<INDArray, INDArray> unmasked = run(CrossEntropyLoss.defaults(), y, z, new ActivationSoftmax(), null);
        Pair<INDArray, INDArray> masked = run(CrossEntropyLoss.defaults(), y, z, new ActivationSoftmax(), half);
        assertEquals(unmasked.getFirst().mul(0.5), masked.getFirst());
        assertEquals(unmasked.getSecond().mul(0.5), masked.getSecond());
    }

    @Test
    void everyLossKeepsItsParametersThroughNetworkJson() {
        List<LossFunction> losses = List.of(FocalLoss.retinaNet(), new FocalLoss(0.5, null),
                new SoftmaxFocalLoss(1.5, new double[]{0.2, 1, 3}), SoftmaxFocalLoss.defaults(),
                new BinaryCrossEntropyLoss(new double[]{1, 2, 0.5}, 0), BinaryCrossEntropyLoss.defaults(),
                CrossEntropyLoss.weighted(1, 2, 3), CrossEntropyLoss.defaults());
        for (LossFunction loss : losses) {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                    .layer(new DenseLayer.Builder().nIn(2).nOut(4).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(loss).nIn(4).nOut(3).activation(Activation.SIGMOID).build())
                    .build();
            String json = conf.toJson();
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
            assertEquals(conf, back, json);
            ILossFunction restored = ((OutputLayer) back.getConf(1).getLayer()).getLossFn();
            assertEquals(loss, restored, json);
            assertEquals(loss.spec(), ((LossFunction) restored).spec());
            assertTrue(json.contains(loss.getClass().getName()), json);
        }
    }
}
