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
 * {@code balanced-softmax} with tau != 1 (Menon et al.'s logit adjustment) has no reference
 * vector: a value computed by hand, finite differences, and the identities tau = 0 (cross-entropy),
 * invariance to scaling the counts (counts and priors give the same loss), and tau = 1 against
 * cross-entropy on x + log n.
 */
class BalancedSoftmaxTest {
    private static final IActivation SOFTMAX = new ActivationSoftmax();
    private static final double[] COUNTS = {1000, 200, 45, 9, 2};

    @Test
    void handComputedValueAtTauOneHalf() {
        // counts [100, 10, 1], tau 1/2, x = [1, 0, -1]: x + tau ln n = [1 + ln 10, ln(10)/2, -1], so
        // exp(.) = [10 e, sqrt 10, 1/e]; label class 2: loss = ln(10 e + sqrt 10 + 1/e) + 1
        BalancedSoftmaxLoss loss = new BalancedSoftmaxLoss(new double[]{100, 10, 1}, 0.5);
        INDArray x = Nd4j.createFromArray(new double[][]{{1, 0, -1}});
        INDArray y = Nd4j.createFromArray(new double[][]{{0, 0, 1}});
        double sum = 10 * Math.E + Math.sqrt(10) + 1 / Math.E;
        assertEquals(Math.log(sum) + 1, loss.computeScore(y, x, SOFTMAX, null, false), 1e-14);
        // gradient: softmax(x + tau ln n) - y
        double[] expected = {10 * Math.E / sum, Math.sqrt(10) / sum, 1 / Math.E / sum - 1};
        assertArrayEquals(expected, loss.computeGradient(y, x, SOFTMAX, null).toDoubleVector(), 1e-14);
        // float
        assertEquals(Math.log(sum) + 1, loss.computeScore(y.castTo(DataType.FLOAT), x.castTo(DataType.FLOAT), SOFTMAX,
                null, false), 1e-5);
    }

    @Test
    void gradientMatchesFiniteDifferencesForTauNotOne() {
        Random rng = new Random(11);
        for (double tau : new double[]{0.25, 0.5, 2.0}) {
            BalancedSoftmaxLoss loss = new BalancedSoftmaxLoss(COUNTS, tau);
            INDArray z = TestArrays.gaussian(6, 5, 3.0, rng, DataType.DOUBLE);
            LossChecks.assertGradientMatchesFiniteDifferences(loss, TestArrays.oneHot(6, 5, rng, DataType.DOUBLE), z,
                    SOFTMAX, null);
            LossChecks.assertGradientMatchesFiniteDifferences(loss,
                    LongTailContractTests.softRows(6, 5, rng, DataType.DOUBLE), z, SOFTMAX, null);
        }
    }

    @Test
    void tauZeroIsCrossEntropyAndCountsActAsPriors() {
        Random rng = new Random(12);
        INDArray z = TestArrays.gaussian(8, 5, 2.0, rng, DataType.DOUBLE);
        INDArray y = TestArrays.oneHot(8, 5, rng, DataType.DOUBLE);
        assertArrayEquals(CrossEntropyLoss.defaults().computeScoreArray(y, z, SOFTMAX, null).toDoubleVector(),
                new BalancedSoftmaxLoss(COUNTS, 0.0).computeScoreArray(y, z, SOFTMAX, null).toDoubleVector(), 1e-10);
        // priors n / sum n give the same loss as the counts (the constant cancels in the softmax)
        double total = 0;
        for (double n : COUNTS) {
            total += n;
        }
        double[] priors = new double[COUNTS.length];
        for (int j = 0; j < priors.length; j++) {
            priors[j] = COUNTS[j] / total;
        }
        for (double tau : new double[]{0.5, 1.0}) {
            assertArrayEquals(new BalancedSoftmaxLoss(COUNTS, tau).computeScoreArray(y, z, SOFTMAX, null).toDoubleVector(),
                    new BalancedSoftmaxLoss(priors, tau).computeScoreArray(y, z, SOFTMAX, null).toDoubleVector(), 1e-12);
        }
        // tau = 1: cross-entropy of x + log n
        INDArray adjusted = z.dup();
        for (int j = 0; j < COUNTS.length; j++) {
            adjusted.getColumn(j).addi(Math.log(COUNTS[j]));
        }
        assertArrayEquals(CrossEntropyLoss.defaults().computeScoreArray(y, adjusted, SOFTMAX, null).toDoubleVector(),
                new BalancedSoftmaxLoss(COUNTS).computeScoreArray(y, z, SOFTMAX, null).toDoubleVector(), 1e-10);
    }
}
