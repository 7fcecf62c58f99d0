package io.github.lossvariants.examples.metrics;

import org.apache.commons.math3.distribution.TDistribution;

/** Mean, sample standard deviation and a paired-difference t confidence interval. */
public final class Stats {
    private Stats() {
    }

    /** @return the mean of the finite values; NaN if none */
    public static double mean(double[] x) {
        double s = 0;
        int n = 0;
        for (double v : x) {
            if (Double.isFinite(v)) {
                s += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** @return the sample standard deviation (n - 1) of the finite values; 0 for a single value */
    public static double std(double[] x) {
        double m = mean(x);
        double s = 0;
        int n = 0;
        for (double v : x) {
            if (Double.isFinite(v)) {
                s += (v - m) * (v - m);
                n++;
            }
        }
        return n < 2 ? 0 : Math.sqrt(s / (n - 1));
    }

    /** @return the 97.5% quantile of Student's t distribution with df degrees of freedom (commons-math3); NaN for df &lt; 1 */
    public static double t975(int df) {
        if (df < 1) {
            return Double.NaN;
        }
        return new TDistribution(null, df).inverseCumulativeProbability(0.975);
    }

    /**
     * @param a values of one loss per seed
     * @param b values of the baseline for the same seeds
     * @return {mean difference a - b, lower, upper} of the 95% paired t interval (NaN bounds for one seed)
     */
    public static double[] pairedDifference(double[] a, double[] b) {
        int n = Math.min(a.length, b.length);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = a[i] - b[i];
        }
        double m = mean(d);
        if (n < 2) {
            return new double[]{m, Double.NaN, Double.NaN};
        }
        double h = t975(n - 1) * std(d) / Math.sqrt(n);
        return new double[]{m, m - h, m + h};
    }
}
