package io.github.lossvariants.tversky;

import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.testkit.LossContractTest;
import org.junit.jupiter.api.Nested;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * The testkit's whole contract (gradients against finite differences and DL4J's GradientCheckUtil,
 * masks, no mutation, score = sum of example scores, extreme logits, HALF, JSON, ModelSerializer,
 * Java serialization) for generalized-dice, jaccard, lovasz and mcc, in several settings: sigmoid
 * and softmax, batch on and off, perImage on and off, the Lovász hinge behind SIGMOID and IDENTITY.
 * The testkit's images have 6 rows (2x3) and 4 channels; its sigmoid labels leave some classes
 * absent from some images (generalized Dice's absent-class weights, MCC's empty counts).
 */
class SegmentationContractTests {
    private static final RegionOptions BATCH = RegionOptions.defaults().withBatch(true);

    @Nested
    class GeneralizedDiceSquareSigmoid extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new GeneralizedDiceLoss();
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }
    }

    @Nested
    class GeneralizedDiceSimpleSoftmaxBatch extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new GeneralizedDiceLoss(GeneralizedDiceLoss.WeightType.SIMPLE, 1e-5, BATCH);
        }

        @Override
        protected Activation activation() {
            return Activation.SOFTMAX;
        }
    }

    @Nested
    class JaccardSigmoid extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new JaccardLoss();
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }
    }

    @Nested
    class JaccardSoftmaxBatchWithoutBackground extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new JaccardLoss(1e-5, BATCH.withIncludeBackground(false));
        }

        @Override
        protected Activation activation() {
            return Activation.SOFTMAX;
        }
    }

    @Nested
    class LovaszSoftmaxPerImage extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new LovaszLoss(LovaszLoss.Mode.MULTICLASS, true, 1);
        }

        @Override
        protected Activation activation() {
            return Activation.SOFTMAX;
        }
    }

    @Nested
    class LovaszHingeSigmoidMinibatch extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new LovaszLoss(LovaszLoss.Mode.BINARY, false, 1);
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }
    }

    @Nested
    class LovaszHingeIdentityPerImage extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new LovaszLoss(LovaszLoss.Mode.BINARY, true, 1);
        }

        @Override
        protected Activation activation() {
            return Activation.IDENTITY;
        }
    }

    @Nested
    class MccSigmoidPerImage extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new MccLoss();
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }
    }

    @Nested
    class MccSoftmaxBatch extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new MccLoss(MccLoss.DEFAULT_EPS, BATCH);
        }

        @Override
        protected Activation activation() {
            return Activation.SOFTMAX;
        }
    }
}
