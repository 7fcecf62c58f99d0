package io.github.lossvariants.longtail;

import io.github.lossvariants.api.baseline.CrossEntropyLoss;
import io.github.lossvariants.testkit.LossChecks;
import io.github.lossvariants.testkit.TestArrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code class-balanced(baseLoss=softmax)} has no reference vector: it is the class-balanced softmax
 * cross-entropy of Cui et al., -w_y log p_y, i.e. DL4J's weighted LossMCXENT ({@code ce}) with the
 * effective-number weights. Checked against {@code ce(weights=w)} and by finite differences.
 */
class ClassBalancedSoftmaxTest {
    private static final double[] COUNTS = {800, 90, 12, 3, 40};
    private static final IActivation SOFTMAX = new ActivationSoftmax();

    private static void assertSameAsWeightedCe(ClassBalancedLoss cb, INDArray y, INDArray z, INDArray mask) {
        CrossEntropyLoss ce = CrossEntropyLoss.weighted(cb.getClassWeights());
        assertEquals(ce.computeScore(y, z, SOFTMAX, mask, false), cb.computeScore(y, z, SOFTMAX, mask, false),
                1e-10 * Math.abs(ce.computeScore(y, z, SOFTMAX, mask, false)));
        assertArrayEquals(ce.computeScoreArray(y, z, SOFTMAX, mask).toDoubleVector(),
                cb.computeScoreArray(y, z, SOFTMAX, mask).toDoubleVector(), 1e-10);
        double[][] expected = ce.computeGradient(y, z, SOFTMAX, mask).toDoubleMatrix();
        double[][] actual = cb.computeGradient(y, z, SOFTMAX, mask).toDoubleMatrix();
        for (int r = 0; r < expected.length; r++) {
            assertArrayEquals(expected[r], actual[r], 1e-10, "gradient row " + r);
        }
    }

    @Test
    void equalsWeightedCrossEntropyOnOneHotAndSoftLabels() {
        Random rng = new Random(7);
        INDArray z = TestArrays.gaussian(12, 5, 2.0, rng, DataType.DOUBLE);
        INDArray mask = Nd4j.ones(DataType.DOUBLE, 12, 1);
        mask.putScalar(3, 0, 0.0);
        mask.putScalar(7, 0, 0.5);
        for (double beta : new double[]{0.9, 0.999, 1.0}) {
            ClassBalancedLoss cb = new ClassBalancedLoss(COUNTS, ClassBalancedLoss.Base.SOFTMAX, beta, null);
            INDArray oneHot = TestArrays.oneHot(12, 5, rng, DataType.DOUBLE);
            assertSameAsWeightedCe(cb, oneHot, z, null);
            assertSameAsWeightedCe(cb, oneHot, z, mask);
            assertSameAsWeightedCe(cb, LongTailContractTests.softRows(12, 5, rng, DataType.DOUBLE), z, mask);
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Random rng = new Random(8);
        ClassBalancedLoss cb = new ClassBalancedLoss(COUNTS, ClassBalancedLoss.Base.SOFTMAX, 0.99, null);
        INDArray z = TestArrays.gaussian(6, 5, 3.0, rng, DataType.DOUBLE);
        LossChecks.assertGradientMatchesFiniteDifferences(cb, TestArrays.oneHot(6, 5, rng, DataType.DOUBLE), z, SOFTMAX,
                null);
        LossChecks.assertGradientMatchesFiniteDifferences(cb, LongTailContractTests.softRows(6, 5, rng, DataType.DOUBLE),
                z, SOFTMAX, null);
    }

    @Test
    void handComputedValue() {
        // counts [3, 1], beta 0.5: 1/E = 0.5/(1 - 0.125) = 4/7 and 0.5/0.5 = 1, normalised to sum 2:
        // w = [8/11, 14/11]. Row x = [0, ln 3] (p = [1/4, 3/4]), label class 0: loss = (8/11) ln 4
        ClassBalancedLoss cb = new ClassBalancedLoss(new double[]{3, 1}, ClassBalancedLoss.Base.SOFTMAX, 0.5, null);
        assertArrayEquals(new double[]{8.0 / 11, 14.0 / 11}, cb.getClassWeights(), 1e-15);
        INDArray z = Nd4j.createFromArray(new double[][]{{0, Math.log(3)}});
        INDArray y = Nd4j.createFromArray(new double[][]{{1, 0}});
        assertEquals(8.0 / 11 * Math.log(4), cb.computeScore(y, z, SOFTMAX, null, false), 1e-14);
        // dL/dz = w_y (p - y) = (8/11) [-3/4, 3/4]
        assertArrayEquals(new double[]{-6.0 / 11, 6.0 / 11}, cb.computeGradient(y, z, SOFTMAX, null).toDoubleVector(),
                1e-14);
    }
}
