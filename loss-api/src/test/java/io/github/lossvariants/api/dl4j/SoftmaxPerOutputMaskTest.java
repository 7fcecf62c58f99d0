package io.github.lossvariants.api.dl4j;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * With a per-output mask the softmax gradient is 0 at masked outputs (DL4J's output layers zero the
 * masked pre-activations in the forward pass and use the gradient unmasked) and the exact
 * derivative of the masked score at unmasked outputs.
 */
class SoftmaxPerOutputMaskTest {

    @Test
    void maskedOutputsGetZeroGradientOthersTheExactDerivative() {
        INDArray z = Nd4j.createFromArray(new double[][]{{0.3, -1.2, 2.0}, {1.0, 0.5, -0.5}});
        INDArray y = Nd4j.createFromArray(new double[][]{{0, 0, 1}, {1, 0, 0}});
        INDArray mask = Nd4j.createFromArray(new double[][]{{1, 0, 1}, {1, 1, 0}});
        SoftmaxCrossEntropyTestLoss loss = new SoftmaxCrossEntropyTestLoss();
        INDArray g = loss.computeGradient(y, z, new ActivationSoftmax(), mask);
        double h = 1e-6;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                if (mask.getDouble(i, j) == 0) {
                    assertEquals(0.0, g.getDouble(i, j), 0.0, "masked output " + i + "," + j);
                    continue;
                }
                INDArray plus = z.dup();
                plus.putScalar(i, j, z.getDouble(i, j) + h);
                INDArray minus = z.dup();
                minus.putScalar(i, j, z.getDouble(i, j) - h);
                double numeric = (loss.computeScore(y, plus, new ActivationSoftmax(), mask, false)
                        - loss.computeScore(y, minus, new ActivationSoftmax(), mask, false)) / (2 * h);
                assertEquals(numeric, g.getDouble(i, j), 1e-8, "unmasked output " + i + "," + j);
            }
        }
    }
}
