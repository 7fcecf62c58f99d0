package io.github.lossvariants.examples.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Threshold-free and thresholded metrics for one binary score column. Conventions follow
 * scikit-learn: PR-AUC is average precision {@code sum_n (R_n - R_{n-1}) P_n} over distinct score
 * thresholds (no interpolation), ROC-AUC is the Mann-Whitney statistic with ties counted half.
 */
public final class BinaryMetrics {
    private BinaryMetrics() {
    }

    /** @return average precision (PR-AUC); NaN when there is no positive */
    public static double averagePrecision(double[] score, double[] y) {
        Integer[] order = byScoreDescending(score);
        int positives = 0;
        for (double v : y) {
            if (v > 0.5) {
                positives++;
            }
        }
        if (positives == 0) {
            return Double.NaN;
        }
        double ap = 0;
        int tp = 0;
        int seen = 0;
        double prevRecall = 0;
        for (int i = 0; i < order.length; ) {
            int j = i;
            double s = score[order[i]];
            while (j < order.length && score[order[j]] == s) {
                if (y[order[j]] > 0.5) {
                    tp++;
                }
                seen++;
                j++;
            }
            double recall = (double) tp / positives;
            double precision = (double) tp / seen;
            ap += (recall - prevRecall) * precision;
            prevRecall = recall;
            i = j;
        }
        return ap;
    }

    /** @return ROC-AUC, ties counted half; NaN when one class is absent */
    public static double rocAuc(double[] score, double[] y) {
        int n = score.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> score[i]));
        double[] rank = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && score[order[j]] == score[order[i]]) {
                j++;
            }
            double avg = (i + 1 + j) / 2.0;
            for (int k = i; k < j; k++) {
                rank[order[k]] = avg;
            }
            i = j;
        }
        double sumPos = 0;
        long pos = 0;
        for (int i = 0; i < n; i++) {
            if (y[i] > 0.5) {
                sumPos += rank[i];
                pos++;
            }
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (sumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /**
     * @param maxPoints at most this many points (evenly thinned)
     * @return PR curve points {@code [k][2]} = (recall, precision) at each distinct threshold
     */
    public static double[][] prCurve(double[] score, double[] y, int maxPoints) {
        Integer[] order = byScoreDescending(score);
        int positives = 0;
        for (double v : y) {
            positives += v > 0.5 ? 1 : 0;
        }
        List<double[]> pts = new ArrayList<>();
        int tp = 0;
        int seen = 0;
        for (int i = 0; i < order.length; ) {
            int j = i;
            double s = score[order[i]];
            while (j < order.length && score[order[j]] == s) {
                tp += y[order[j]] > 0.5 ? 1 : 0;
                seen++;
                j++;
            }
            pts.add(new double[]{positives == 0 ? 0 : (double) tp / positives, (double) tp / seen});
            i = j;
        }
        if (pts.size() <= maxPoints) {
            return pts.toArray(new double[0][]);
        }
        double[][] out = new double[maxPoints][];
        for (int k = 0; k < maxPoints; k++) {
            out[k] = pts.get((int) Math.round((double) k * (pts.size() - 1) / (maxPoints - 1)));
        }
        return out;
    }

    /**
     * Counts at a threshold: a score {@code >= threshold} predicts the positive class.
     *
     * @return {tp, fp, fn, tn}
     */
    public static long[] confusion(double[] score, double[] y, double threshold) {
        long tp = 0, fp = 0, fn = 0, tn = 0;
        for (int i = 0; i < score.length; i++) {
            boolean p = score[i] >= threshold;
            boolean t = y[i] > 0.5;
            if (p && t) {
                tp++;
            } else if (p) {
                fp++;
            } else if (t) {
                fn++;
            } else {
                tn++;
            }
        }
        return new long[]{tp, fp, fn, tn};
    }

    /** @return precision tp/(tp+fp), 0 when nothing is predicted positive (scikit-learn zero_division=0) */
    public static double precision(long[] c) {
        return c[0] + c[1] == 0 ? 0 : (double) c[0] / (c[0] + c[1]);
    }

    /** @return recall tp/(tp+fn), 0 when there is no positive */
    public static double recall(long[] c) {
        return c[0] + c[2] == 0 ? 0 : (double) c[0] / (c[0] + c[2]);
    }

    /** @return F1 = 2tp/(2tp+fp+fn), 0 when all three are 0 */
    public static double f1(long[] c) {
        long d = 2 * c[0] + c[1] + c[2];
        return d == 0 ? 0 : 2.0 * c[0] / d;
    }

    /** @return (tp+tn)/n */
    public static double accuracy(long[] c) {
        return (double) (c[0] + c[3]) / (c[0] + c[1] + c[2] + c[3]);
    }

    /** @return Brier score mean (p - y)^2 over the rows (the binary form, as scikit-learn's brier_score_loss) */
    public static double brier(double[] p, double[] y) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            s += (p[i] - y[i]) * (p[i] - y[i]);
        }
        return s / p.length;
    }

    private static Integer[] byScoreDescending(double[] score) {
        Integer[] order = new Integer[score.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
        return order;
    }
}
