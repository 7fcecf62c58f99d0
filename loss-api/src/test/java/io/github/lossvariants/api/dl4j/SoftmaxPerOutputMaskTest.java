package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.internal.LossInputs;

import io.github.lossvariants.api.LossConfigurationException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Softmax losses and per-output (labels-shaped) masks: a mask that differs within a row is rejected
 * with a clear message (softmax couples a row's classes, and DL4J's OutputLayer and CnnLossLayer
 * would need different gradients at a masked class); a row-constant one is the per-row mask it
 * equals, with exactly zero gradient in masked rows and the exact derivative elsewhere.
 */
class SoftmaxPerOutputMaskTest {
    private static final ActivationSoftmax SOFTMAX = new ActivationSoftmax();
    private static final INDArray Z = Nd4j.createFromArray(new double[][]{{0.3, -1.2, 2.0}, {1.0, 0.5, -0.5},
            {-2.0, 0.1, 0.7}});
    private static final INDArray Y = Nd4j.createFromArray(new double[][]{{0, 0, 1}, {1, 0, 0}, {0, 1, 0}});

    @Test
    void maskThatDiffersWithinARowIsRejectedNamingLossRowValuesAndAlternatives() {
        INDArray mask = Nd4j.createFromArray(new double[][]{{1, 1, 1}, {1, 0, 1}, {0, 0, 0}});
        INDArray before = mask.dup();
        SoftmaxCrossEntropyTestLoss loss = new SoftmaxCrossEntropyTestLoss();
        for (Runnable call : new Runnable[]{
                () -> loss.computeScore(Y, Z, SOFTMAX, mask, false),
                () -> loss.computeScoreArray(Y, Z, SOFTMAX, mask),
                () -> loss.computeGradient(Y, Z, SOFTMAX, mask),
                () -> loss.computeGradientAndScore(Y, Z, SOFTMAX, mask, true)}) {
            LossConfigurationException e = assertThrows(LossConfigurationException.class, call::run);
            assertTrue(e.getMessage().startsWith("softmax-ce-test: a per-output (labels-shaped) mask must be constant"
                    + " within each row for a softmax output, but row 1 has mask values [1.0, 0.0, 1.0]"), e.getMessage());
            assertTrue(e.getMessage().contains("per-row mask [rows, 1]"), e.getMessage());
            assertTrue(e.getMessage().contains("[N, 1, H, W]"), e.getMessage());
            assertTrue(e.getMessage().contains("SIGMOID loss"), e.getMessage());
        }
        assertEquals(before, mask, "the mask is not written");
    }

    @Test
    void requireRowConstantMaskAcceptsConstantRowsInEveryTypeAndRejectsBooleanPartialRows() {
        LossInputs.requireRowConstantMask("x", Nd4j.createFromArray(new double[][]{{1, 1}, {0, 0}, {0.5, 0.5}}));
        LossInputs.requireRowConstantMask("x", Nd4j.createFromArray(new float[][]{{1, 1}, {0, 0}}));
        LossInputs.requireRowConstantMask("x", Nd4j.createFromArray(new boolean[][]{{true, true}, {false, false}}));
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () ->
                LossInputs.requireRowConstantMask("x", Nd4j.createFromArray(new boolean[][]{{true, true}, {true, false}})));
        assertTrue(e.getMessage().startsWith("x: a per-output (labels-shaped) mask must be constant within each row"
                + " for a softmax output, but row 1 has mask values [1.0, 0.0]"), e.getMessage());
    }

    @Test
    void rowConstantMaskEqualsThePerRowMaskWithZeroGradientInMaskedRows() {
        SoftmaxCrossEntropyTestLoss loss = new SoftmaxCrossEntropyTestLoss();
        INDArray perOutput = Nd4j.createFromArray(new double[][]{{1, 1, 1}, {0, 0, 0}, {1, 1, 1}});
        INDArray perRow = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}});
        assertEquals(loss.computeScore(Y, Z, SOFTMAX, perRow, false),
                loss.computeScore(Y, Z, SOFTMAX, perOutput, false), 0.0);
        assertEquals(loss.computeScoreArray(Y, Z, SOFTMAX, perRow), loss.computeScoreArray(Y, Z, SOFTMAX, perOutput));
        INDArray g = loss.computeGradient(Y, Z, SOFTMAX, perOutput);
        assertEquals(loss.computeGradient(Y, Z, SOFTMAX, perRow), g);
        for (int j = 0; j < 3; j++) {
            assertEquals(0.0, g.getDouble(1, j), 0.0, "masked row, column " + j);
        }
        assertExactDerivative(loss, perOutput, g);
    }

    @Test
    void fractionalRowWeightsScaleTheGradientLinearly() {
        // a weight w per row gives w * the unmasked gradient (no second multiplication by the mask)
        SoftmaxCrossEntropyTestLoss loss = new SoftmaxCrossEntropyTestLoss();
        INDArray weights = Nd4j.createFromArray(new double[][]{{0.5, 0.5, 0.5}, {2, 2, 2}, {0.25, 0.25, 0.25}});
        INDArray g = loss.computeGradient(Y, Z, SOFTMAX, weights);
        INDArray unmasked = loss.computeGradient(Y, Z, SOFTMAX, null);
        assertTrue(unmasked.mul(weights).equalsWithEps(g, 1e-15), g + " vs " + unmasked.mul(weights));
        assertExactDerivative(loss, weights, g);
    }

    @Test
    void floatMaskWithDoubleLogitsIsCastAndAccepted() {
        SoftmaxCrossEntropyTestLoss loss = new SoftmaxCrossEntropyTestLoss();
        INDArray perOutput = Nd4j.createFromArray(new float[][]{{1, 1, 1}, {0, 0, 0}, {1, 1, 1}});
        assertEquals(DataType.DOUBLE, loss.computeGradient(Y, Z, SOFTMAX, perOutput).dataType());
        assertEquals(loss.computeScore(Y, Z, SOFTMAX, Nd4j.createFromArray(new double[][]{{1}, {0}, {1}}), false),
                loss.computeScore(Y, Z, SOFTMAX, perOutput, false), 0.0);
    }

    private static void assertExactDerivative(SoftmaxCrossEntropyTestLoss loss, INDArray mask, INDArray g) {
        double h = 1e-6;
        for (int i = 0; i < Z.rows(); i++) {
            for (int j = 0; j < Z.columns(); j++) {
                INDArray plus = Z.dup();
                plus.putScalar(i, j, Z.getDouble(i, j) + h);
                INDArray minus = Z.dup();
                minus.putScalar(i, j, Z.getDouble(i, j) - h);
                double numeric = (loss.computeScore(Y, plus, SOFTMAX, mask, false)
                        - loss.computeScore(Y, minus, SOFTMAX, mask, false)) / (2 * h);
                assertEquals(numeric, g.getDouble(i, j), 1e-8, "output " + i + "," + j);
            }
        }
    }
}
