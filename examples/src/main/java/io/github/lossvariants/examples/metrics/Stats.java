package io.github.lossvariants.examples.metrics;

/** Mean, sample standard deviation and a paired-difference t confidence interval. */
public final class Stats {
    /** Two-sided 95% Student t quantiles for 1..30 degrees of freedom. */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
            2.056, 2.052, 2.048, 2.045, 2.042};

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

    /** @return the 97.5% t quantile for df degrees of freedom (1.96 beyond 30) */
    public static double t975(int df) {
        if (df < 1) {
            return Double.NaN;
        }
        return df <= T975.length ? T975[df - 1] : 1.96;
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
