package io.github.lossvariants.examples.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Multi-label metrics with scikit-learn's definitions, for scores {@code p[n][L]} in [0, 1] and 0/1
 * targets {@code y[n][L]}; thresholded ones predict a label when {@code p >= 0.5}.
 * <ul>
 *   <li>Hamming loss: fraction of wrong (sample, label) decisions.</li>
 *   <li>micro-F1: F1 of the pooled counts; macro-F1: mean per-label F1 (0 when a label has no
 *       positive and no prediction, scikit-learn zero_division=0).</li>
 *   <li>macro mAP: mean over labels with at least one positive of the label's average precision.</li>
 *   <li>ranking AP (label_ranking_average_precision_score): per sample, mean over its relevant
 *       labels l of |{relevant k: s_k >= s_l}| / |{k: s_k >= s_l}|; 1 for samples with no relevant label.</li>
 *   <li>one-error: fraction of samples whose top-scored label (first on ties) is irrelevant.</li>
 *   <li>coverage (coverage_error): mean of |{k: s_k >= min relevant score}|; 1-based, so Mulan's
 *       coverage is this minus 1. Samples with no relevant label count 0.</li>
 *   <li>ranking loss (label_ranking_loss): per sample, fraction of (relevant, irrelevant) pairs
 *       with s_irrelevant >= s_relevant (ties count as errors); 0 when all or no labels are relevant.</li>
 *   <li>ECE: per label column the positive-class ECE (confidence p, outcome y; CALIBRATION.md
 *       section 3, 15 bins), macro mean over labels ({@link CalibrationBins#multiLabelEce}).</li>
 * </ul>
 * The tests compare every one of them with scikit-learn's values on fixed inputs
 * ({@code src/test/resources/sklearn/}).
 */
public final class MultiLabelMetrics {
    private MultiLabelMetrics() {
    }

    /** @return all metrics by name, in report order (ECE x100) */
    public static Map<String, Double> all(double[][] p, double[][] y) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(Metrics.HAMMING_LOSS.name(), hammingLoss(p, y));
        m.put(Metrics.MICRO_F1.name(), microF1(p, y));
        m.put(Metrics.MACRO_F1.name(), macroF1(p, y));
        m.put(Metrics.MACRO_MAP.name(), macroMap(p, y));
        m.put(Metrics.RANKING_AP.name(), rankingAveragePrecision(p, y));
        m.put(Metrics.ONE_ERROR.name(), oneError(p, y));
        m.put(Metrics.COVERAGE.name(), coverage(p, y));
        m.put(Metrics.RANKING_LOSS.name(), rankingLoss(p, y));
        m.put(Metrics.ECE.name(), 100 * CalibrationBins.multiLabelEce(p, y));
        return m;
    }

    public static double hammingLoss(double[][] p, double[][] y) {
        long wrong = 0;
        long total = 0;
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p[i].length; j++) {
                if ((p[i][j] >= 0.5) != (y[i][j] > 0.5)) {
                    wrong++;
                }
                total++;
            }
        }
        return (double) wrong / total;
    }

    /** @return per label {tp, fp, fn, tn} at 0.5 */
    static long[][] counts(double[][] p, double[][] y) {
        int labels = p[0].length;
        long[][] c = new long[labels][4];
        for (int j = 0; j < labels; j++) {
            c[j] = BinaryMetrics.confusion(column(p, j), column(y, j), 0.5);
        }
        return c;
    }

    public static double microF1(double[][] p, double[][] y) {
        long[] sum = new long[4];
        for (long[] c : counts(p, y)) {
            for (int k = 0; k < 4; k++) {
                sum[k] += c[k];
            }
        }
        return BinaryMetrics.f1(sum);
    }

    public static double macroF1(double[][] p, double[][] y) {
        long[][] c = counts(p, y);
        double s = 0;
        for (long[] l : c) {
            s += BinaryMetrics.f1(l);
        }
        return s / c.length;
    }

    public static double macroMap(double[][] p, double[][] y) {
        double s = 0;
        int k = 0;
        for (int j = 0; j < p[0].length; j++) {
            double ap = BinaryMetrics.averagePrecision(column(p, j), column(y, j));
            if (!Double.isNaN(ap)) {
                s += ap;
                k++;
            }
        }
        return k == 0 ? Double.NaN : s / k;
    }

    public static double rankingAveragePrecision(double[][] p, double[][] y) {
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            int relevant = 0;
            for (double v : y[i]) {
                relevant += v > 0.5 ? 1 : 0;
            }
            if (relevant == 0 || relevant == y[i].length) {
                total += 1;
                continue;
            }
            double s = 0;
            for (int l = 0; l < p[i].length; l++) {
                if (y[i][l] <= 0.5) {
                    continue;
                }
                int rank = 0;
                int relAbove = 0;
                for (int k = 0; k < p[i].length; k++) {
                    if (p[i][k] >= p[i][l]) {
                        rank++;
                        if (y[i][k] > 0.5) {
                            relAbove++;
                        }
                    }
                }
                s += (double) relAbove / rank;
            }
            total += s / relevant;
        }
        return total / p.length;
    }

    public static double oneError(double[][] p, double[][] y) {
        int errors = 0;
        for (int i = 0; i < p.length; i++) {
            int top = 0;
            for (int k = 1; k < p[i].length; k++) {
                if (p[i][k] > p[i][top]) {
                    top = k;
                }
            }
            if (y[i][top] <= 0.5) {
                errors++;
            }
        }
        return (double) errors / p.length;
    }

    public static double coverage(double[][] p, double[][] y) {
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            double min = Double.POSITIVE_INFINITY;
            for (int k = 0; k < p[i].length; k++) {
                if (y[i][k] > 0.5) {
                    min = Math.min(min, p[i][k]);
                }
            }
            if (min == Double.POSITIVE_INFINITY) {
                continue;
            }
            for (int k = 0; k < p[i].length; k++) {
                if (p[i][k] >= min) {
                    total++;
                }
            }
        }
        return total / p.length;
    }

    public static double rankingLoss(double[][] p, double[][] y) {
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            long pairs = 0;
            long bad = 0;
            for (int r = 0; r < p[i].length; r++) {
                if (y[i][r] <= 0.5) {
                    continue;
                }
                for (int k = 0; k < p[i].length; k++) {
                    if (y[i][k] > 0.5) {
                        continue;
                    }
                    pairs++;
                    if (p[i][k] >= p[i][r]) {
                        bad++;
                    }
                }
            }
            if (pairs > 0) {
                total += (double) bad / pairs;
            }
        }
        return total / p.length;
    }

    /** @return column j */
    public static double[] column(double[][] x, int j) {
        double[] c = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            c[i] = x[i][j];
        }
        return c;
    }

    /** @return all values row by row (for a micro-averaged PR curve) */
    public static double[] flatten(double[][] x) {
        double[] f = new double[x.length * x[0].length];
        int k = 0;
        for (double[] r : x) {
            for (double v : r) {
                f[k++] = v;
            }
        }
        return f;
    }
}
