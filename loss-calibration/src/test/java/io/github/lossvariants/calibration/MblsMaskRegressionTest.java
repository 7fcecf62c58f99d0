package io.github.lossvariants.calibration;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Regression (found by integration-tests' LossPropertiesTest, docs/RELIABILITY.md): with a
 * per-output mask zeroing the argmax column, mbls returned count * alpha / K there instead of 0
 * (DL4J's output layers use the loss gradient unmasked).
 */
class MblsMaskRegressionTest {
    @Test
    void aMaskedArgmaxColumnGetsNoGradient() {
        MarginPenaltyLoss loss = new MarginPenaltyLoss(1.0, 5.0);
        INDArray y = Nd4j.createFromArray(new double[][]{{0, 1}});
        INDArray z = Nd4j.createFromArray(new double[][]{{3, 0}}); // d = (-1, 2): column 1 active
        INDArray mask = Nd4j.createFromArray(new double[][]{{0, 1}});
        INDArray g = loss.computeGradient(y, z, new ActivationSoftmax(), mask);
        assertEquals(0.0, g.getDouble(0, 0), 0.0);
        assertEquals(-2.5, g.getDouble(0, 1), 1e-12); // -alpha / K at the active, unmasked column
        assertEquals(2.5 * 2, loss.computeScore(y, z, new ActivationSoftmax(), mask, false), 1e-12);
    }
}
