package io.github.lossvariants.longtail;

import io.github.lossvariants.testkit.LossChecks;
import io.github.lossvariants.testkit.TestArrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static io.github.lossvariants.longtail.LongTailContractTests.COUNTS;

/**
 * The loss-level checks of the testkit (finite differences with and without masks, mask semantics,
 * no mutation, score = sum of example scores, finite at logits of +-100) for the settings that
 * {@link LongTailContractTests} does not run through the whole contract (which adds the network
 * checks: DL4J's gradient check and the serialization round trips).
 */
class LongTailSettingsTest {
    private static final int ROWS = 5;
    private static final int N_OUT = 4;

    /** How a setting's labels are drawn. */
    enum Labels { ONE_HOT, MULTI_HOT, SOFT }

    static Stream<Arguments> settings() {
        return Stream.of(
                Arguments.of("class-balanced sigmoid, multi-hot", new ClassBalancedLoss(COUNTS,
                        ClassBalancedLoss.Base.SIGMOID, 0.99, null), Activation.SIGMOID, Labels.MULTI_HOT),
                Arguments.of("class-balanced softmax beta 1, soft", new ClassBalancedLoss(COUNTS,
                        ClassBalancedLoss.Base.SOFTMAX, 1.0, null), Activation.SOFTMAX, Labels.SOFT),
                Arguments.of("ldam defaults", new LdamLoss(COUNTS), Activation.SOFTMAX, Labels.ONE_HOT),
                Arguments.of("ldam defaults, soft", new LdamLoss(COUNTS), Activation.SOFTMAX, Labels.SOFT),
                Arguments.of("balanced-softmax tau 1", new BalancedSoftmaxLoss(COUNTS), Activation.SOFTMAX,
                        Labels.ONE_HOT),
                Arguments.of("poly epsilon -1, soft", new PolyLoss(-1.0), Activation.SOFTMAX, Labels.SOFT),
                Arguments.of("poly-focal defaults", PolyFocalLoss.defaults(), Activation.SIGMOID, Labels.MULTI_HOT),
                Arguments.of("poly-focal gamma 0 alpha 0.75, soft", new PolyFocalLoss(2.0, 0.0, 0.75), Activation.SIGMOID,
                        Labels.SOFT),
                Arguments.of("distribution-balanced VOC setting, gamma 0.5", new DistributionBalancedLoss(Map.of(
                        "classCounts", new double[]{300, 80, 20, 5}, "trainNum", 500, "gamma", 0.5, "negScale", 5.0,
                        "mapGamma", 0.3)), Activation.SIGMOID, Labels.MULTI_HOT),
                Arguments.of("distribution-balanced gamma 0, mapBeta 0, soft", new DistributionBalancedLoss(Map.of(
                        "classCounts", new double[]{300, 80, 20, 5}, "trainNum", 400, "gamma", 0.0, "mapBeta", 0.0)),
                        Activation.SIGMOID, Labels.SOFT),
                Arguments.of("two-way tp 2 tn 0.5, sigmoid output", new TwoWayLoss(2.0, 0.5), Activation.SIGMOID,
                        Labels.MULTI_HOT));
    }

    private static INDArray labels(Labels kind, Random rng, DataType type) {
        switch (kind) {
            case ONE_HOT:
                return TestArrays.oneHot(ROWS, N_OUT, rng, type);
            case MULTI_HOT:
                return TestArrays.binary(ROWS, N_OUT, rng, type);
            default:
                return LongTailContractTests.softRows(ROWS, N_OUT, rng, type);
        }
    }

    private static INDArray perOutputMask(Activation act, DataType type) {
        INDArray m = Nd4j.ones(type, ROWS, N_OUT);
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < N_OUT; c++) {
                if ((act == Activation.SOFTMAX ? r : r * N_OUT + c) % 3 == 1) {
                    m.putScalar(r, c, 0.0);
                }
            }
        }
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void lossLevelContract(String name, ILossFunction loss, Activation activation, Labels labels) {
        IActivation act = activation.getActivationFunction();
        Random rng = new Random(name.hashCode());
        INDArray y = labels(labels, rng, DataType.DOUBLE);
        INDArray z = TestArrays.gaussian(ROWS, N_OUT, 3.0, rng, DataType.DOUBLE);
        INDArray rowMask = Nd4j.ones(DataType.DOUBLE, ROWS, 1);
        rowMask.putScalar(1, 0, 0.0);
        INDArray outMask = perOutputMask(activation, DataType.DOUBLE);

        LossChecks.assertGradientMatchesFiniteDifferences(loss, y, z, act, null);
        LossChecks.assertGradientMatchesFiniteDifferences(loss, y, z, act, outMask);
        LossChecks.assertMasksZeroWhatTheyMask(loss, y, z, act);
        LossChecks.assertNoMutation(loss, y.castTo(DataType.FLOAT), z.castTo(DataType.FLOAT), act,
                outMask.castTo(DataType.FLOAT));
        LossChecks.assertScoreEqualsSumOfExampleScores(loss, y, z, act, rowMask);
        if (activation == Activation.SOFTMAX) {
            LossChecks.assertPartialRowMaskRejected(loss, y, z, act);
        }
        INDArray hard = labels == Labels.SOFT ? TestArrays.labels(activation, ROWS, N_OUT, rng, DataType.DOUBLE) : y;
        LossChecks.assertFiniteAtExtremeLogits(loss, act, hard);
    }
}
