package io.github.lossvariants.tversky;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Plain-Java loop implementations of the new region losses, written from the papers and the
 * references' definitions (not from the library code), as oracles for random inputs. Arrays are
 * {@code [positions][classes]} of one group (one image, or the whole minibatch); masked positions
 * are simply left out by the caller.
 */
final class References {
    private References() {
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    static double[][] softmax(double[][] z) {
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            double max = Arrays.stream(z[i]).max().orElseThrow();
            double[] e = Arrays.stream(z[i]).map(v -> Math.exp(v - max)).toArray();
            double s = Arrays.stream(e).sum();
            p[i] = Arrays.stream(e).map(v -> v / s).toArray();
        }
        return p;
    }

    static double[][] sigmoid(double[][] z) {
        return Arrays.stream(z).map(r -> Arrays.stream(r).map(References::sigmoid).toArray()).toArray(double[][]::new);
    }

    /** Berman et al.'s Lovász extension of the Jaccard loss: errors sorted decreasingly (ties by index). */
    static double lovaszExtension(double[] errors, double[] labels) {
        Integer[] order = IntStream.range(0, errors.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -errors[i]).thenComparingInt(i -> i));
        double positives = Arrays.stream(labels).sum();
        double cumulative = 0;
        double previous = 0;
        double loss = 0;
        for (int k = 0; k < order.length; k++) {
            cumulative += labels[order[k]];
            double intersection = positives - cumulative;
            double union = positives + (k + 1) - cumulative;
            double jaccard = 1 - intersection / union;
            loss += errors[order[k]] * (jaccard - previous);
            previous = jaccard;
        }
        return loss;
    }

    /** Lovász hinge of one channel: errors relu(1 - z (2g - 1)). */
    static double lovaszHinge(double[] logits, double[] labels) {
        double[] e = new double[logits.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = Math.max(0, 1 - logits[i] * (2 * labels[i] - 1));
        }
        return lovaszExtension(e, labels);
    }

    /** Lovász-Softmax: mean over the classes present of the extension of |g - p|. */
    static double lovaszSoftmax(double[][] probabilities, double[][] labels) {
        int classes = labels[0].length;
        double sum = 0;
        int present = 0;
        for (int c = 0; c < classes; c++) {
            double[] g = column(labels, c);
            if (Arrays.stream(g).sum() == 0) {
                continue;
            }
            double[] p = column(probabilities, c);
            double[] e = new double[g.length];
            for (int i = 0; i < e.length; i++) {
                e[i] = Math.abs(g[i] - p[i]);
            }
            sum += lovaszExtension(e, g);
            present++;
        }
        return present == 0 ? 0 : sum / present;
    }

    /** MONAI's GeneralizedDiceLoss of one group over the given classes. */
    static double generalizedDice(double[][] p, double[][] g, String weightType, double smooth, int[] classes) {
        double[] w = new double[classes.length];
        double maxFinite = 0;
        for (int k = 0; k < classes.length; k++) {
            double count = Arrays.stream(column(g, classes[k])).sum();
            w[k] = weightType.equals("uniform") ? 1 : weightType.equals("simple") ? 1 / count : 1 / (count * count);
            if (Double.isFinite(w[k])) {
                maxFinite = Math.max(maxFinite, w[k]);
            }
        }
        double num = 0;
        double den = 0;
        for (int k = 0; k < classes.length; k++) {
            double wk = Double.isFinite(w[k]) ? w[k] : maxFinite;
            double[] pc = column(p, classes[k]);
            double[] gc = column(g, classes[k]);
            for (int i = 0; i < pc.length; i++) {
                num += wk * pc[i] * gc[i];
                den += wk * (pc[i] + gc[i]);
            }
        }
        return 1 - (2 * num + smooth) / (den + smooth);
    }

    /** MONAI's DiceLoss(jaccard=True) of one class. */
    static double jaccard(double[] p, double[] g, double smooth) {
        double i = 0;
        double sp = 0;
        double sg = 0;
        for (int k = 0; k < p.length; k++) {
            i += p[k] * g[k];
            sp += p[k];
            sg += g[k];
        }
        return 1 - (2 * i + smooth) / (2 * (sp + sg - i) + smooth);
    }

    /** smp's MCCLoss of one class: eps added to each soft count. */
    static double mcc(double[] p, double[] g, double eps) {
        double tp = eps;
        double tn = eps;
        double fp = eps;
        double fn = eps;
        for (int k = 0; k < p.length; k++) {
            tp += p[k] * g[k];
            tn += (1 - p[k]) * (1 - g[k]);
            fp += p[k] * (1 - g[k]);
            fn += (1 - p[k]) * g[k];
        }
        return 1 - (tp * tn - fp * fn) / Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
    }

    static double[] column(double[][] a, int c) {
        return Arrays.stream(a).mapToDouble(r -> r[c]).toArray();
    }
}
