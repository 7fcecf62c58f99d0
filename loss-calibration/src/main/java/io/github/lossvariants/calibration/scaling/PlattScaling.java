package io.github.lossvariants.calibration.scaling;

import io.github.lossvariants.calibration.internal.HostArrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Platt scaling per label for binary and multi-label (sigmoid) outputs (Platt 1999, with the
 * Newton method and target smoothing of Lin, Lin &amp; Weng 2007, as scikit-learn uses it):
 * <pre>
 *   P_l(f) = 1 / (1 + exp(A_l f + B_l))          f = the label's logit
 * </pre>
 * fitted per label on validation data by minimising the log loss against smoothed targets
 * (N+ + 1)/(N+ + 2) for positives and 1/(N- + 2) for negatives, starting at A = 0,
 * B = log((N- + 1)/(N+ + 1)). Labels are calibrated independently and not renormalised.
 * An over-confident label gets |A| &lt; 1 (A is negative for a useful classifier).
 *
 * @since 0.1.0
 */
public final class PlattScaling implements ProbabilityCalibrator, Serializable {
    private static final long serialVersionUID = 1L;
    private static final double PROB_FLOOR = 1e-15;

    private final double[] a;
    private final double[] b;

    /**
     * @param a slope per label
     * @param b offset per label, same length
     */
    public PlattScaling(double[] a, double[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("Need one (A, B) pair per label: " + a.length + " slopes, "
                    + b.length + " offsets");
        }
        this.a = a.clone();
        this.b = b.clone();
    }

    /** @return a copy of the slopes A_l */
    public double[] slopes() {
        return a.clone();
    }

    /** @return a copy of the offsets B_l */
    public double[] offsets() {
        return b.clone();
    }

    /**
     * @param logits {@code [N, L]} (or {@code [N]}) decision values, e.g. pre-sigmoid outputs
     * @param labels 0/1 targets of the same shape
     * @return one fitted (A, B) per label column
     */
    public static PlattScaling fit(INDArray logits, INDArray labels) {
        INDArray f2 = logits.rank() == 1 ? logits.reshape(logits.length(), 1) : logits;
        INDArray y2 = labels.rank() == 1 ? labels.reshape(labels.length(), 1) : labels;
        if (!Arrays.equals(f2.shape(), y2.shape())) {
            throw new IllegalArgumentException("Labels must be shaped like the logits " + Arrays.toString(f2.shape())
                    + ", got " + Arrays.toString(y2.shape()));
        }
        double[][] f = HostArrays.rows(f2);
        double[][] y = HostArrays.rows(y2);
        int l = f[0].length;
        double[] a = new double[l];
        double[] b = new double[l];
        double[] col = new double[f.length];
        double[] t = new double[f.length];
        for (int j = 0; j < l; j++) {
            for (int i = 0; i < f.length; i++) {
                col[i] = f[i][j];
                t[i] = y[i][j];
            }
            double[] ab = fitOne(col, t);
            a[j] = ab[0];
            b[j] = ab[1];
        }
        return new PlattScaling(a, b);
    }

    /** Fits from sigmoid probabilities (uses their logits, clamped at 1e-15 from 0 and 1). */
    public static PlattScaling fitOnProbabilities(INDArray probabilities, INDArray labels) {
        return fit(logitOf(probabilities), labels);
    }

    /** Newton's method with backtracking on the smoothed-target log loss. */
    static double[] fitOne(double[] f, double[] y) {
        int n = f.length;
        double prior1 = 0;
        for (double v : y) {
            prior1 += v > 0.5 ? 1 : 0;
        }
        double prior0 = n - prior1;
        double hi = (prior1 + 1) / (prior1 + 2);
        double lo = 1 / (prior0 + 2);
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = y[i] > 0.5 ? hi : lo;
        }
        double a = 0;
        double b = Math.log((prior0 + 1) / (prior1 + 1));
        double fval = objective(f, t, a, b);
        for (int it = 0; it < 100; it++) {
            double h11 = 1e-12;
            double h22 = 1e-12;
            double h21 = 0;
            double g1 = 0;
            double g2 = 0;
            for (int i = 0; i < n; i++) {
                double fApB = f[i] * a + b;
                double p;
                double q;
                if (fApB >= 0) {
                    double e = Math.exp(-fApB);
                    p = e / (1 + e);
                    q = 1 / (1 + e);
                } else {
                    double e = Math.exp(fApB);
                    p = 1 / (1 + e);
                    q = e / (1 + e);
                }
                double d2 = p * q;
                h11 += f[i] * f[i] * d2;
                h22 += d2;
                h21 += f[i] * d2;
                double d1 = t[i] - p;
                g1 += f[i] * d1;
                g2 += d1;
            }
            if (Math.abs(g1) < 1e-9 && Math.abs(g2) < 1e-9) {
                break;
            }
            double det = h11 * h22 - h21 * h21;
            double dA = -(h22 * g1 - h21 * g2) / det;
            double dB = -(-h21 * g1 + h11 * g2) / det;
            double gd = g1 * dA + g2 * dB;
            double step = 1;
            boolean moved = false;
            while (step >= 1e-10) {
                double na = a + step * dA;
                double nb = b + step * dB;
                double nf = objective(f, t, na, nb);
                if (nf < fval + 1e-4 * step * gd) {
                    a = na;
                    b = nb;
                    fval = nf;
                    moved = true;
                    break;
                }
                step /= 2;
            }
            if (!moved) {
                break;
            }
        }
        return new double[]{a, b};
    }

    private static double objective(double[] f, double[] t, double a, double b) {
        double s = 0;
        for (int i = 0; i < f.length; i++) {
            double fApB = f[i] * a + b;
            if (fApB >= 0) {
                s += t[i] * fApB + Math.log1p(Math.exp(-fApB));
            } else {
                s += (t[i] - 1) * fApB + Math.log1p(Math.exp(fApB));
            }
        }
        return s;
    }

    @Override
    public INDArray calibrateLogits(INDArray logits) {
        INDArray f = logits.rank() == 1 ? logits.reshape(logits.length(), 1) : logits;
        if (f.size(1) != a.length) {
            throw new IllegalArgumentException("Fitted for " + a.length + " labels, got " + f.size(1) + " columns");
        }
        INDArray av = Nd4j.createFromArray(a).castTo(f.dataType()).reshape(1, a.length);
        INDArray bv = Nd4j.createFromArray(b).castTo(f.dataType()).reshape(1, b.length);
        // 1 / (1 + exp(A f + B)) = sigmoid(-(A f + B))
        INDArray out = f.mulRowVector(av).addiRowVector(bv).negi();
        out = org.nd4j.linalg.ops.transforms.Transforms.sigmoid(out, false);
        return logits.rank() == 1 ? out.reshape(logits.length()) : out;
    }

    @Override
    public INDArray calibrateProbabilities(INDArray probabilities) {
        return calibrateLogits(logitOf(probabilities)).castTo(probabilities.dataType());
    }

    static INDArray logitOf(INDArray probabilities) {
        double[] p = HostArrays.flat(probabilities);
        double[] z = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            double v = Math.min(1 - PROB_FLOOR, Math.max(PROB_FLOOR, p[i]));
            z[i] = Math.log(v) - Math.log1p(-v);
        }
        return Nd4j.createFromArray(z).reshape(probabilities.shape());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PlattScaling && Arrays.equals(((PlattScaling) o).a, a) && Arrays.equals(((PlattScaling) o).b, b);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(a) + Arrays.hashCode(b);
    }

    @Override
    public String toString() {
        return "PlattScaling(A=" + Arrays.toString(a) + ", B=" + Arrays.toString(b) + ")";
    }
}
