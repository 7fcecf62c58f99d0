package io.github.lossvariants.tversky;

import io.github.lossvariants.testkit.LossContractTest;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** The testkit's contract checks on Dice with softmax outputs. */
class DiceSoftmaxContractTest extends LossContractTest {
    @Override
    protected ILossFunction loss() {
        return new DiceLoss();
    }

    @Override
    protected Activation activation() {
        return Activation.SOFTMAX;
    }
}
