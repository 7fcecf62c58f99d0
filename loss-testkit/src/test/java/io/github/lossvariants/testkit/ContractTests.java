package io.github.lossvariants.testkit;

import org.junit.jupiter.api.Nested;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** A correct loss of each kind passes the whole contract. */
class ContractTests {

    @Nested
    class SigmoidBce extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new TestBceLoss(0.7);
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }
    }

    @Nested
    class SoftmaxCe extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new TestCeLoss();
        }

        @Override
        protected Activation activation() {
            return Activation.SOFTMAX;
        }

        @Override
        protected int nOut() {
            return 3;
        }
    }

    @Nested
    class RegionDice extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new TestDiceLoss(1e-3, 1);
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }
    }
}
