package io.github.lossvariants.examples.metrics;

/**
 * Expected calibration error and reliability bins (CALIBRATION.md section 3): equal-width bins with
 * edges (lo, hi] (confidence 0 falls in the first bin), 15 bins by default,
 * ECE = sum_b (|B_b|/N) |acc(b) - conf(b)|, reported x100 by the benchmarks.
 */
public final class Calibration {
    /** Default number of bins. */
    public static final int BINS = 15;

    private Calibration() {
    }

    /**
     * @param confidence per-sample confidence in [0, 1]
     * @param correct    per-sample outcome (1 correct / positive, 0 otherwise)
     * @param bins       number of equal-width bins
     * @return {@code [bins][3]}: mean confidence, accuracy, count (empty bins: 0, 0, 0)
     */
    public static double[][] reliability(double[] confidence, double[] correct, int bins) {
        Accumulator a = new Accumulator(bins);
        for (int i = 0; i < confidence.length; i++) {
            a.add(confidence[i], correct[i]);
        }
        return a.bins();
    }

    /** @return ECE (fraction, not x100) of the given reliability bins */
    public static double ece(double[][] reliability) {
        double n = 0;
        double s = 0;
        for (double[] b : reliability) {
            n += b[2];
            s += b[2] * Math.abs(b[1] - b[0]);
        }
        return n == 0 ? 0 : s / n;
    }

    /** @return ECE (fraction) with {@link #BINS} bins */
    public static double ece(double[] confidence, double[] correct) {
        return ece(reliability(confidence, correct, BINS));
    }

    /** @return bin index for a confidence: edges (lo, hi], 0 in the first bin */
    static int bin(double conf, int bins) {
        int b = (int) Math.ceil(conf * bins) - 1;
        return Math.max(0, Math.min(bins - 1, b));
    }

    /** Streaming accumulation of reliability bins (for millions of pixels). */
    public static final class Accumulator {
        private final double[] conf;
        private final double[] acc;
        private final double[] count;

        /** @param bins number of equal-width bins */
        public Accumulator(int bins) {
            conf = new double[bins];
            acc = new double[bins];
            count = new double[bins];
        }

        /** Adds one sample. */
        public void add(double confidence, double correct) {
            int b = bin(confidence, conf.length);
            conf[b] += confidence;
            acc[b] += correct;
            count[b]++;
        }

        /** @return {@code [bins][3]}: mean confidence, accuracy, count */
        public double[][] bins() {
            double[][] r = new double[conf.length][3];
            for (int b = 0; b < conf.length; b++) {
                if (count[b] > 0) {
                    r[b][0] = conf[b] / count[b];
                    r[b][1] = acc[b] / count[b];
                    r[b][2] = count[b];
                }
            }
            return r;
        }
    }
}
