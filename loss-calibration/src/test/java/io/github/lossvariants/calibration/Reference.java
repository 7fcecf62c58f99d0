package io.github.lossvariants.calibration;

/**
 * Independent, straightforward double-loop implementations of the losses' per-row values, used as
 * expected values in tests (written from the formulas in CALIBRATION.md, never from the code under test).
 */
final class Reference {
    private Reference() {
    }

    static double[] softmax(double[] z) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            m = Math.max(m, v);
        }
        double s = 0;
        double[] p = new double[z.length];
        for (int k = 0; k < z.length; k++) {
            p[k] = Math.exp(z[k] - m);
            s += p[k];
        }
        for (int k = 0; k < z.length; k++) {
            p[k] /= s;
        }
        return p;
    }

    static int target(double[] y) {
        for (int k = 0; k < y.length; k++) {
            if (y[k] == 1) {
                return k;
            }
        }
        throw new IllegalArgumentException("no target");
    }

    static double flsd(double[] z, double[] y, double gamma) {
        double[] p = softmax(z);
        double pt = p[target(y)];
        double g = pt < 0.2 ? 5 : pt < 0.5 ? 3 : gamma;
        return -Math.pow(1 - pt, g) * Math.log(pt);
    }

    /** Sum over labels of the per-label FLSD term on sigmoid outputs. */
    static double flsdSigmoid(double[] z, double[] y, double gamma) {
        double l = 0;
        for (int k = 0; k < z.length; k++) {
            double p = 1 / (1 + Math.exp(-z[k]));
            double pt = y[k] == 1 ? p : 1 - p;
            double g = pt < 0.2 ? 5 : pt < 0.5 ? 3 : gamma;
            l -= Math.pow(1 - pt, g) * Math.log(pt);
        }
        return l;
    }

    static double dual(double[] z, double[] y, double gamma) {
        double[] p = softmax(z);
        double py = p[target(y)];
        double pj = 0;
        for (double v : p) {
            if (v < py && v > pj) {
                pj = v;
            }
        }
        return -Math.pow(1 - py + pj, gamma) * Math.log(py);
    }

    static double adafocal(double[] z, double[] y, double[] gammas, double[] edges) {
        double[] p = softmax(z);
        double pt = p[target(y)];
        int n = gammas.length;
        int bin = n - 1;
        for (int b = 0; b < n; b++) {
            if (b == 0 && pt < edges[1]) {
                bin = 0;
                break;
            }
            if (b == n - 1 && pt >= edges[n - 1]) {
                bin = n - 1;
                break;
            }
            if (pt >= edges[b] && pt < edges[b + 1]) {
                bin = b;
                break;
            }
        }
        double g = gammas[bin];
        if (g >= 0) {
            return -Math.pow(1 - pt + 1e-20, g) * Math.log(pt);
        }
        return -Math.pow(1 + pt + 1e-20, -g) * Math.log(pt);
    }

    static double labelSmoothing(double[] z, double[] y, double alpha) {
        double[] p = softmax(z);
        double l = 0;
        for (int k = 0; k < z.length; k++) {
            double q = (1 - alpha) * y[k] + alpha / z.length;
            l -= q * Math.log(p[k]);
        }
        return l;
    }

    static double focalLabelSmoothing(double[] z, double[] y, double gamma, double alpha) {
        double[] p = softmax(z);
        double l = 0;
        for (int k = 0; k < z.length; k++) {
            double q = (1 - alpha) * y[k] + alpha / z.length;
            l -= q * Math.pow(1 - p[k], gamma) * Math.log(p[k]);
        }
        return l;
    }

    /** beta * N * MDCA over the whole batch (the value DL4J's summed score should hold). */
    static double mdcaTotal(double[][] z, double[][] y, double beta, boolean softmax) {
        int n = z.length;
        int k = z[0].length;
        double[] meanP = new double[k];
        double[] meanY = new double[k];
        for (int i = 0; i < n; i++) {
            double[] p = softmax ? softmax(z[i]) : sigmoid(z[i]);
            for (int c = 0; c < k; c++) {
                meanP[c] += p[c] / n;
                meanY[c] += y[i][c] / n;
            }
        }
        double s = 0;
        for (int c = 0; c < k; c++) {
            s += Math.abs(meanP[c] - meanY[c]);
        }
        return beta * n * s / k;
    }

    static double[] sigmoid(double[] z) {
        double[] p = new double[z.length];
        for (int k = 0; k < z.length; k++) {
            p[k] = 1 / (1 + Math.exp(-z[k]));
        }
        return p;
    }

    /** One row's share of alpha * mean_{i,k} relu(max z - z_k - m), times N: (alpha/K) sum_k relu(...). */
    static double mbls(double[] z, double margin, double alpha) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            m = Math.max(m, v);
        }
        double s = 0;
        for (double v : z) {
            s += Math.max(0, m - v - margin);
        }
        return alpha * s / z.length;
    }
}
