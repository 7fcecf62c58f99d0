package io.github.lossvariants.examples.metrics;

import io.github.lossvariants.calibration.metrics.BinEdges;
import io.github.lossvariants.calibration.metrics.Binning;
import io.github.lossvariants.calibration.metrics.CalibrationMetrics;
import io.github.lossvariants.calibration.metrics.MultiLabelCalibration;
import io.github.lossvariants.calibration.metrics.ReliabilityDiagram;

/**
 * The calibration errors the benchmarks report, computed with {@code loss-calibration}'s
 * {@link Binning} and {@link CalibrationMetrics} (15 bins, equal-width bins (lo, hi] for ECE,
 * equal-mass bins keeping every sample for adaptive ECE; CALIBRATION.md section 3), in the forms
 * the benchmarks need:
 * <ul>
 *   <li>binary, top label: confidence max(p, 1 - p), correct when the decision at 0.5
 *       ({@code p >= 0.5} predicts positive) matches the label;</li>
 *   <li>multi-label, per label: positive-class reliability of each label column (confidence p,
 *       outcome y), macro mean over the labels;</li>
 *   <li>pooled: every (example, label) pair in the positive-class form, for the reliability plot.</li>
 * </ul>
 * Values are fractions; the reports show them x100.
 */
public final class CalibrationBins {
    /** Number of bins of every calibration error and reliability diagram in the reports. */
    public static final int BINS = CalibrationMetrics.DEFAULT_BINS;

    private CalibrationBins() {
    }

    /** @return the equal-width reliability diagram of the given confidences and outcomes */
    public static ReliabilityDiagram equalWidth(double[] confidence, double[] correct) {
        return Binning.equalWidth(confidence, correct, BINS, BinEdges.UPPER_INCLUSIVE);
    }

    /** @return the adaptive (equal-mass) ECE of the given confidences and outcomes */
    public static double adaptiveEce(double[] confidence, double[] correct) {
        return Binning.equalMass(confidence, correct, BINS, true).ece();
    }

    /** Top-label confidence and correctness of binary decisions at 0.5. */
    public record TopLabel(double[] confidence, double[] correct) {
        /** @return the top label of positive-class probabilities {@code p} against 0/1 labels {@code y} */
        public static TopLabel binary(double[] p, double[] y) {
            double[] conf = new double[p.length];
            double[] correct = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                boolean positive = p[i] >= 0.5;
                conf[i] = positive ? p[i] : 1 - p[i];
                correct[i] = positive == (y[i] > 0.5) ? 1 : 0;
            }
            return new TopLabel(conf, correct);
        }

        /** @return the equal-width reliability diagram */
        public ReliabilityDiagram diagram() {
            return equalWidth(confidence, correct);
        }

        /** @return ECE (fraction) */
        public double ece() {
            return diagram().ece();
        }

        /** @return adaptive ECE (fraction) */
        public double adaptiveEce() {
            return CalibrationBins.adaptiveEce(confidence, correct);
        }
    }

    /**
     * @return per-label positive-class ECE (fractions) of {@code p[n][L]} against 0/1 {@code y[n][L]}, as
     * {@link CalibrationMetrics#multiLabelEce} defines it (computed here from the columns, without the
     * INDArray round trip)
     */
    public static double[] perLabelEce(double[][] p, double[][] y) {
        double[] ece = new double[p[0].length];
        for (int j = 0; j < ece.length; j++) {
            ece[j] = equalWidth(MultiLabelMetrics.column(p, j), MultiLabelMetrics.column(y, j)).ece();
        }
        return ece;
    }

    /** @return the macro mean over labels of the per-label positive-class ECE (fraction) */
    public static double multiLabelEce(double[][] p, double[][] y) {
        return new MultiLabelCalibration(perLabelEce(p, y)).macro();
    }

    /** @return the macro mean over labels of the per-label positive-class adaptive ECE (fraction) */
    public static double multiLabelAdaptiveEce(double[][] p, double[][] y) {
        int labels = p[0].length;
        double sum = 0;
        for (int j = 0; j < labels; j++) {
            sum += adaptiveEce(MultiLabelMetrics.column(p, j), MultiLabelMetrics.column(y, j));
        }
        return sum / labels;
    }

    /** @return the equal-width diagram of all (example, label) pairs pooled, positive-class form */
    public static ReliabilityDiagram pooled(double[][] p, double[][] y) {
        double[] outcome = MultiLabelMetrics.flatten(y);
        for (int i = 0; i < outcome.length; i++) {
            outcome[i] = outcome[i] > 0.5 ? 1 : 0;
        }
        return equalWidth(MultiLabelMetrics.flatten(p), outcome);
    }

    /**
     * @return the diagram in the form the cell files and the reliability plot keep:
     * {@code [bins][mean confidence, accuracy, count]}, empty bins 0, 0, 0
     */
    public static double[][] toCellBins(ReliabilityDiagram d) {
        double[][] bins = new double[d.bins()][3];
        for (int b = 0; b < d.bins(); b++) {
            bins[b][0] = d.confidence(b);
            bins[b][1] = d.accuracy(b);
            bins[b][2] = d.count(b);
        }
        return bins;
    }
}
