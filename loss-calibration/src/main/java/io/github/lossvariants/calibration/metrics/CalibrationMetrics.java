package io.github.lossvariants.calibration.metrics;

import io.github.lossvariants.calibration.internal.HostArrays;
import org.nd4j.evaluation.classification.EvaluationCalibration;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Calibration metrics on DL4J outputs. Inputs are <b>probabilities</b> (what
 * {@code MultiLayerNetwork.output} returns), never logits, and labels either one-hot
 * ({@code [N, K]}, like the probabilities) or class indices ({@code [N]} or {@code [N, 1]}).
 * Values are fractions (multiply by 100 for the percentages the papers report).
 *
 * <p>Conventions (see {@code docs/calibration.md}):
 * <ul>
 *   <li>ECE = sum_b (|B_b| / N) |acc(b) - conf(b)| on the top-label confidence, 15 equal-width
 *       bins, edges {@link BinEdges#UPPER_INCLUSIVE} (lo, hi] by default;</li>
 *   <li>MCE = max_b |acc(b) - conf(b)|, empty bins count 0;</li>
 *   <li>adaptive ECE: equal-mass bins, keeping the lowest-confidence sample (weights sum to 1);</li>
 *   <li>classwise ECE: per class c, bin p_ic over all samples against 1[y = c], then the mean over
 *       all K columns (absent classes included);</li>
 *   <li>Brier = mean over samples of sum over classes (p_k - y_k)^2 (not divided by K);</li>
 *   <li>NLL = mean of -log p_y, with p_y clamped below at {@link #NLL_FLOOR}.</li>
 * </ul>
 *
 * @since 0.1.0
 */
public final class CalibrationMetrics {
    /** Default number of bins, as the calibration papers use. */
    public static final int DEFAULT_BINS = 15;
    /** Lower clamp of p_y in the NLL, so that a zero probability gives a large finite value. */
    public static final double NLL_FLOOR = 1e-300;

    private CalibrationMetrics() {
    }

    // ---------------------------------------------------------------- top label

    /** @return ECE with 15 equal-width (lo, hi] bins on the top-label confidence */
    public static double ece(INDArray probs, INDArray labels) {
        return topLabelDiagram(probs, labels, DEFAULT_BINS, BinEdges.UPPER_INCLUSIVE).ece();
    }

    /** @return ECE with the given number of equal-width bins and edge convention */
    public static double ece(INDArray probs, INDArray labels, int bins, BinEdges edges) {
        return topLabelDiagram(probs, labels, bins, edges).ece();
    }

    /** @return MCE with 15 equal-width (lo, hi] bins */
    public static double mce(INDArray probs, INDArray labels) {
        return topLabelDiagram(probs, labels, DEFAULT_BINS, BinEdges.UPPER_INCLUSIVE).mce();
    }

    /** @return MCE with the given bins and convention */
    public static double mce(INDArray probs, INDArray labels, int bins, BinEdges edges) {
        return topLabelDiagram(probs, labels, bins, edges).mce();
    }

    /** @return adaptive ECE with 15 equal-mass bins (no sample dropped) */
    public static double adaptiveEce(INDArray probs, INDArray labels) {
        return adaptiveEce(probs, labels, DEFAULT_BINS);
    }

    /** @return adaptive ECE with the given number of equal-mass bins (no sample dropped) */
    public static double adaptiveEce(INDArray probs, INDArray labels, int bins) {
        TopLabel t = topLabel(probs, labels);
        return Binning.equalMass(t.confidence, t.correct, bins, true).ece();
    }

    /**
     * @return the reliability diagram of the top-label confidence (per bin confidence, accuracy,
     * count), equal-width bins
     */
    public static ReliabilityDiagram topLabelDiagram(INDArray probs, INDArray labels, int bins, BinEdges edges) {
        TopLabel t = topLabel(probs, labels);
        return Binning.equalWidth(t.confidence, t.correct, bins, edges);
    }

    /** @return the reliability diagram on equal-mass bins of the top-label confidence (no sample dropped) */
    public static ReliabilityDiagram topLabelEqualMassDiagram(INDArray probs, INDArray labels, int bins) {
        TopLabel t = topLabel(probs, labels);
        return Binning.equalMass(t.confidence, t.correct, bins, true);
    }

    // ---------------------------------------------------------------- classwise

    /** @return classwise ECE (SCE) with 15 equal-width (lo, hi] bins, mean over all K classes */
    public static double classwiseEce(INDArray probs, INDArray labels) {
        return classwiseEce(probs, labels, DEFAULT_BINS, BinEdges.UPPER_INCLUSIVE);
    }

    /** @return classwise ECE: per class, p_ic binned against 1[y = c]; mean over all K columns */
    public static double classwiseEce(INDArray probs, INDArray labels, int bins, BinEdges edges) {
        double[][] p = probabilities(probs);
        int[] y = classIndices(labels, p);
        int k = p[0].length;
        double sum = 0;
        double[] conf = new double[p.length];
        double[] acc = new double[p.length];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < p.length; i++) {
                conf[i] = p[i][c];
                acc[i] = y[i] == c ? 1 : 0;
            }
            sum += Binning.equalWidth(conf, acc, bins, edges).ece();
        }
        return sum / k;
    }

    /**
     * Classwise ECE from the data a DL4J {@link EvaluationCalibration} already holds (its per-class
     * reliability-diagram counts, with its own equal-width bins: 10 by default). Useful when the
     * probabilities are no longer at hand.
     *
     * @param evaluation an evaluation that has seen at least one example
     * @return mean over classes of sum_b |positives_b - sumPredicted_b| / N
     */
    public static double classwiseEce(EvaluationCalibration evaluation) {
        INDArray pos = evaluation.getRDiagBinPosCount();
        INDArray total = evaluation.getRDiagBinTotalCount();
        INDArray sumPred = evaluation.getRDiagBinSumPredictions();
        if (pos == null || total == null || sumPred == null) {
            throw new IllegalArgumentException("The EvaluationCalibration has seen no data yet");
        }
        double[][] ps = HostArrays.rows(pos);
        double[][] ts = HostArrays.rows(total);
        double[][] ss = HostArrays.rows(sumPred);
        int bins = ps.length;
        int k = ps[0].length;
        double eceSum = 0;
        for (int c = 0; c < k; c++) {
            double n = 0;
            double gaps = 0;
            for (int b = 0; b < bins; b++) {
                n += ts[b][c];
                gaps += Math.abs(ps[b][c] - ss[b][c]);
            }
            eceSum += n == 0 ? 0 : gaps / n;
        }
        return eceSum / k;
    }

    // ---------------------------------------------------------------- scores

    /** @return Brier score: mean over samples of sum over classes (p_k - y_k)^2 (range [0, 2]) */
    public static double brier(INDArray probs, INDArray labels) {
        double[][] p = probabilities(probs);
        int[] y = classIndices(labels, p);
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            for (int k = 0; k < p[i].length; k++) {
                double d = p[i][k] - (y[i] == k ? 1 : 0);
                s += d * d;
            }
        }
        return s / p.length;
    }

    /** @return negative log-likelihood: mean over samples of -log max(p_y, {@link #NLL_FLOOR}) */
    public static double nll(INDArray probs, INDArray labels) {
        double[][] p = probabilities(probs);
        int[] y = classIndices(labels, p);
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            s -= Math.log(Math.max(p[i][y[i]], NLL_FLOOR));
        }
        return s / p.length;
    }

    // ---------------------------------------------------------------- binary and multi-label

    /**
     * Positive-class reliability of a binary classifier (torchmetrics' binary ECE): confidence =
     * p(y = 1), "accuracy" = the fraction of positives in the bin.
     *
     * @param positiveProbs p(y = 1) per sample, any shape with N elements
     * @param targets       0/1 per sample, same number of elements
     */
    public static ReliabilityDiagram binaryDiagram(INDArray positiveProbs, INDArray targets, int bins, BinEdges edges) {
        double[] c = HostArrays.flat(positiveProbs);
        double[] t = HostArrays.flat(targets);
        return Binning.equalWidth(c, t, bins, edges);
    }

    /** @return binary positive-class ECE (see {@link #binaryDiagram}) */
    public static double binaryEce(INDArray positiveProbs, INDArray targets, int bins, BinEdges edges) {
        return binaryDiagram(positiveProbs, targets, bins, edges).ece();
    }

    /**
     * Per-label positive-class ECE of a multi-label (sigmoid) output, and its macro mean.
     *
     * @param probs  {@code [N, L]} sigmoid probabilities
     * @param labels {@code [N, L]} 0/1 targets
     */
    public static MultiLabelCalibration multiLabelEce(INDArray probs, INDArray labels, int bins, BinEdges edges) {
        double[][] p = probabilities(probs);
        double[][] y = HostArrays.rows(labels);
        if (y.length != p.length || y[0].length != p[0].length) {
            throw new IllegalArgumentException("Multi-label ECE needs labels shaped like the probabilities "
                    + Arrays.toString(probs.shape()) + ", got " + Arrays.toString(labels.shape()));
        }
        int l = p[0].length;
        double[] per = new double[l];
        double[] c = new double[p.length];
        double[] t = new double[p.length];
        for (int j = 0; j < l; j++) {
            for (int i = 0; i < p.length; i++) {
                c[i] = p[i][j];
                t[i] = y[i][j];
            }
            per[j] = Binning.equalWidth(c, t, bins, edges).ece();
        }
        return new MultiLabelCalibration(per);
    }

    /** @return multi-label ECE with 15 (lo, hi] bins */
    public static MultiLabelCalibration multiLabelEce(INDArray probs, INDArray labels) {
        return multiLabelEce(probs, labels, DEFAULT_BINS, BinEdges.UPPER_INCLUSIVE);
    }

    // ---------------------------------------------------------------- segmentation

    /**
     * Pixel-level top-label ECE of a segmentation output over foreground pixels: all pixels of all
     * images are flattened, pixels whose <b>label</b> is the background class (or whose mask is 0)
     * are dropped, and one ECE is computed over the rest (a dataset-level ECE, not the per-batch
     * average the MbLS evaluator reports).
     *
     * @param probs      {@code [N, C, H, W]} softmax probabilities (NCHW, as CnnLossLayer outputs),
     *                   or {@code [rows, C]} already flattened
     * @param labels     one-hot labels shaped like probs
     * @param mask       null, or a {@code [N, 1, H, W]} / {@code [rows, 1]} 0/1 mask (0 = ignore)
     * @param background the background class index to drop, or -1 to keep every class
     * @param bins       number of equal-width bins
     * @param edges      edge convention
     * @return the diagram over the kept pixels
     */
    public static ReliabilityDiagram segmentationDiagram(INDArray probs, INDArray labels, INDArray mask,
                                                         int background, int bins, BinEdges edges) {
        INDArray p = toRows(probs);
        INDArray y = toRows(labels);
        INDArray m = mask == null ? null : toRows(mask);
        double[][] pp = probabilities(p);
        int[] yy = classIndices(y, pp);
        double[] mm = m == null ? null : HostArrays.flat(m);
        double[] conf = new double[pp.length];
        double[] acc = new double[pp.length];
        int n = 0;
        for (int i = 0; i < pp.length; i++) {
            if (yy[i] == background || (mm != null && mm[i] == 0)) {
                continue;
            }
            int arg = argMax(pp[i]);
            conf[n] = pp[i][arg];
            acc[n] = arg == yy[i] ? 1 : 0;
            n++;
        }
        if (n == 0) {
            throw new IllegalArgumentException("No foreground pixel left after dropping background class "
                    + background + " and masked pixels");
        }
        return Binning.equalWidth(Arrays.copyOf(conf, n), Arrays.copyOf(acc, n), bins, edges);
    }

    /** @return pixel-level foreground ECE with 15 (lo, hi] bins, background class 0, no mask */
    public static double segmentationEce(INDArray probs, INDArray labels) {
        return segmentationDiagram(probs, labels, null, 0, DEFAULT_BINS, BinEdges.UPPER_INCLUSIVE).ece();
    }

    /** NCHW (or NCDHW) to {@code [N*H*W, C]} rows in CnnLossLayer's order; 2-D arrays pass through. */
    static INDArray toRows(INDArray a) {
        if (a.rank() == 2) {
            return a;
        }
        if (a.rank() < 3) {
            return a.reshape(a.length(), 1);
        }
        int r = a.rank();
        int[] perm = new int[r];
        perm[0] = 0;
        for (int i = 1; i < r - 1; i++) {
            perm[i] = i + 1;
        }
        perm[r - 1] = 1;
        INDArray t = a.permute(perm).dup('c');
        return t.reshape('c', a.length() / a.size(1), a.size(1));
    }

    // ---------------------------------------------------------------- helpers

    /** Top-label confidence and correctness per sample. */
    static final class TopLabel {
        final double[] confidence;
        final double[] correct;

        TopLabel(double[] confidence, double[] correct) {
            this.confidence = confidence;
            this.correct = correct;
        }
    }

    static TopLabel topLabel(INDArray probs, INDArray labels) {
        double[][] p = probabilities(probs);
        int[] y = classIndices(labels, p);
        double[] conf = new double[p.length];
        double[] corr = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            int a = argMax(p[i]);
            conf[i] = p[i][a];
            corr[i] = a == y[i] ? 1 : 0;
        }
        return new TopLabel(conf, corr);
    }

    static int argMax(double[] row) {
        int a = 0;
        for (int k = 1; k < row.length; k++) {
            if (row[k] > row[a]) {
                a = k;
            }
        }
        return a;
    }

    static double[][] probabilities(INDArray probs) {
        if (probs == null || probs.rank() != 2 || probs.size(0) == 0) {
            throw new IllegalArgumentException("Probabilities must be a non-empty [N, K] array, got "
                    + (probs == null ? "null" : Arrays.toString(probs.shape())));
        }
        return HostArrays.rows(probs);
    }

    /** One-hot {@code [N, K]} (argmax per row) or indices {@code [N]} / {@code [N, 1]}. */
    static int[] classIndices(INDArray labels, double[][] p) {
        int n = p.length;
        int k = p[0].length;
        int[] y = new int[n];
        if (labels.rank() == 2 && labels.size(0) == n && labels.size(1) == k && k > 1) {
            double[][] l = HostArrays.rows(labels);
            for (int i = 0; i < n; i++) {
                y[i] = argMax(l[i]);
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
        throw new IllegalArgumentException("Labels must be one-hot " + Arrays.toString(new long[]{n, k})
                + " or class indices [" + n + "] / [" + n + ", 1], got " + Arrays.toString(labels.shape()));
    }
}
