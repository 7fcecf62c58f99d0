package io.github.lossvariants.asymmetric;

import io.github.lossvariants.testkit.LossContractTest;
import io.github.lossvariants.testkit.TestArrays;
import org.junit.jupiter.api.Nested;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Random;

/**
 * The testkit's whole loss contract for unified-focal in both input conventions (the testkit
 * groups 2x3 images behind a CnnLossLayer and runs DL4J's GradientCheckUtil with and without masks).
 */
class UnifiedFocalContractTest {

    @Nested
    class SoftmaxTwoChannels extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new UnifiedFocalLoss();
        }

        @Override
        protected Activation activation() {
            return Activation.SOFTMAX;
        }

        @Override
        protected int nOut() {
            return 2;
        }
    }

    @Nested
    class SigmoidOneChannel extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return new UnifiedFocalLoss(0.3, 0.7, 0.25, null);
        }

        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }

        @Override
        protected int nOut() {
            return 1;
        }

        /** Foreground in about a third of the pixels (the default would make every pixel foreground). */
        @Override
        protected INDArray labels(int rows, int nOut, Random rng, DataType type) {
            return TestArrays.gaussian(rows, nOut, 1.0, rng, type).gt(0.5).castTo(type);
        }
    }
}
