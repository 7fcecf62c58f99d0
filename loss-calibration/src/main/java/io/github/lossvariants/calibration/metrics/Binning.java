package io.github.lossvariants.calibration.metrics;

import java.util.Arrays;

/**
 * Builds {@link ReliabilityDiagram}s from confidences and correctness values. Shared by the metrics
 * and by {@link io.github.lossvariants.calibration.AdaFocalCalibrator}.
 *
 * @since 0.1.0
 */
public final class Binning {
    private Binning() {
    }

    /**
     * Equal-width bins on [0, 1].
     *
     * @param confidence one confidence in [0, 1] per sample
     * @param correct    one correctness value (1 correct / positive, 0 not) per sample
     * @param bins       number of bins, &gt;= 1
     * @param edges      the edge convention; {@link BinEdges#LOWER_INCLUSIVE} adds a bin for confidence 1.0
     * @return the diagram; weights normalised by the number of samples
     */
    public static ReliabilityDiagram equalWidth(double[] confidence, double[] correct, int bins, BinEdges edges) {
        check(confidence, correct, bins);
        int n = edges == BinEdges.LOWER_INCLUSIVE ? bins + 1 : bins;
        double[] e = new double[bins + 1];
        for (int b = 0; b <= bins; b++) {
            e[b] = (double) b / bins;
        }
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int b = 0; b < bins; b++) {
            lo[b] = e[b];
            hi[b] = e[b + 1];
        }
        if (n > bins) {
            lo[bins] = 1.0;
            hi[bins] = 1.0;
        }
        long[] cnt = new long[n];
        double[] sc = new double[n];
        double[] sa = new double[n];
        for (int i = 0; i < confidence.length; i++) {
            double c = confidence[i];
            int b;
            if (edges == BinEdges.LOWER_INCLUSIVE) {
                // largest b with e[b] <= c; c == 1 goes to the extra bin
                b = upperBound(e, c) - 1;
                b = Math.max(0, Math.min(b, bins));
            } else {
                // smallest b with c <= e[b + 1]; c == 0 goes to bin 0
                b = lowerBound(e, c) - 1;
                b = Math.max(0, Math.min(b, bins - 1));
            }
            cnt[b]++;
            sc[b] += c;
            sa[b] += correct[i];
        }
        return new ReliabilityDiagram(lo, hi, cnt, sc, sa, confidence.length);
    }

    /**
     * Equal-mass (adaptive) bins, as AdaECE, AdaFocal and MbLS define them: edges
     * {@code interp(linspace(0, N, bins+1), arange(N), sort(confidence))}, bins (lo, hi].
     *
     * @param confidence    one confidence per sample
     * @param correct       one correctness value per sample
     * @param bins          number of bins, &gt;= 1
     * @param includeLowest true (recommended): the first bin is closed [lo, hi], so every sample
     *                      counts and the weights sum to 1; false reproduces the reference code,
     *                      whose first edge equals the minimum confidence and which therefore drops
     *                      the lowest-confidence sample(s) (4 distinct samples, 2 bins: total weight 0.75)
     * @return the diagram; weights normalised by the number of samples
     */
    public static ReliabilityDiagram equalMass(double[] confidence, double[] correct, int bins, boolean includeLowest) {
        check(confidence, correct, bins);
        int nS = confidence.length;
        double[] sorted = confidence.clone();
        Arrays.sort(sorted);
        double[] e = new double[bins + 1];
        for (int b = 0; b <= bins; b++) {
            double x = (double) nS * b / bins;      // position in arange(N)
            if (x >= nS - 1) {
                e[b] = sorted[nS - 1];
            } else {
                int i = (int) Math.floor(x);
                double f = x - i;
                e[b] = sorted[i] + f * (sorted[i + 1] - sorted[i]);
            }
        }
        e[0] = sorted[0];
        double[] lo = Arrays.copyOfRange(e, 0, bins);
        double[] hi = Arrays.copyOfRange(e, 1, bins + 1);
        long[] cnt = new long[bins];
        double[] sc = new double[bins];
        double[] sa = new double[bins];
        for (int i = 0; i < nS; i++) {
            double c = confidence[i];
            int b = -1;
            for (int k = 0; k < bins; k++) {
                boolean aboveLo = c > lo[k] || (k == 0 && includeLowest && c >= lo[k]);
                if (aboveLo && c <= hi[k]) {
                    b = k;
                    break;
                }
            }
            if (b < 0) {
                continue;
            }
            cnt[b]++;
            sc[b] += c;
            sa[b] += correct[i];
        }
        return new ReliabilityDiagram(lo, hi, cnt, sc, sa, nS);
    }

    /** @return the index of the first element &gt;= v */
    private static int lowerBound(double[] a, double v) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** @return the index of the first element &gt; v */
    private static int upperBound(double[] a, double v) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static void check(double[] confidence, double[] correct, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("Number of bins must be >= 1, got " + bins);
        }
        if (confidence.length != correct.length) {
            throw new IllegalArgumentException("One correctness value per confidence needed: " + confidence.length
                    + " confidences, " + correct.length + " correctness values");
        }
        if (confidence.length == 0) {
            throw new IllegalArgumentException("No samples to bin");
        }
        for (double c : confidence) {
            if (!(c >= 0 && c <= 1)) {
                throw new IllegalArgumentException("Confidences must lie in [0, 1], got " + c
                        + "; pass probabilities (softmax or sigmoid outputs), not logits");
            }
        }
    }
}
