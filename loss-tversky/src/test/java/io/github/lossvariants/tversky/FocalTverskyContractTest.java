package io.github.lossvariants.tversky;

import io.github.lossvariants.testkit.LossContractTest;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** The testkit's contract checks on focal Tversky with sigmoid outputs. */
class FocalTverskyContractTest extends LossContractTest {
    @Override
    protected ILossFunction loss() {
        return FocalTverskyLoss.of(0.3, 0.7, 4.0 / 3);
    }

    @Override
    protected Activation activation() {
        return Activation.SIGMOID;
    }
}
