package io.github.lossvariants.api.baseline;

import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HALF inputs (DL4J's FP16 on GPUs) are computed in FLOAT: finite where FLOAT is, equal to FLOAT's result. */
class HalfPrecisionTest {

    private static INDArray half(double[][] v) {
        return Nd4j.createFromArray(v).castTo(DataType.HALF);
    }

    private static void assertHalfMatchesFloat(ILossFunction loss, INDArray labels, INDArray logits, boolean softmax) {
        var act = softmax ? new ActivationSoftmax() : new ActivationSigmoid();
        Pair<Double, INDArray> h = loss.computeGradientAndScore(labels, logits, act, null, false);
        Pair<Double, INDArray> f = loss.computeGradientAndScore(labels.castTo(DataType.FLOAT), logits.castTo(DataType.FLOAT),
                act, null, false);
        assertTrue(Double.isFinite(h.getFirst()), "HALF score " + h.getFirst());
        assertEquals(DataType.HALF, h.getSecond().dataType());
        assertEquals(0, h.getSecond().isNaN().castTo(DataType.INT).sumNumber().intValue(), "NaN in " + h.getSecond());
        assertEquals(0, h.getSecond().isInfinite().castTo(DataType.INT).sumNumber().intValue(), "Inf in " + h.getSecond());
        // the score is computed in FLOAT from the same (HALF-rounded) inputs: identical
        assertEquals(f.getFirst(), h.getFirst(), 0.0);
        INDArray back = h.getSecond().castTo(DataType.FLOAT);
        double tol = 1e-3 * Math.max(1, f.getSecond().amaxNumber().doubleValue());
        assertTrue(back.sub(f.getSecond()).amaxNumber().doubleValue() <= tol, back + " vs " + f.getSecond());
        INDArray rows = loss.computeScoreArray(labels, logits, act, null);
        assertEquals(DataType.HALF, rows.dataType());
    }

    @Test
    void bceAtLogitsTwelveAndAHundredIsFiniteInHalf() {
        // issue 16: HALF logits [[12, 12]], labels [[1, 0]] gave a NaN score (FLOAT: 11.51); at 100 a NaN gradient
        INDArray y = half(new double[][]{{1, 0}});
        assertHalfMatchesFloat(BinaryCrossEntropyLoss.defaults(), y, half(new double[][]{{12, 12}}), false);
        assertEquals(11.51, BinaryCrossEntropyLoss.defaults().computeScore(y, half(new double[][]{{12, 12}}),
                new ActivationSigmoid(), null, false), 0.01);
        assertHalfMatchesFloat(BinaryCrossEntropyLoss.defaults(), y, half(new double[][]{{100, 100}}), false);
        assertHalfMatchesFloat(new BinaryCrossEntropyLoss(null, 0), y, half(new double[][]{{1e4, -1e4}}), false);
    }

    @Test
    void ceAtLargeLogitsIsFiniteInHalf() {
        INDArray y = half(new double[][]{{1, 0, 0}, {0, 0, 1}});
        assertHalfMatchesFloat(CrossEntropyLoss.defaults(), y, half(new double[][]{{10, 0, 0}, {1e4, -1e4, 0}}), true);
    }

    @Test
    void rowScoresBeyondTheHalfRangeSaturate() {
        // 8 outputs, each BCE = 1e4: the row score 8e4 exceeds HALF's 65504; it saturates in the HALF
        // score array, and the total (a double computed in FLOAT) stays exact
        double[][] ones = new double[1][8];
        double[][] far = new double[1][8];
        Arrays.fill(ones[0], 1.0);
        Arrays.fill(far[0], -1e4);
        ILossFunction bce = new BinaryCrossEntropyLoss(null, 0);
        INDArray rows = bce.computeScoreArray(half(ones), half(far), new ActivationSigmoid(), null);
        assertEquals(DataType.HALF, rows.dataType());
        assertEquals(65504.0, rows.getDouble(0, 0), 0.0);
        assertEquals(8e4, bce.computeScore(half(ones), half(far), new ActivationSigmoid(), null, false), 1.0);
    }
}
