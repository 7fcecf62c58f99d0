package io.github.lossvariants.focal;

import io.github.lossvariants.api.LossFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Analytic gradients against central finite differences of the un-averaged score (double), with
 * soft labels, and scores against an independent scalar transcription of the formulas.
 */
class GradientTest {
    private static final int ROWS = 5;
    private static final int COLS = 4;

    /** Soft labels in [0, 1] plus a few hard 0/1 entries. */
    private static INDArray softLabels(Random r) {
        double[][] y = new double[ROWS][COLS];
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < COLS; j++) {
                y[i][j] = (i + j) % 3 == 0 ? (r.nextBoolean() ? 1 : 0) : r.nextDouble();
            }
        }
        return Nd4j.createFromArray(y);
    }

    /** Soft distributions over the classes (rows sum to 1). */
    private static INDArray softDistributions(Random r) {
        double[][] y = new double[ROWS][COLS];
        for (int i = 0; i < ROWS; i++) {
            double s = 0;
            for (int j = 0; j < COLS; j++) {
                y[i][j] = i == 0 && j != 2 ? 0 : r.nextDouble();
                s += y[i][j];
            }
            for (int j = 0; j < COLS; j++) {
                y[i][j] /= s;
            }
        }
        return Nd4j.createFromArray(y);
    }

    private static INDArray logits(Random r) {
        double[][] z = new double[ROWS][COLS];
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < COLS; j++) {
                z[i][j] = 8 * r.nextDouble() - 4;
            }
        }
        return Nd4j.createFromArray(z);
    }

    /**
     * Max relative error |analytic - numeric| / (|analytic| + |numeric|) over elements whose
     * absolute difference exceeds 1e-8. Rows are independent examples, so column j is perturbed
     * in all rows at once and the per-row scores give every d(score)/dz_ij of that column. Outputs
     * that a per-output mask zeroes must have gradient exactly 0.
     */
    private static double checkAgainstFiniteDifferences(LossFunction loss, INDArray y, INDArray z, IActivation act,
                                                        INDArray mask) {
        INDArray zCopy = z.dup();
        INDArray analytic = loss.computeGradient(y, z, act, mask);
        assertEquals(zCopy, z, "preOutput must not be written");
        double h = 1e-6;
        double worst = 0;
        for (int j = 0; j < z.columns(); j++) {
            INDArray plus = z.dup();
            plus.getColumn(j).addi(h);
            INDArray minus = z.dup();
            minus.getColumn(j).subi(h);
            INDArray numeric = loss.computeScoreArray(y, plus, act, mask)
                    .sub(loss.computeScoreArray(y, minus, act, mask)).divi(2 * h);
            for (int i = 0; i < z.rows(); i++) {
                double a = analytic.getDouble(i, j);
                double n = numeric.getDouble(i, 0);
                assertTrue(Double.isFinite(a), loss.spec() + " gradient not finite at " + i + "," + j);
                if (mask != null && mask.columns() == z.columns() && mask.getDouble(i, j) == 0) {
                    // per-output-masked outputs are constants in DL4J's forward pass: gradient exactly 0
                    assertEquals(0.0, a, 0.0, loss.spec() + " gradient at masked output " + i + "," + j);
                    continue;
                }
                // below 1e-8 the difference is round-off of the score (~1e-16 * |L| / h), as in DL4J's minAbsoluteError
                if (Math.abs(a - n) > 1e-8) {
                    worst = Math.max(worst, Math.abs(a - n) / (Math.abs(a) + Math.abs(n)));
                }
            }
        }
        return worst;
    }

    /** Scalar transcription of the sigmoid focal loss, computed in plain Java from the definition. */
    private static double focalReference(double z, double y, double gamma, Double alpha) {
        double p = 1 / (1 + Math.exp(-z));
        double ce = -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
        double pt = p * y + (1 - p) * (1 - y);
        double at = alpha == null ? 1 : alpha * y + (1 - alpha) * (1 - y);
        return at * Math.pow(1 - pt, gamma) * ce;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.5, 1, 2, 5})
    void sigmoidFocalMatchesFiniteDifferencesAndDefinitionWithSoftLabels(double gamma) {
        Random r = new Random(42 + (long) (gamma * 10));
        INDArray y = softLabels(r);
        INDArray z = logits(r);
        for (Double alpha : new Double[]{null, 0.25, 0.8}) {
            FocalLoss loss = new FocalLoss(gamma, alpha);
            double worst = checkAgainstFiniteDifferences(loss, y, z, new ActivationSigmoid(), null);
            assertTrue(worst < 1e-6, loss.spec() + " max relative error " + worst);
            INDArray rows = loss.computeScoreArray(y, z, new ActivationSigmoid(), null);
            for (int i = 0; i < ROWS; i++) {
                double expected = 0;
                for (int j = 0; j < COLS; j++) {
                    expected += focalReference(z.getDouble(i, j), y.getDouble(i, j), gamma, alpha);
                }
                assertEquals(expected, rows.getDouble(i, 0), 1e-12 * Math.max(1, Math.abs(expected)), loss.spec());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.5, 1, 2, 5})
    void sigmoidFocalGradientIsExactWithMasks(double gamma) {
        Random r = new Random(7);
        INDArray y = softLabels(r);
        INDArray z = logits(r);
        INDArray perOutput = Nd4j.createFromArray(new double[ROWS * COLS]).reshape(ROWS, COLS);
        for (int k = 0; k < ROWS * COLS; k++) {
            perOutput.putScalar(k, k % 3 == 0 ? 0 : 1);
        }
        INDArray perRow = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}, {1}, {0}});
        FocalLoss loss = new FocalLoss(gamma, 0.25);
        for (INDArray mask : new INDArray[]{perOutput, perRow}) {
            double worst = checkAgainstFiniteDifferences(loss, y, z, new ActivationSigmoid(), mask);
            assertTrue(worst < 1e-6, loss.spec() + " max relative error " + worst);
        }
    }

    /** Scalar transcription of the softmax focal loss of one row. */
    private static double softmaxFocalReference(double[] z, double[] t, double gamma, double[] w) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (double v : z) {
            s += Math.exp(v - max);
        }
        double sum = 0;
        for (int c = 0; c < z.length; c++) {
            double logp = z[c] - max - Math.log(s);
            double p = Math.exp(logp);
            sum -= (w == null ? 1 : w[c]) * Math.pow(1 - p, gamma) * t[c] * logp;
        }
        return sum;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.5, 1, 2, 5})
    void softmaxFocalMatchesFiniteDifferencesAndDefinitionWithSoftLabels(double gamma) {
        Random r = new Random(11 + (long) (gamma * 10));
        INDArray y = softDistributions(r);
        INDArray z = logits(r);
        for (double[] w : new double[][]{null, {0.1, 1, 2, 4}}) {
            SoftmaxFocalLoss loss = new SoftmaxFocalLoss(gamma, w);
            double worst = checkAgainstFiniteDifferences(loss, y, z, new ActivationSoftmax(), null);
            assertTrue(worst < 1e-6, loss.spec() + " max relative error " + worst);
            INDArray rows = loss.computeScoreArray(y, z, new ActivationSoftmax(), null);
            for (int i = 0; i < ROWS; i++) {
                double expected = softmaxFocalReference(z.getRow(i).toDoubleVector(), y.getRow(i).toDoubleVector(), gamma, w);
                assertEquals(expected, rows.getDouble(i, 0), 1e-12 * Math.max(1, Math.abs(expected)), loss.spec());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.5, 2})
    void softmaxFocalGradientIsExactWithMasks(double gamma) {
        Random r = new Random(3);
        INDArray y = softDistributions(r);
        INDArray z = logits(r);
        INDArray perRow = Nd4j.createFromArray(new double[][]{{1}, {0}, {0.5}, {1}, {0}});
        // labels-shaped but constant within each row (softmax losses accept only these): the same weights
        INDArray perOutput = Nd4j.ones(DataType.DOUBLE, ROWS, COLS).muliColumnVector(perRow);
        SoftmaxFocalLoss loss = new SoftmaxFocalLoss(gamma, new double[]{1, 2, 0.5, 1});
        for (INDArray mask : new INDArray[]{perRow, perOutput}) {
            double worst = checkAgainstFiniteDifferences(loss, y, z, new ActivationSoftmax(), mask);
            assertTrue(worst < 1e-6, loss.spec() + " max relative error " + worst);
        }
        assertEquals(loss.computeGradient(y, z, new ActivationSoftmax(), perRow),
                loss.computeGradient(y, z, new ActivationSoftmax(), perOutput));
        // one class of a row masked: softmax couples the row's classes, so this is rejected
        INDArray partial = Nd4j.ones(DataType.DOUBLE, ROWS, COLS);
        partial.putScalar(1, 2, 0);
        partial.putScalar(3, 0, 0);
        io.github.lossvariants.api.LossConfigurationException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.github.lossvariants.api.LossConfigurationException.class,
                () -> loss.computeGradient(y, z, new ActivationSoftmax(), partial));
        assertTrue(e.getMessage().startsWith("softmax-focal: a per-output (labels-shaped) mask must be constant within"
                + " each row for a softmax output, but row 1 has mask values [1.0, 1.0, 0.0, 1.0]"), e.getMessage());
    }
}
