package io.github.lossvariants.asymmetric;

import io.github.lossvariants.testkit.LossContractTest;
import org.junit.jupiter.api.Nested;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** The testkit's whole loss contract for ASL: defaults, no clip, and non-integer gammas. */
class AsymmetricContractTest {

    @Nested
    class Defaults extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new AsymmetricLoss();
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }
    }

    @Nested
    class NoClipFractionalGammas extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return AsymmetricLoss.builder().gammaNeg(0.5).gammaPos(0.25).clip(0).build();
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }
    }
}
