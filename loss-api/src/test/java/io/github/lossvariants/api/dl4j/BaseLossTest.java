package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.CompoundLoss;
import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ScaledSquaredLoss;
import io.github.lossvariants.api.internal.LossInputs;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BaseLossTest {
    private static final INDArray Z = Nd4j.createFromArray(new double[][]{{0.5, -1.0, 2.0}, {-0.3, 0.8, 0.1}});
    private static final INDArray Y = Nd4j.createFromArray(new double[][]{{1, 0, 1}, {0, 1, 0}});
    private static final INDArray ONE_HOT = Nd4j.createFromArray(new double[][]{{0, 0, 1}, {0, 1, 0}});

    /** Hand formula: scale * (sigmoid(z) - y)^2 per element. */
    private static double squared(double z, double y, double scale) {
        double p = 1 / (1 + Math.exp(-z));
        return scale * (p - y) * (p - y);
    }

    @Test
    void sigmoidBaseSumsRowsAndAppliesMasksWithoutMutatingInputs() {
        ScaledSquaredLoss loss = new ScaledSquaredLoss(2.0);
        INDArray z = Z.dup();
        INDArray y = Y.dup();
        INDArray rowMask = Nd4j.createFromArray(new double[][]{{1}, {0}});
        INDArray rowScores = loss.computeScoreArray(y, z, new ActivationSigmoid(), null);
        assertArrayEquals(new long[]{2, 1}, rowScores.shape());
        double row0 = squared(0.5, 1, 2) + squared(-1, 0, 2) + squared(2, 1, 2);
        double row1 = squared(-0.3, 0, 2) + squared(0.8, 1, 2) + squared(0.1, 0, 2);
        assertEquals(row0, rowScores.getDouble(0, 0), 1e-12);
        assertEquals(row1, rowScores.getDouble(1, 0), 1e-12);
        assertEquals(row0 + row1, loss.computeScore(y, z, new ActivationSigmoid(), null, false), 1e-12);
        assertEquals((row0 + row1) / 2, loss.computeScore(y, z, new ActivationSigmoid(), null, true), 1e-12);
        assertEquals(row0, loss.computeScore(y, z, new ActivationSigmoid(), rowMask, false), 1e-12);
        INDArray grad = loss.computeGradient(y, z, new ActivationSigmoid(), rowMask);
        assertEquals(0.0, grad.getRow(1).norm1Number().doubleValue());
        INDArray outMask = Nd4j.createFromArray(new double[][]{{1, 0, 1}, {1, 1, 0}});
        assertEquals(row0 + row1 - squared(-1, 0, 2) - squared(0.1, 0, 2),
                loss.computeScore(y, z, new ActivationSigmoid(), outMask, false), 1e-12);
        assertEquals(Z, z);
        assertEquals(Y, y);
        assertEquals(Nd4j.createFromArray(new double[][]{{1}, {0}}), rowMask);
    }

    @Test
    void softmaxBaseGivesTheCrossEntropyGradientPMinusY() {
        SoftmaxCrossEntropyTestLoss loss = new SoftmaxCrossEntropyTestLoss();
        INDArray z = Z.dup();
        Pair<Double, INDArray> ours = loss.computeGradientAndScore(ONE_HOT, z, new ActivationSoftmax(), null, false);
        Pair<Double, INDArray> dl4j = new LossMCXENT().computeGradientAndScore(ONE_HOT, Z.dup(), new ActivationSoftmax(),
                null, false);
        assertEquals(dl4j.getFirst(), ours.getFirst(), 1e-9);
        assertTrue(dl4j.getSecond().equalsWithEps(ours.getSecond(), 1e-9), ours.getSecond().toString());
        assertEquals(Z, z);
    }

    @Test
    void clearErrorsForShapesMasksActivationsAndTypes() {
        ScaledSquaredLoss loss = new ScaledSquaredLoss(1.0);
        ActivationSigmoid sigmoid = new ActivationSigmoid();
        LossConfigurationException shapes = assertThrows(LossConfigurationException.class,
                () -> loss.computeScore(Nd4j.zeros(2, 4), Z, sigmoid, null, false));
        assertEquals("scaled-squared: labels and preOutput must have equal shapes; got labels [2, 4] vs preOutput [2, 3]",
                shapes.getMessage());
        LossConfigurationException mask = assertThrows(LossConfigurationException.class,
                () -> loss.computeScore(Y, Z, sigmoid, Nd4j.ones(3, 1), false));
        assertEquals("scaled-squared: unsupported mask shape [3, 1] for labels of shape [2, 3]; allowed: [2, 1] (one weight"
                + " per row) or [2, 3] (one weight per output)", mask.getMessage());
        LossConfigurationException act = assertThrows(LossConfigurationException.class,
                () -> loss.computeScore(Y, Z, new ActivationReLU(), null, false));
        assertTrue(act.getMessage().startsWith("scaled-squared is defined on logits through a sigmoid and needs the layer's"
                + " activation to be SIGMOID; got relu"), act.getMessage());
        LossConfigurationException type = assertThrows(LossConfigurationException.class,
                () -> loss.computeScore(Y, Z.castTo(DataType.INT), sigmoid, null, false));
        assertEquals("scaled-squared: preOutput must be floating point (FLOAT, DOUBLE or HALF), got INT", type.getMessage());
        LossConfigurationException rank = assertThrows(LossConfigurationException.class,
                () -> loss.computeScore(Nd4j.zeros(1, 2, 2, 2), Nd4j.zeros(1, 2, 2, 2), sigmoid, null, false));
        assertTrue(rank.getMessage().contains("expected 2-D [rows, nOut] arrays"), rank.getMessage());
        assertThrows(LossConfigurationException.class,
                () -> new SoftmaxCrossEntropyTestLoss().computeScore(ONE_HOT, Z, sigmoid, null, false));
    }

    @Test
    void nonFiniteLogitsAndLabelsOutsideTheUnitIntervalFailFastNamingCountAndPosition() {
        ScaledSquaredLoss loss = new ScaledSquaredLoss(1.0);
        INDArray z = Z.dup();
        z.putScalar(1, 2, Double.NaN);
        z.putScalar(0, 1, Double.POSITIVE_INFINITY);
        LossConfigurationException nan = assertThrows(LossConfigurationException.class,
                () -> loss.computeGradient(Y, z, new ActivationSigmoid(), null));
        assertEquals("scaled-squared: preOutput contains 2 non-finite values (NaN or infinite); the first is Infinity at"
                + " row 0, column 1. The network diverged before the loss (check the learning rate and the input data);"
                + " -Dlossvariants.checkInputs=false skips this check", nan.getMessage());
        INDArray y = Y.dup();
        y.putScalar(1, 0, 2.0);
        LossConfigurationException labels = assertThrows(LossConfigurationException.class,
                () -> loss.computeScore(y, Z, new ActivationSigmoid(), null, false));
        assertEquals("scaled-squared: labels must lie in [0, 1] (0/1 targets, one-hot rows or soft targets); found values"
                + " from 0.0 to 2.0, the first outside is 2.0 at row 1, column 0", labels.getMessage());
    }

    @Test
    void floatLabelsOfAnotherTypeAreCastNotRejected() {
        ScaledSquaredLoss loss = new ScaledSquaredLoss(1.0);
        double d = loss.computeScore(Y, Z, new ActivationSigmoid(), null, false);
        double f = loss.computeScore(Y.castTo(DataType.INT), Z.castTo(DataType.FLOAT), new ActivationSigmoid(), null, false);
        assertEquals(d, f, 1e-5);
    }

    @Test
    void compoundLossSumsScoresScoreArraysAndGradients() {
        ScaledSquaredLoss a = new ScaledSquaredLoss(1.0);
        ScaledSquaredLoss b = new ScaledSquaredLoss(3.0);
        CompoundLoss c = new CompoundLoss(List.of(a, b), new double[]{0.5, 2.0});
        ActivationSigmoid s = new ActivationSigmoid();
        INDArray mask = Nd4j.createFromArray(new double[][]{{1}, {0}});
        assertEquals(0.5 * a.computeScore(Y, Z, s, mask, false) + 2 * b.computeScore(Y, Z, s, mask, false),
                c.computeScore(Y, Z, s, mask, false), 1e-12);
        INDArray expectedRows = a.computeScoreArray(Y, Z, s, mask).mul(0.5).add(b.computeScoreArray(Y, Z, s, mask).mul(2));
        assertTrue(expectedRows.equalsWithEps(c.computeScoreArray(Y, Z, s, mask), 1e-12));
        INDArray expectedGrad = a.computeGradient(Y, Z, s, mask).mul(0.5).add(b.computeGradient(Y, Z, s, mask).mul(2));
        Pair<Double, INDArray> both = c.computeGradientAndScore(Y, Z, s, mask, false);
        assertTrue(expectedGrad.equalsWithEps(both.getSecond(), 1e-12));
        assertTrue(expectedGrad.equalsWithEps(c.computeGradient(Y, Z, s, mask), 1e-12));
        assertEquals(c.computeScore(Y, Z, s, mask, false), both.getFirst(), 1e-12);
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> new CompoundLoss(List.of(a), new double[]{-1}));
        assertEquals("Invalid weight -1.0 for part 0 (scaled-squared(scale=1)) of a compound loss. Must be a finite number > 0.",
                e.getMessage());
    }

    /** Regression (found by integration-tests' BadInputTest): min/max skip NaN, so NaN labels passed the check and the score was NaN. */
    @Test
    void nanLabelsFailFastWithCountAndPosition() {
        INDArray y = Nd4j.createFromArray(new double[][]{{1, 0, 1}, {0, 1, Double.NaN}});
        INDArray z = Nd4j.createFromArray(new double[][]{{0.5, -1, 2}, {1, 0.25, -0.5}});
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> new ScaledSquaredLoss(1.0).computeScore(y, z, new ActivationSigmoid(), null, false));
        assertEquals("scaled-squared: labels must lie in [0, 1] (0/1 targets, one-hot rows or soft targets); found 1 NaN"
                + " value, the first is NaN at row 1, column 2", e.getMessage());
    }

    @Test
    void requireOneHotAcceptsOneHotAndPaddingRowsAndNamesTheFirstSoftRow() {
        LossInputs.requireOneHot("x", Nd4j.createFromArray(new double[][]{{0, 1, 0}, {0, 0, 0}, {1, 0, 0}}));
        LossConfigurationException soft = assertThrows(LossConfigurationException.class,
                () -> LossInputs.requireOneHot("dual-focal", Nd4j.createFromArray(new double[][]{{0, 1, 0}, {0.25, 0.75, 0}})));
        assertTrue(soft.getMessage().startsWith("dual-focal needs one-hot labels (one 1 per row, 0 elsewhere; soft or"
                + " multi-hot targets are not defined for it); row 1 is [0.25, 0.75, 0.0]"), soft.getMessage());
        LossConfigurationException multi = assertThrows(LossConfigurationException.class,
                () -> LossInputs.requireOneHot("dual-focal", Nd4j.createFromArray(new double[][]{{1, 1, 0}})));
        assertTrue(multi.getMessage().contains("row 0 is [1.0, 1.0, 0.0]"), multi.getMessage());
    }

    @Test
    void maskValuesMustBeFiniteAndNonNegativeAndTheMessageNamesTheFirstWrongEntry() {
        ScaledSquaredLoss loss = new ScaledSquaredLoss(1.0);
        INDArray nanRow = Nd4j.createFromArray(new double[][]{{1}, {Double.NaN}});
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> loss.computeScore(Y, Z, new ActivationSigmoid(), nanRow, false));
        assertEquals("scaled-squared: mask values must be finite and >= 0 (0 leaves an entry out, 1 counts it,"
                + " other values weight it); found 1 NaN or infinite value, the first is NaN at row 1, column 0", e.getMessage());
        INDArray negative = Nd4j.createFromArray(new double[][]{{1, 1, 1}, {1, -1, 1}});
        e = assertThrows(LossConfigurationException.class,
                () -> loss.computeGradient(Y, Z, new ActivationSigmoid(), negative));
        assertEquals("scaled-squared: mask values must be finite and >= 0 (0 leaves an entry out, 1 counts it,"
                + " other values weight it); found 1 negative value, the first is -1.0 at row 1, column 1", e.getMessage());
        INDArray infinite = Nd4j.createFromArray(new double[]{Double.POSITIVE_INFINITY, 1});
        assertThrows(LossConfigurationException.class, () -> loss.computeScoreArray(Y, Z, new ActivationSigmoid(), infinite));
    }

    @Test
    void fractionalMaskWeightsAreAllowedAndScaleLinearly() {
        ScaledSquaredLoss loss = new ScaledSquaredLoss(1.0);
        INDArray weights = Nd4j.createFromArray(new double[][]{{0.5}, {2.5}});
        INDArray rows = loss.computeScoreArray(Y, Z, new ActivationSigmoid(), null);
        assertEquals(0.5 * rows.getDouble(0, 0) + 2.5 * rows.getDouble(1, 0),
                loss.computeScore(Y, Z, new ActivationSigmoid(), weights, false), 1e-12);
    }

    @Test
    void aCompoundWhoseWeightsOverflowWhenSummedIsRejectedAtCreation() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> new CompoundLoss(
                List.of(new ScaledSquaredLoss(1.0), new ScaledSquaredLoss(2.0)), new double[]{1e308, 1e308}));
        assertEquals("The weights of a compound loss must have a finite sum: [1.0E308, 1.0E308] sum to Infinity in"
                + " double precision. Scale them down: only their ratios matter, the overall scale acts like the learning"
                + " rate.", e.getMessage());
    }
}
