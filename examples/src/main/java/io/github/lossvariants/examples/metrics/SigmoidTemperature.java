package io.github.lossvariants.examples.metrics;

import io.github.lossvariants.calibration.metrics.CalibrationMetrics;
import io.github.lossvariants.calibration.scaling.TemperatureScaling;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Temperature scaling of sigmoid outputs (binary and multi-label): p = sigmoid(z / T), one T &gt; 0
 * shared by every label, fitted by minimising the mean binary NLL over all (example, label)
 * decisions of the held-out data (Guo et al. 2017 with the binary likelihood).
 *
 * <p>It is {@code loss-calibration}'s {@link TemperatureScaling} on the two-class logits [0, z]:
 * softmax([0, z] / T) = [1 - sigmoid(z / T), sigmoid(z / T)], so that softmax fit, its NLL and
 * {@link CalibrationMetrics#nll} are exactly the binary ones, and the complementary probability is
 * computed as exp(-z) / (1 + exp(-z)), not as 1 - p (finite NLL at logits far beyond float
 * saturation). The NLL is {@link CalibrationMetrics#nll}'s definition (mean of -log max(p_y,
 * {@link CalibrationMetrics#NLL_FLOOR})), computed here from the flat probability buffer:
 * {@code CalibrationMetrics.nll} reads its input row by row ({@code INDArray.toDoubleMatrix}, about
 * 0.1 ms per row), which costs seconds for the tens of thousands of (example, label) pairs here. Like multi-class temperature scaling it changes no decision at 0.5 and no ranking.
 * Why not per-label Platt scaling (also in the library): it moves every label's 0.5 threshold, so
 * the thresholded metrics after scaling would describe another classifier, and it fits two
 * parameters per label on validation splits where rare labels have a handful of positives (yeast
 * label 14: 34 in 2417 rows).
 *
 * <p>Inputs are logits {@code z[n][L]} (the output layer's pre-activations, in double) and 0/1 labels
 * {@code y[n][L]}.
 */
public final class SigmoidTemperature {
    /** No scaling (T = 1). */
    public static final TemperatureScaling IDENTITY = new TemperatureScaling(1);

    private SigmoidTemperature() {
    }

    /** @return T fitted on the given logits and labels */
    public static TemperatureScaling fit(double[][] logits, double[][] y) {
        return TemperatureScaling.fit(twoClassLogits(logits), labelIndices(y));
    }

    /** @return the calibrated positive-class probabilities sigmoid(z / T), {@code [n][L]} */
    public static double[][] probabilities(double[][] logits, TemperatureScaling t) {
        return positiveClass(twoClassProbabilities(logits, t), logits.length, logits[0].length);
    }

    /** @return the mean binary NLL over all (example, label) pairs after scaling with {@code t} */
    public static double nll(double[][] logits, double[][] y, TemperatureScaling t) {
        return meanNll(twoClassProbabilities(logits, t), y);
    }

    /**
     * Test predictions after temperature scaling.
     *
     * @param probabilities the scaled positive-class probabilities {@code [n][L]}, in row order
     * @param nll           their mean binary NLL per (example, label) pair
     * @param temperature   the fitted temperature (cross-fitted: the mean of the two folds' temperatures)
     */
    public record Scaled(double[][] probabilities, double nll, double temperature) {
    }

    /**
     * @param validationLogits logits of held-out data the network was not trained on
     * @param validationY      their labels
     * @return the test predictions scaled with T fitted on the validation data
     */
    public static Scaled fittedOn(double[][] validationLogits, double[][] validationY, double[][] logits, double[][] y) {
        TemperatureScaling t = fit(validationLogits, validationY);
        return new Scaled(probabilities(logits, t), nll(logits, y, t), t.temperature());
    }

    /**
     * Temperature scaling cross-fitted on one labelled set, for benchmarks without held-out data
     * besides their test split: the rows are split into two folds, and T fitted on each fold scales
     * the rows of the other one. Every row is then scaled by a temperature fitted on data that does
     * not contain it, and the scaled predictions cover the whole set.
     *
     * @param fold 0 or 1 per row (see {@link #alternatingFolds}, {@link #stratifiedFolds}); both folds non-empty
     * @return the scaled rows; the temperature is the mean of the two fitted ones
     */
    public static Scaled crossFitted(double[][] logits, double[][] y, int[] fold) {
        if (fold.length != logits.length || y.length != logits.length) {
            throw new IllegalArgumentException("One fold and one label row per logit row needed: " + logits.length
                    + " logit rows, " + y.length + " label rows, " + fold.length + " folds");
        }
        int labels = logits[0].length;
        double[] twoClass = new double[2 * logits.length * labels];
        double temperatureSum = 0;
        for (int f = 0; f < 2; f++) {
            int[] fitRows = rowsOf(fold, 1 - f);
            int[] scaledRows = rowsOf(fold, f);
            if (fitRows.length == 0 || scaledRows.length == 0) {
                throw new IllegalArgumentException("Both folds need rows, fold " + f + " has " + scaledRows.length
                        + " and fold " + (1 - f) + " " + fitRows.length);
            }
            TemperatureScaling t = fit(select(logits, fitRows), select(y, fitRows));
            temperatureSum += t.temperature();
            double[] scaled = twoClassProbabilities(select(logits, scaledRows), t);
            for (int k = 0; k < scaledRows.length; k++) {
                System.arraycopy(scaled, 2 * k * labels, twoClass, 2 * scaledRows[k] * labels, 2 * labels);
            }
        }
        return new Scaled(positiveClass(twoClass, logits.length, labels), meanNll(twoClass, y), temperatureSum / 2);
    }

    /** @return folds 0, 1, 0, 1, ... by row */
    public static int[] alternatingFolds(int rows) {
        int[] fold = new int[rows];
        for (int i = 0; i < rows; i++) {
            fold[i] = i % 2;
        }
        return fold;
    }

    /**
     * @param y one 0/1 label per row
     * @return folds alternating within each class in row order, so both folds get half of the positives
     */
    public static int[] stratifiedFolds(double[] y) {
        int[] fold = new int[y.length];
        int positives = 0;
        int negatives = 0;
        for (int i = 0; i < y.length; i++) {
            fold[i] = y[i] > 0.5 ? positives++ % 2 : negatives++ % 2;
        }
        return fold;
    }

    /** @return {@code [n*L, 2]} rows [0, z_ij], row-major over (example, label) */
    static INDArray twoClassLogits(double[][] logits) {
        int labels = logits[0].length;
        double[] pairs = new double[2 * logits.length * labels];
        for (int i = 0; i < logits.length; i++) {
            for (int j = 0; j < labels; j++) {
                pairs[2 * (i * labels + j) + 1] = logits[i][j];
            }
        }
        return Nd4j.createFromArray(pairs).reshape(logits.length * (long) labels, 2);
    }

    /** @return {@code [n*L]} class indices 0/1 of the labels, in the order of {@link #twoClassLogits} */
    static INDArray labelIndices(double[][] y) {
        int labels = y[0].length;
        double[] idx = new double[y.length * labels];
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < labels; j++) {
                idx[i * labels + j] = y[i][j] > 0.5 ? 1 : 0;
            }
        }
        return Nd4j.createFromArray(idx);
    }

    /**
     * @return the calibrated two-class probabilities [1 - sigmoid(z / T), sigmoid(z / T)] of every (example, label)
     * pair, flat: pair m at {@code 2m} and {@code 2m + 1}
     */
    static double[] twoClassProbabilities(double[][] logits, TemperatureScaling t) {
        return t.calibrateLogits(twoClassLogits(logits)).dup('c').data().asDouble();
    }

    private static double[][] positiveClass(double[] twoClass, int rows, int labels) {
        double[][] p = new double[rows][labels];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < labels; j++) {
                p[i][j] = twoClass[2 * (i * labels + j) + 1];
            }
        }
        return p;
    }

    /** @return the mean of -log max(p_y, NLL_FLOOR) over the pairs ({@link CalibrationMetrics#nll}'s definition) */
    private static double meanNll(double[] twoClass, double[][] y) {
        int labels = y[0].length;
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < labels; j++) {
                int m = i * labels + j;
                sum -= Math.log(Math.max(twoClass[2 * m + (y[i][j] > 0.5 ? 1 : 0)], CalibrationMetrics.NLL_FLOOR));
            }
        }
        return sum / (y.length * (double) labels);
    }

    private static int[] rowsOf(int[] fold, int f) {
        int n = 0;
        for (int v : fold) {
            n += v == f ? 1 : 0;
        }
        int[] rows = new int[n];
        int k = 0;
        for (int i = 0; i < fold.length; i++) {
            if (fold[i] == f) {
                rows[k++] = i;
            }
        }
        return rows;
    }

    private static double[][] select(double[][] x, int[] rows) {
        double[][] s = new double[rows.length][];
        for (int k = 0; k < rows.length; k++) {
            s[k] = x[rows[k]];
        }
        return s;
    }
}
