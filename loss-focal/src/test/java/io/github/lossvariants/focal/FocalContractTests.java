package io.github.lossvariants.focal;

import io.github.lossvariants.api.baseline.BinaryCrossEntropyLoss;
import io.github.lossvariants.api.baseline.CrossEntropyLoss;
import io.github.lossvariants.testkit.LossContractTest;
import org.junit.jupiter.api.Nested;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** The testkit's full contract for each loss of this module (no per-output-mask skips: ce included). */
class FocalContractTests {

    @Nested
    class RetinaNetFocal extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return FocalLoss.builder().gamma(2).alpha(0.25).build();
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }
    }

    @Nested
    class FocalGammaHalf extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new FocalLoss(0.5, null);
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }
    }

    @Nested
    class SoftmaxFocal extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return SoftmaxFocalLoss.defaults();
        }

        @Override
        protected Activation activation() {
            return Activation.SOFTMAX;
        }
    }

    @Nested
    class SoftmaxFocalClassWeights extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return SoftmaxFocalLoss.builder().gamma(1.5).classWeights(0.25, 1, 2, 4).build();
        }

        @Override
        protected Activation activation() {
            return Activation.SOFTMAX;
        }
    }

    @Nested
    class Bce extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return BinaryCrossEntropyLoss.defaults();
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }
    }

    @Nested
    class Ce extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return CrossEntropyLoss.defaults();
        }

        @Override
        protected Activation activation() {
            return Activation.SOFTMAX;
        }

        // per-output masks: whole rows are accepted (applied as a per-row mask; DL4J's LossMCXENT would
        // throw UnsupportedOperationException), partial rows rejected with a LossConfigurationException
    }
}
