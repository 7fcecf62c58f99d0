package io.github.lossvariants.longtail;

import io.github.lossvariants.testkit.LossContractTest;
import io.github.lossvariants.testkit.TestArrays;
import org.junit.jupiter.api.Nested;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Map;
import java.util.Random;

/**
 * The testkit's full contract (gradient checks against finite differences and DL4J's
 * GradientCheckUtil, masks, no mutation, score = sum of example scores, extreme logits, JSON and
 * ModelSerializer round trips) for every loss of this module, each in the setting that exercises
 * most of its code (weights, tau != 1, soft labels, negative epsilon with alpha); more settings run
 * the loss-level checks in {@link LongTailSettingsTest}. nOut is 4, so the class counts have 4 entries.
 */
class LongTailContractTests {
    /** A long tail over 4 classes (imbalance ratio 125). */
    static final double[] COUNTS = {500, 120, 30, 4};

    /** Soft label rows for softmax losses: random positive values summing to 1 (one row in three one-hot). */
    static INDArray softRows(int rows, int nOut, Random rng, DataType type) {
        double[] v = new double[rows * nOut];
        for (int r = 0; r < rows; r++) {
            if (r % 3 == 2) {
                v[r * nOut + rng.nextInt(nOut)] = 1.0;
                continue;
            }
            double sum = 0;
            for (int c = 0; c < nOut; c++) {
                v[r * nOut + c] = 0.05 + rng.nextDouble();
                sum += v[r * nOut + c];
            }
            for (int c = 0; c < nOut; c++) {
                v[r * nOut + c] /= sum;
            }
        }
        return Nd4j.createFromArray(v).reshape('c', new long[]{rows, nOut}).castTo(type);
    }

    abstract static class Sigmoid extends LossContractTest {
        @Override
        protected Activation activation() {
            return Activation.SIGMOID;
        }
    }

    abstract static class Softmax extends LossContractTest {
        @Override
        protected Activation activation() {
            return Activation.SOFTMAX;
        }
    }

    @Nested
    class ClassBalancedFocal extends Sigmoid {
        @Override
        protected ILossFunction loss() {
            return new ClassBalancedLoss(COUNTS);
        }

        /** One-hot rows, the loss's intended labels (sigmoid outputs trained one-vs-all). */
        @Override
        protected INDArray labels(int rows, int nOut, Random rng, DataType type) {
            return TestArrays.oneHot(rows, nOut, rng, type);
        }
    }



    @Nested
    class ClassBalancedSoftmax extends Softmax {
        @Override
        protected ILossFunction loss() {
            return new ClassBalancedLoss(COUNTS, ClassBalancedLoss.Base.SOFTMAX, 0.999, null);
        }
    }



    @Nested
    class LdamReweightedSoftLabels extends Softmax {
        @Override
        protected ILossFunction loss() {
            return new LdamLoss(COUNTS, 0.3, 10, ClassBalancedLoss.effectiveNumberWeights(COUNTS, 0.9999));
        }

        @Override
        protected INDArray labels(int rows, int nOut, Random rng, DataType type) {
            return softRows(rows, nOut, rng, type);
        }
    }


    @Nested
    class LogitAdjustedTauHalfSoftLabels extends Softmax {
        @Override
        protected ILossFunction loss() {
            return new BalancedSoftmaxLoss(COUNTS, 0.5);
        }

        @Override
        protected INDArray labels(int rows, int nOut, Random rng, DataType type) {
            return softRows(rows, nOut, rng, type);
        }
    }

    @Nested
    class Poly extends Softmax {
        @Override
        protected ILossFunction loss() {
            return PolyLoss.defaults();
        }
    }



    @Nested
    class PolyFocalNegativeEpsilonAlpha extends Sigmoid {
        @Override
        protected ILossFunction loss() {
            return new PolyFocalLoss(-1.0, 0.5, 0.25);
        }
    }

    @Nested
    class DistributionBalanced extends Sigmoid {
        @Override
        protected ILossFunction loss() {
            return new DistributionBalancedLoss(new double[]{300, 80, 20, 5}, 500);
        }
    }


    @Nested
    class TwoWay extends LossContractTest {
        @Override
        protected ILossFunction loss() {
            return TwoWayLoss.defaults();
        }

        @Override
        protected Activation activation() {
            return Activation.IDENTITY;
        }
    }

}
