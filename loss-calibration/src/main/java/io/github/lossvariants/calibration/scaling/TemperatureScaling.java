package io.github.lossvariants.calibration.scaling;

import io.github.lossvariants.calibration.internal.HostArrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Temperature scaling for multi-class softmax outputs (Guo, Pleiss, Sun &amp; Weinberger, ICML 2017):
 * calibrated p = softmax(z / T) with one T &gt; 0 fitted on validation data by minimising the NLL.
 * T &gt; 1 softens an over-confident model; argmax (accuracy) never changes.
 *
 * <p>Fitting: the validation NLL is convex in b = 1/T (a log-sum-exp of linear functions), with
 * dNLL/db = mean_i(sum_k p_ik z_ik - z_iy); {@link #fit} finds its root by bisection on log b within
 * T in [{@value #MIN_T}, {@value #MAX_T}] (60 steps, relative precision about 1e-15), a global
 * optimum rather than the local LBFGS run of the reference code (which starts at T = 1.5).
 *
 * <p>Network outputs suffice: softmax(log p / T) = softmax(z / T) because log p differs from z by a
 * per-row constant, so {@link #fitOnProbabilities} and {@link #calibrateProbabilities} work from
 * {@code MultiLayerNetwork.output} (probabilities are clamped at {@value #PROB_FLOOR} before the log).
 *
 * @since 0.1.0
 */
public final class TemperatureScaling implements ProbabilityCalibrator, Serializable {
    private static final long serialVersionUID = 1L;
    /** Smallest temperature the fit returns. */
    public static final double MIN_T = 1e-2;
    /** Largest temperature the fit returns. */
    public static final double MAX_T = 1e2;
    /** Floor of probabilities before their log is taken. */
    public static final double PROB_FLOOR = 1e-45;

    private final double temperature;

    /**
     * @param temperature T &gt; 0 (finite)
     */
    public TemperatureScaling(double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("Temperature must be a finite number > 0, got " + temperature);
        }
        this.temperature = temperature;
    }

    /** @return T */
    public double temperature() {
        return temperature;
    }

    /**
     * Fits T on validation logits.
     *
     * @param logits {@code [N, K]} pre-softmax outputs
     * @param labels one-hot {@code [N, K]} or class indices {@code [N]} / {@code [N, 1]}
     * @return the fitted scaling
     */
    public static TemperatureScaling fit(INDArray logits, INDArray labels) {
        double[][] z = HostArrays.rows(logits);
        int[] y = indices(labels, z);
        double lo = Math.log(1 / MAX_T);
        double hi = Math.log(1 / MIN_T);
        if (derivative(z, y, Math.exp(lo)) >= 0) {
            return new TemperatureScaling(MAX_T);
        }
        if (derivative(z, y, Math.exp(hi)) <= 0) {
            return new TemperatureScaling(MIN_T);
        }
        for (int it = 0; it < 60; it++) {
            double mid = 0.5 * (lo + hi);
            if (derivative(z, y, Math.exp(mid)) < 0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return new TemperatureScaling(1 / Math.exp(0.5 * (lo + hi)));
    }

    /** Fits T from network output probabilities (uses log p as logits). */
    public static TemperatureScaling fitOnProbabilities(INDArray probabilities, INDArray labels) {
        return fit(logOf(probabilities), labels);
    }

    /** @return the validation NLL at temperature t: mean_i [logsumexp(z_i / t) - z_iy / t] */
    public static double nll(INDArray logits, INDArray labels, double t) {
        double[][] z = HostArrays.rows(logits);
        int[] y = indices(labels, z);
        double b = 1 / t;
        double s = 0;
        for (int i = 0; i < z.length; i++) {
            double m = Double.NEGATIVE_INFINITY;
            for (double v : z[i]) {
                m = Math.max(m, b * v);
            }
            double e = 0;
            for (double v : z[i]) {
                e += Math.exp(b * v - m);
            }
            s += m + Math.log(e) - b * z[i][y[i]];
        }
        return s / z.length;
    }

    /** dNLL/db at b = 1/T: mean_i (sum_k p_ik z_ik - z_iy), p = softmax(b z). */
    private static double derivative(double[][] z, int[] y, double b) {
        double s = 0;
        for (int i = 0; i < z.length; i++) {
            double m = Double.NEGATIVE_INFINITY;
            for (double v : z[i]) {
                m = Math.max(m, b * v);
            }
            double e = 0;
            double ez = 0;
            for (double v : z[i]) {
                double w = Math.exp(b * v - m);
                e += w;
                ez += w * v;
            }
            s += ez / e - z[i][y[i]];
        }
        return s / z.length;
    }

    @Override
    public INDArray calibrateLogits(INDArray logits) {
        INDArray scaled = logits.div(temperature);
        return Nd4j.exec(new SoftMax(scaled, scaled.ulike(), 1))[0];
    }

    @Override
    public INDArray calibrateProbabilities(INDArray probabilities) {
        return calibrateLogits(logOf(probabilities)).castTo(probabilities.dataType());
    }

    static INDArray logOf(INDArray probabilities) {
        INDArray p = probabilities.castTo(DataType.DOUBLE);
        return Transforms.log(Transforms.max(p, PROB_FLOOR, true), false);
    }

    static int[] indices(INDArray labels, double[][] z) {
        int n = z.length;
        int k = z[0].length;
        int[] y = new int[n];
        if (labels.rank() == 2 && labels.size(0) == n && labels.size(1) == k && k > 1) {
            double[][] l = HostArrays.rows(labels);
            for (int i = 0; i < n; i++) {
                int a = 0;
                for (int c = 1; c < k; c++) {
                    if (l[i][c] > l[i][a]) {
                        a = c;
                    }
                }
                y[i] = a;
            }
            return y;
        }
        if (labels.length() == n) {
            double[] l = HostArrays.flat(labels);
            for (int i = 0; i < n; i++) {
                y[i] = (int) l[i];
                if (y[i] != l[i] || y[i] < 0 || y[i] >= k) {
                    throw new IllegalArgumentException("Class index " + l[i] + " of sample " + i
                            + " is not an integer in [0, " + (k - 1) + "]");
                }
            }
            return y;
        }
        throw new IllegalArgumentException("Labels must be one-hot [" + n + ", " + k + "] or class indices, got "
                + Arrays.toString(labels.shape()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TemperatureScaling && Double.compare(((TemperatureScaling) o).temperature, temperature) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(temperature);
    }

    @Override
    public String toString() {
        return "TemperatureScaling(T=" + temperature + ")";
    }
}
