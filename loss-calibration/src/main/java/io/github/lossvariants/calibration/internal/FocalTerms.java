package io.github.lossvariants.calibration.internal;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The focal kernel shared by the softmax calibration losses: writes, per element,
 * <pre>  l = -w * b^g * log p,   h = dl/dlog p = -w * (b^g - s * g * p * b^(g-1) * log p)</pre>
 * with base b = 1 - s*p (+ eps), g >= 0 and s = +1 (focal) or -1 (inverse focal). For s = +1 the
 * base 1 - p is computed as -expm1(log p), accurate when p is close to 1. Every discrete choice
 * (g, s) is a constant in the derivative, as in the reference code.
 *
 * <p>Internal class, not for public use.
 */
public final class FocalTerms {
    /** Lower clamp of the base before its logarithm is taken: keeps b^(g-1) finite. */
    static final double TINY = 1e-30;

    private FocalTerms() {
    }

    /**
     * @param logP   log-probabilities; read only
     * @param p      probabilities; read only
     * @param weight per-element weight w (one-hot labels, smoothed targets); read only; null for all 1
     * @param gamma  per-element exponent g >= 0 (or a scalar when {@code gammaScalar} is used); read only, may be null
     * @param gammaScalar exponent used when {@code gamma} is null
     * @param inverse per-element 1 where s = -1 (inverse focal), 0 elsewhere; null for all focal
     * @param eps    added to the base (AdaFocal uses 1e-20); 0 for none
     * @param loss   output: l
     * @param dLogP  output: h, or null
     */
    public static void write(INDArray logP, INDArray p, INDArray weight, INDArray gamma, double gammaScalar,
                             INDArray inverse, double eps, INDArray loss, INDArray dLogP) {
        // base = 1 - p, accurately
        INDArray base = Transforms.expm1(logP, true).negi();
        if (inverse != null) {
            // base = (1 - inv) * (1 - p) + inv * (1 + p)
            INDArray onePlusP = p.add(1.0).muli(inverse);
            base.muli(inverse.rsub(1.0)).addi(onePlusP);
        }
        if (eps != 0) {
            base.addi(eps);
        }
        Transforms.max(base, TINY, false);
        INDArray logBase = Transforms.log(base, false);
        INDArray factor = gamma == null ? logBase.mul(gammaScalar) : logBase.mul(gamma);
        Transforms.exp(factor, false); // b^g
        if (dLogP != null) {
            // b^(g-1) = exp((g-1) log b)
            INDArray f1 = gamma == null ? logBase.muli(gammaScalar - 1.0) : logBase.muli(gamma.sub(1.0));
            Transforms.exp(f1, false);
            f1.muli(p).muli(logP);
            if (gamma == null) {
                f1.muli(gammaScalar);
            } else {
                f1.muli(gamma);
            }
            if (inverse != null) {
                // s = 1 - 2 * inv
                f1.muli(inverse.mul(-2.0).addi(1.0));
            }
            // h = (s g p b^(g-1) log p - b^g) * w
            dLogP.assign(f1.subi(factor));
            if (weight != null) {
                dLogP.muli(weight);
            }
        }
        factor.muli(logP).negi();
        loss.assign(weight == null ? factor : factor.muli(weight));
    }
}
