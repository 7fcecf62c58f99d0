package io.github.lossvariants.testkit;

import io.github.lossvariants.api.dl4j.MaskKind;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each deliberately broken loss fails the check that targets its defect, with a useful message. */
class LossChecksTest {
    private static final IActivation SIGMOID = new ActivationSigmoid();

    private static INDArray labels(DataType t) {
        return TestArrays.binary(3, 4, new Random(1), t);
    }

    private static INDArray logits(DataType t) {
        return TestArrays.gaussian(3, 4, 3.0, new Random(2), t);
    }

    private static INDArray rowMask(DataType t) {
        return Nd4j.createFromArray(new double[]{1, 0, 1}).reshape(3, 1).castTo(t);
    }

    @Test
    void mutationIsCaught() {
        ILossFunction loss = new BrokenLosses.MutatesPreOutput();
        AssertionError e = assertThrows(AssertionError.class,
                () -> LossChecks.assertNoMutation(loss, labels(DataType.DOUBLE), logits(DataType.DOUBLE), SIGMOID, null));
        assertTrue(e.getMessage().startsWith("[no mutation] test-bce(weight=1"), e.getMessage());
        assertTrue(e.getMessage().contains("computeGradient wrote into preOutput: element 0"), e.getMessage());
    }

    @Test
    void correctLossDoesNotMutate() {
        LossChecks.assertNoMutation(new TestBceLoss(1), labels(DataType.FLOAT), logits(DataType.FLOAT), SIGMOID,
                rowMask(DataType.FLOAT));
    }

    @Test
    void wrongGradientSignIsCaughtByFiniteDifferences() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> LossChecks.assertGradientMatchesFiniteDifferences(new BrokenLosses.WrongGradientSign(),
                        labels(DataType.DOUBLE), logits(DataType.DOUBLE), SIGMOID, null));
        assertTrue(e.getMessage().startsWith("[finite differences]"), e.getMessage());
        assertTrue(e.getMessage().contains("gradient[0]"), e.getMessage());
    }

    @Test
    void wrongGradientSignIsCaughtByDl4jGradientCheck() {
        DataType before = Nd4j.dataType();
        AssertionError e = assertThrows(AssertionError.class,
                () -> LossChecks.assertDl4jGradientCheck(new BrokenLosses.WrongGradientSign(), Activation.SIGMOID, 3,
                        MaskKind.NONE));
        assertTrue(e.getMessage().startsWith("[DL4J gradient check (minibatch 3, mask NONE)]"), e.getMessage());
        assertEquals(before, Nd4j.dataType(), "default data type restored");
    }

    @Test
    void correctLossPassesFiniteDifferencesWithEveryMask() {
        TestBceLoss loss = new TestBceLoss(2);
        LossChecks.assertGradientMatchesFiniteDifferences(loss, labels(DataType.DOUBLE), logits(DataType.DOUBLE), SIGMOID,
                null);
        LossChecks.assertGradientMatchesFiniteDifferences(loss, labels(DataType.DOUBLE), logits(DataType.DOUBLE), SIGMOID,
                rowMask(DataType.DOUBLE));
        LossChecks.assertGradientMatchesFiniteDifferences(loss, labels(DataType.FLOAT), logits(DataType.FLOAT), SIGMOID,
                TestArrays.binary(3, 4, new Random(3), DataType.FLOAT));
    }

    @Test
    void rowsThatDoNotAddUpAreCaught() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> LossChecks.assertScoreEqualsSumOfExampleScores(new BrokenLosses.RowsDoNotAddUp(),
                        labels(DataType.DOUBLE), logits(DataType.DOUBLE), SIGMOID, null));
        assertTrue(e.getMessage().startsWith("[score = sum of example scores]"), e.getMessage());
        assertTrue(e.getMessage().contains("rows of computeScoreArray sum to"), e.getMessage());
    }

    @Test
    void ignoredMaskIsCaught() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> LossChecks.assertMasksZeroWhatTheyMask(new BrokenLosses.IgnoresMask(), labels(DataType.DOUBLE),
                        logits(DataType.DOUBLE), SIGMOID));
        assertTrue(e.getMessage().startsWith("[masks [rows,1]]"), e.getMessage());
        assertTrue(e.getMessage().contains("computeScoreArray[1] of a masked row is"), e.getMessage());
    }

    @Test
    void nanAtExtremeLogitsIsCaught() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> LossChecks.assertFiniteAtExtremeLogits(new BrokenLosses.NaiveBce(), SIGMOID, labels(DataType.DOUBLE)));
        assertTrue(e.getMessage().startsWith("[extreme logits] naive-bce"), e.getMessage());
        assertTrue(e.getMessage().contains("float32"), e.getMessage());
    }

    @Test
    void naiveBceIsOtherwiseFineSoOnlyTheExtremeCheckCatchesIt() {
        LossChecks.assertGradientMatchesFiniteDifferences(new BrokenLosses.NaiveBce(), labels(DataType.DOUBLE),
                logits(DataType.DOUBLE), SIGMOID, null);
    }

    @Test
    void fieldDroppedByJsonIsCaughtByTheScoreEvenWhenEqualsIgnoresIt() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> LossChecks.assertJsonRoundTrip(new BrokenLosses.DropsFieldInJson(5.0), Activation.SIGMOID));
        assertTrue(e.getMessage().startsWith("[JSON round trip (MultiLayerConfiguration)]"), e.getMessage());
        assertTrue(e.getMessage().contains("on a fixed input"), e.getMessage());
    }

    @Test
    void fieldDroppedByJsonIsCaughtByEquals() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> LossChecks.assertJsonRoundTrip(new BrokenLosses.DropsFieldEqualsNotices(5.0), Activation.SIGMOID));
        assertTrue(e.getMessage().contains("does not equal the original"), e.getMessage());
    }

    @Test
    void fieldDroppedByJsonIsCaughtByModelSerializer() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> LossChecks.assertModelSerializerRoundTrip(new BrokenLosses.DropsFieldInJson(5.0),
                        Activation.SIGMOID));
        assertTrue(e.getMessage().startsWith("[ModelSerializer round trip]"), e.getMessage());
    }

    @Test
    void correctLossesRoundTrip() {
        LossChecks.assertJsonRoundTrip(new TestBceLoss(0.3), Activation.SIGMOID);
        LossChecks.assertModelSerializerRoundTrip(new TestDiceLoss(1e-3, 1), Activation.SIGMOID);
    }

    @Test
    void softmaxGradientAtMaskedOutputsMustBeZero() {
        // the exact derivative of the masked score is not what DL4J's OutputLayer needs
        ILossFunction exact = new SoftmaxExactMaskedCe();
        INDArray y = TestArrays.oneHot(3, 4, new Random(4), DataType.DOUBLE);
        INDArray z = logits(DataType.DOUBLE);
        INDArray mask = Nd4j.ones(DataType.DOUBLE, 3, 4);
        mask.putScalar(0, 1, 0.0);
        AssertionError e = assertThrows(AssertionError.class, () -> LossChecks.assertGradientMatchesFiniteDifferences(
                exact, y, z, Activation.SOFTMAX.getActivationFunction(), mask));
        assertTrue(e.getMessage().contains("gradient[1]"), e.getMessage());
        assertThrows(AssertionError.class, () -> LossChecks.assertDl4jGradientCheck(exact, Activation.SOFTMAX, 3,
                MaskKind.PER_OUTPUT));
        LossChecks.assertDl4jGradientCheck(new TestCeLoss(), Activation.SOFTMAX, 3, MaskKind.PER_OUTPUT);
    }
}
