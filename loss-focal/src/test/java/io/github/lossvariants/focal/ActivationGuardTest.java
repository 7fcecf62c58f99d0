package io.github.lossvariants.focal;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.baseline.BinaryCrossEntropyLoss;
import io.github.lossvariants.api.baseline.CrossEntropyLoss;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression tests for what the robustness property tests found (docs/RELIABILITY.md): DL4J's
 * LossMCXENT and LossBinaryXENT accept any activation, so ce behind a sigmoid returned an infinite
 * score (float, logit -1e4) and bce behind a softmax NaN (per-output mask, logits 1e4), silently.
 * Both now fail fast naming the activation.
 */
class ActivationGuardTest {
    private static final INDArray Y = Nd4j.createFromArray(new float[][]{{1, 0, 0}, {0, 0, 1}});
    private static final INDArray Z = Nd4j.createFromArray(new float[][]{{-1e4f, 2, 1e4f}, {0.5f, -1e4f, 3}});

    @Test
    void ceBehindASigmoidFailsInsteadOfReturningInfinity() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> CrossEntropyLoss.defaults().computeScore(Y, Z, new ActivationSigmoid(), null, false));
        assertTrue(e.getMessage().startsWith("ce is defined on logits through a softmax over the classes and needs the"
                + " layer's activation to be SOFTMAX; got sigmoid"), e.getMessage());
        assertTrue(e.getMessage().contains("use bce"), e.getMessage());
        double s = CrossEntropyLoss.defaults().computeScore(Y, Z, new ActivationSoftmax(), null, false);
        assertTrue(Double.isFinite(s), "ce with softmax: " + s);
    }

    @Test
    void bceBehindASoftmaxFailsInsteadOfReturningNaN() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> new BinaryCrossEntropyLoss(null, 0.45).computeGradientAndScore(Y, Z, new ActivationSoftmax(),
                        Nd4j.ones(DataType.FLOAT, 2, 3), false));
        assertTrue(e.getMessage().startsWith("bce is defined on logits through a sigmoid and needs the layer's"
                + " activation to be SIGMOID; got softmax"), e.getMessage());
    }

    /** bce(clipEps=0) returned NaN at saturated float logits (DL4J's log(sigmoid(z))); it now works from the logits. */
    @Test
    void unclippedBceIsFiniteAtSaturatedLogits() {
        INDArray y = Nd4j.createFromArray(new float[][]{{1, 0, 1}, {0, 1, 0}});
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            BinaryCrossEntropyLoss bce = new BinaryCrossEntropyLoss(new double[]{1, 2, 0.5}, 0);
            INDArray z = Z.castTo(type);
            INDArray mask = Nd4j.createFromArray(new float[][]{{1, 0, 1}, {1, 1, 0}}).castTo(type);
            org.nd4j.common.primitives.Pair<Double, INDArray> r = bce.computeGradientAndScore(y.castTo(type), z,
                    new ActivationSigmoid(), mask, false);
            // row 0: z=-1e4, y=1 -> 1e4 (weight 1); z=1e4, y=1 -> 0; row 1: z=0.5, y=0 -> softplus(0.5);
            // z=-1e4, y=1 -> 2e4 (weight 2)
            double expected = 1e4 + Math.log1p(Math.exp(0.5)) + 2e4;
            assertEquals(expected, r.getFirst(), type == DataType.FLOAT ? 1e-2 : 1e-9, type.toString());
            INDArray g = r.getSecond();
            assertEquals(-1.0, g.getDouble(0, 0), 1e-6);
            assertEquals(0.0, g.getDouble(0, 1), 0.0);
            assertEquals(-2.0, g.getDouble(1, 1), 1e-6);
        }
    }

    /** ND4J's softmax op gives NaN for a row of equal, very negative logits; ce shifts the logits first. */
    @Test
    void ceIsFiniteForARowOfVeryNegativeLogits() {
        INDArray y = Nd4j.createFromArray(new double[][]{{1, 0}, {0.4, 0.6}});
        INDArray z = Nd4j.createFromArray(new double[][]{{-1e4, -1e4}, {0.5, -0.25}});
        org.nd4j.common.primitives.Pair<Double, INDArray> r = CrossEntropyLoss.defaults().computeGradientAndScore(y, z,
                new ActivationSoftmax(), null, false);
        double p0 = 1 / (1 + Math.exp(-0.75));
        assertEquals(Math.log(2) - 0.4 * Math.log(p0) - 0.6 * Math.log(1 - p0), r.getFirst(), 1e-12);
        assertEquals(0.5 - 1, r.getSecond().getDouble(0, 0), 1e-12);
        assertEquals(0.5, r.getSecond().getDouble(0, 1), 1e-12);
        assertEquals(p0 - 0.4, r.getSecond().getDouble(1, 0), 1e-12);
    }

    @Test
    void cePartialRowPerOutputMaskFailsWithOurException() {
        INDArray mask = Nd4j.createFromArray(new float[][]{{1, 0, 1}, {1, 1, 1}});
        assertThrows(LossConfigurationException.class,
                () -> CrossEntropyLoss.defaults().computeGradient(Y, Z, new ActivationSoftmax(), mask));
    }
}
