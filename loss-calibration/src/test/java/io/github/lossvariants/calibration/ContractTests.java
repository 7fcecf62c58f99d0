package io.github.lossvariants.calibration;

import io.github.lossvariants.testkit.LossContractTest;
import org.junit.jupiter.api.Nested;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * The testkit's whole contract (finite differences, DL4J gradient check, masks, mutation, extremes,
 * JSON and ModelSerializer) for every loss of this module, including per-output masks: whole rows for
 * the softmax losses (the only labels-shaped masks they accept; one that differs within a row is
 * rejected with a LossConfigurationException naming the loss, checked by the contract), single
 * outputs for the sigmoid one. Exception: {@code mdca} with SIGMOID (a batch statistic whose means
 * are per row: a labels-shaped mask must be constant within rows, so the kit's scattered sigmoid
 * pattern does not apply; the contract checks that it is rejected).
 */
class ContractTests {
    abstract static class Softmax extends LossContractTest {
        @Override
        protected Activation activation() {
            return Activation.SOFTMAX;
        }
    }

    @Nested
    class FocalAdaptive extends Softmax {
        @Override
        protected ILossFunction loss() {
            return new AdaptiveFocalLoss(3.0);
        }
    }

    @Nested
    class DualFocal extends Softmax {
        @Override
        protected ILossFunction loss() {
            return new DualFocalLoss(5.0);
        }
    }

    @Nested
    class AdaFocal extends Softmax {
        @Override
        protected ILossFunction loss() {
            return LossCase.updatedAdaFocal();
        }
    }

    @Nested
    class LabelSmoothing extends Softmax {
        @Override
        protected ILossFunction loss() {
            return new LabelSmoothingLoss(0.1);
        }
    }

    @Nested
    class FocalLabelSmoothing extends Softmax {
        @Override
        protected ILossFunction loss() {
            return new FocalLabelSmoothingLoss(3.0, 0.1);
        }
    }

    @Nested
    class Mbls extends Softmax {
        @Override
        protected ILossFunction loss() {
            return new MarginPenaltyLoss(1.0, 0.1);
        }
    }

    @Nested
    class MdcaSoftmax extends Softmax {
        @Override
        protected ILossFunction loss() {
            return new MdcaLoss(1.0);
        }
    }

    @Nested
    class FocalAdaptiveSigmoid extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new SigmoidAdaptiveFocalLoss(3.0);
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }
    }

    @Nested
    class MdcaSigmoid extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new MdcaLoss(1.0);
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }

        @Override
        protected boolean supportsPerOutputMask() {
            return false;
        }
    }
}
