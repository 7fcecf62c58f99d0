package io.github.lossvariants.calibration.metrics;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Binned calibration statistics: per bin its edges, number of samples, mean confidence and
 * accuracy (fraction correct, or fraction positive for positive-class reliability). The data of a
 * reliability diagram, and the source of ECE, MCE and the l2 calibration error.
 *
 * <p>Bin weights are count / {@link #total()}, where the total is the number of samples given to
 * the binning (so the weights sum to 1 unless a binning convention drops samples). Empty bins have
 * confidence, accuracy and gap 0 and contribute nothing. Immutable.
 *
 * @since 0.1.0
 */
public final class ReliabilityDiagram implements Serializable {
    private static final long serialVersionUID = 1L;
    private final double[] lower;
    private final double[] upper;
    private final long[] counts;
    private final double[] sumConfidence;
    private final double[] sumAccuracy;
    private final double total;

    /**
     * @param lower         lower edge of each bin
     * @param upper         upper edge of each bin
     * @param counts        samples per bin
     * @param sumConfidence sum of confidences per bin
     * @param sumAccuracy   sum of correctness (0/1, or a weight) per bin
     * @param total         the normaliser of the bin weights, &gt; 0 (normally the sample count)
     */
    public ReliabilityDiagram(double[] lower, double[] upper, long[] counts, double[] sumConfidence,
                              double[] sumAccuracy, double total) {
        int n = lower.length;
        if (upper.length != n || counts.length != n || sumConfidence.length != n || sumAccuracy.length != n) {
            throw new IllegalArgumentException("All bin arrays need the same length " + n);
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("total must be > 0, got " + total);
        }
        this.lower = lower.clone();
        this.upper = upper.clone();
        this.counts = counts.clone();
        this.sumConfidence = sumConfidence.clone();
        this.sumAccuracy = sumAccuracy.clone();
        this.total = total;
    }

    /** @return the number of bins */
    public int bins() {
        return counts.length;
    }

    /** @return the lower edge of bin b */
    public double lower(int b) {
        return lower[b];
    }

    /** @return the upper edge of bin b */
    public double upper(int b) {
        return upper[b];
    }

    /** @return the number of samples in bin b */
    public long count(int b) {
        return counts[b];
    }

    /** @return the mean confidence in bin b, 0 when empty */
    public double confidence(int b) {
        return counts[b] == 0 ? 0 : sumConfidence[b] / counts[b];
    }

    /** @return the accuracy (fraction correct or positive) in bin b, 0 when empty */
    public double accuracy(int b) {
        return counts[b] == 0 ? 0 : sumAccuracy[b] / counts[b];
    }

    /** @return the signed gap confidence - accuracy of bin b (positive: over-confident), 0 when empty */
    public double gap(int b) {
        return confidence(b) - accuracy(b);
    }

    /** @return the weight count / total of bin b */
    public double weight(int b) {
        return counts[b] / total;
    }

    /** @return the normaliser of the bin weights */
    public double total() {
        return total;
    }

    /** @return the sum of the bin weights (1 unless samples were dropped) */
    public double totalWeight() {
        long c = 0;
        for (long k : counts) {
            c += k;
        }
        return c / total;
    }

    /** @return the expected calibration error sum_b w_b |acc_b - conf_b| (a fraction, not a percentage) */
    public double ece() {
        double s = 0;
        for (int b = 0; b < bins(); b++) {
            s += weight(b) * Math.abs(gap(b));
        }
        return s;
    }

    /** @return the maximum calibration error max_b |acc_b - conf_b| (empty bins count 0) */
    public double mce() {
        double m = 0;
        for (int b = 0; b < bins(); b++) {
            m = Math.max(m, Math.abs(gap(b)));
        }
        return m;
    }

    /** @return the l2 calibration error sqrt(sum_b w_b gap_b^2) (torchmetrics {@code norm='l2'}) */
    public double l2() {
        double s = 0;
        for (int b = 0; b < bins(); b++) {
            s += weight(b) * gap(b) * gap(b);
        }
        return Math.sqrt(s);
    }

    /** @return a copy of the bin edges: lower edges followed by the last upper edge */
    public double[] edges() {
        double[] e = Arrays.copyOf(lower, bins() + 1);
        e[bins()] = upper[bins() - 1];
        return e;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("bin  lower   upper   count  confidence  accuracy\n");
        for (int i = 0; i < bins(); i++) {
            b.append(String.format(java.util.Locale.ROOT, "%3d  %.4f  %.4f  %6d  %.4f      %.4f%n", i, lower[i],
                    upper[i], counts[i], confidence(i), accuracy(i)));
        }
        return b.toString();
    }
}
