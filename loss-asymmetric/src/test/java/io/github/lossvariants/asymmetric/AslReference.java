package io.github.lossvariants.asymmetric;

/**
 * An independent, deliberately naive transcription of the reference code (Alibaba-MIIL/ASL
 * {@code AsymmetricLoss.forward}) in plain Java doubles, one element at a time: sigmoid, 1 - sigmoid,
 * clip, clamp at eps, pow. Used as the test oracle for values at moderate and extreme logits; it
 * shares no code with the implementation.
 */
final class AslReference {
    static final double EPS = 1e-8;

    private AslReference() {
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** Focusing weight (1 - pt)^gamma of one element, as the reference computes it. */
    static double weight(double x, double y, double gammaNeg, double gammaPos, double clip) {
        if (!(gammaNeg > 0 || gammaPos > 0)) {
            return 1.0;
        }
        double xsPos = sigmoid(x);
        double xsNeg = 1.0 - xsPos;
        if (clip > 0) {
            xsNeg = Math.min(xsNeg + clip, 1.0);
        }
        double pt = xsPos * y + xsNeg * (1 - y);
        double gamma = gammaPos * y + gammaNeg * (1 - y);
        return Math.pow(1 - pt, gamma);
    }

    /** The un-weighted log term y log max(p, eps) + (1 - y) log max(1 - p_m, eps). */
    static double logTerm(double x, double y, double clip) {
        double xsPos = sigmoid(x);
        double xsNeg = 1.0 - xsPos;
        if (clip > 0) {
            xsNeg = Math.min(xsNeg + clip, 1.0);
        }
        return y * Math.log(Math.max(xsPos, EPS)) + (1 - y) * Math.log(Math.max(xsNeg, EPS));
    }

    /** Per-element loss. */
    static double loss(double x, double y, double gammaNeg, double gammaPos, double clip) {
        return -weight(x, y, gammaNeg, gammaPos, clip) * logTerm(x, y, clip);
    }

    /** Sum of per-element losses over a flat array. */
    static double total(double[] x, double[] y, double gammaNeg, double gammaPos, double clip) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += loss(x[i], y[i], gammaNeg, gammaPos, clip);
        }
        return s;
    }

    /** Surrogate with the weight frozen at x0: its gradient at x0 is the detached gradient. */
    static double frozenTotal(double[] x, double[] x0, double[] y, double gammaNeg, double gammaPos, double clip) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += -weight(x0[i], y[i], gammaNeg, gammaPos, clip) * logTerm(x[i], y[i], clip);
        }
        return s;
    }
}
