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

    private static INDArray wholeRowMask() {
        // labels-shaped, constant within each row: row 1 masked
        INDArray mask = Nd4j.ones(DataType.DOUBLE, 3, 4);
        mask.getRow(1).assign(0.0);
        return mask;
    }

    @Test
    void softmaxGradientInMaskedRowsMustBeZero() {
        // a real defect: the score is masked, the gradient is not; DL4J's OutputLayer would learn from
        // masked examples. With a whole-row mask 0 is the exact derivative, so every check sees it.
        ILossFunction broken = new BrokenLosses.SoftmaxGradientIgnoresMask();
        IActivation softmax = Activation.SOFTMAX.getActivationFunction();
        INDArray y = TestArrays.oneHot(3, 4, new Random(4), DataType.DOUBLE);
        INDArray z = logits(DataType.DOUBLE);
        AssertionError fd = assertThrows(AssertionError.class, () -> LossChecks.assertGradientMatchesFiniteDifferences(
                broken, y, z, softmax, wholeRowMask()));
        assertTrue(fd.getMessage().startsWith("[finite differences] softmax-gradient-ignores-mask"), fd.getMessage());
        assertTrue(fd.getMessage().contains("gradient[4] (row 1, column 0)"), fd.getMessage());
        assertTrue(fd.getMessage().contains("at an element the per-output mask zeroes"), fd.getMessage());
        AssertionError masks = assertThrows(AssertionError.class, () -> LossChecks.assertMasksZeroWhatTheyMask(broken,
                y, z, softmax));
        assertTrue(masks.getMessage().contains("of a masked row is"), masks.getMessage());
        AssertionError gc = assertThrows(AssertionError.class, () -> LossChecks.assertDl4jGradientCheck(broken,
                Activation.SOFTMAX, 3, MaskKind.PER_OUTPUT));
        assertTrue(gc.getMessage().startsWith("[DL4J gradient check (minibatch 3, mask PER_OUTPUT)]"), gc.getMessage());
        // the correct loss passes the same checks
        ILossFunction ok = new TestCeLoss();
        LossChecks.assertGradientMatchesFiniteDifferences(ok, y, z, softmax, wholeRowMask());
        LossChecks.assertMasksZeroWhatTheyMask(ok, y, z, softmax);
        LossChecks.assertDl4jGradientCheck(ok, Activation.SOFTMAX, 3, MaskKind.PER_OUTPUT);
    }

    @Test
    void softmaxLossAcceptingAMaskThatDiffersWithinARowIsCaught() {
        // exact derivative of the masked score: right behind CnnLossLayer, wrong behind OutputLayer
        ILossFunction exact = new SoftmaxExactMaskedCe();
        IActivation softmax = Activation.SOFTMAX.getActivationFunction();
        INDArray y = TestArrays.oneHot(3, 4, new Random(4), DataType.DOUBLE);
        INDArray z = logits(DataType.DOUBLE);
        AssertionError e = assertThrows(AssertionError.class, () -> LossChecks.assertPartialRowMaskRejected(exact, y, z,
                softmax));
        assertTrue(e.getMessage().startsWith("[partial-row mask] softmax-exact-masked-ce: computeScore accepted a"
                + " labels-shaped mask that differs within row 2 (column 2 masked)"), e.getMessage());
        // ... and its gradient at the masked class is not the 0 OutputLayer needs
        INDArray partial = Nd4j.ones(DataType.DOUBLE, 3, 4);
        partial.putScalar(0, 1, 0.0);
        AssertionError fd = assertThrows(AssertionError.class, () -> LossChecks.assertGradientMatchesFiniteDifferences(
                exact, y, z, softmax, partial));
        assertTrue(fd.getMessage().contains("gradient[1]"), fd.getMessage());
        // with masks constant within rows it is correct, so only the rejection check catches it
        LossChecks.assertGradientMatchesFiniteDifferences(exact, y, z, softmax, wholeRowMask());
        LossChecks.assertMasksZeroWhatTheyMask(exact, y, z, softmax);
        LossChecks.assertDl4jGradientCheck(exact, Activation.SOFTMAX, 3, MaskKind.PER_OUTPUT);
        // the correct loss rejects it clearly
        LossChecks.assertPartialRowMaskRejected(new TestCeLoss(), y, z, softmax);
    }

    @Test
    void dl4jMcxentIsCaughtItsScoreAcceptsTheMaskItsGradientThrowsUnsupportedOperation() {
        // DL4J's own LossMCXENT: computeScore silently accepts a per-output mask with softmax,
        // computeGradient throws an UnsupportedOperationException that names no loss
        ILossFunction mcxent = new org.nd4j.linalg.lossfunctions.impl.LossMCXENT();
        AssertionError e = assertThrows(AssertionError.class, () -> LossChecks.assertPartialRowMaskRejected(mcxent,
                TestArrays.oneHot(3, 4, new Random(4), DataType.DOUBLE), logits(DataType.DOUBLE),
                Activation.SOFTMAX.getActivationFunction()));
        assertTrue(e.getMessage().startsWith("[partial-row mask]"), e.getMessage());
        assertTrue(e.getMessage().contains("LossMCXENT"), e.getMessage());
        assertTrue(e.getMessage().contains("computeScore accepted a labels-shaped mask that differs within row 2"),
                e.getMessage());
        INDArray partial = Nd4j.ones(DataType.DOUBLE, 3, 4);
        partial.putScalar(2, 2, 0.0);
        assertThrows(UnsupportedOperationException.class, () -> mcxent.computeGradient(
                TestArrays.oneHot(3, 4, new Random(4), DataType.DOUBLE), logits(DataType.DOUBLE),
                Activation.SOFTMAX.getActivationFunction(), partial));
    }

    @Test
    void halfOverflowIsCaughtWhereFloatIsFine() {
        INDArray z = Nd4j.createFromArray(new double[][]{{12, -1, 0.5, 2}, {1, 12, -3, 0}, {0, 0, 12, 1}});
        AssertionError e = assertThrows(AssertionError.class, () -> LossChecks.assertHalfMatchesFloat(
                new BrokenLosses.SoftplusInInputType(), labels(DataType.FLOAT), z, SIGMOID, null));
        assertTrue(e.getMessage().startsWith("[HALF precision] softplus-in-input-type"), e.getMessage());
        assertTrue(e.getMessage().contains("is Infinity") || e.getMessage().contains("is NaN"), e.getMessage());
    }

    @Test
    void aCorrectLossMatchesFloatInHalf() {
        LossChecks.assertHalfMatchesFloat(new TestBceLoss(1), labels(DataType.FLOAT), logits(DataType.FLOAT).muli(1000),
                SIGMOID, rowMask(DataType.FLOAT));
    }

    @Test
    void aNonSerializableFieldIsCaughtByJavaSerialization() {
        AssertionError e = assertThrows(AssertionError.class, () -> LossChecks.assertJavaSerializationRoundTrip(
                new BrokenLosses.HoldsNonSerializableField(), Activation.SIGMOID, 3));
        assertTrue(e.getMessage().startsWith("[Java serialization round trip] holds-lock"), e.getMessage());
        assertTrue(e.getMessage().contains("NotSerializableException: java.lang.Object"), e.getMessage());
    }
}
