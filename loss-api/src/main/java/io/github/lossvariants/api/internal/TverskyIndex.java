package io.github.lossvariants.api.internal;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Tversky index and its partial derivatives, element-wise on arrays of soft counts:
 * <pre>
 *   TI = (TP + s) / (TP + alpha*FP + beta*FN + s)
 *   dTI/dTP = (alpha*FP + beta*FN) / D^2,  dTI/dFP = -alpha*(TP + s) / D^2,  dTI/dFN = -beta*(TP + s) / D^2
 * </pre>
 * with D the denominator (Tversky 1977; Salehi et al. 2017 as a loss). alpha = beta = 0.5 is the
 * Dice coefficient. A building block for {@link RegionLoss} subclasses (Tversky, focal Tversky,
 * asymmetric focal Tversky).
 *
 * @since 0.1.0
 */
public final class TverskyIndex {
    private TverskyIndex() {
    }

    /**
     * Computes TI and, when the derivative outputs are non-null, its partials. All arrays have
     * the same shape (typically {@code [groups, classes]}); the inputs are read only.
     *
     * @param tp     soft true positives, {@code >= 0}
     * @param fp     soft false positives, {@code >= 0}
     * @param fn     soft false negatives, {@code >= 0}
     * @param alpha  false-positive weight, {@code >= 0}
     * @param beta   false-negative weight, {@code >= 0}
     * @param smooth added to numerator and denominator, {@code > 0} keeps an empty group finite (TI = 1)
     * @param dTp    output dTI/dTP, or null
     * @param dFp    output dTI/dFP, or null
     * @param dFn    output dTI/dFN, or null
     * @return a new array holding TI
     */
    public static INDArray compute(INDArray tp, INDArray fp, INDArray fn, double alpha, double beta, double smooth,
                                   INDArray dTp, INDArray dFp, INDArray dFn) {
        INDArray num = tp.add(smooth);
        // penalty = alpha*FP + beta*FN
        INDArray penalty = fp.mul(alpha).addi(fn.mul(beta));
        INDArray den = penalty.add(num);
        INDArray ti = num.div(den);
        if (dTp != null || dFp != null || dFn != null) {
            INDArray invDen2 = den.muli(den).rdivi(1.0); // den is not needed any more
            if (dTp != null) {
                dTp.assign(penalty).muli(invDen2);
            }
            INDArray numOverDen2 = num.muli(invDen2);
            if (dFp != null) {
                dFp.assign(numOverDen2).muli(-alpha);
            }
            if (dFn != null) {
                dFn.assign(numOverDen2).muli(-beta);
            }
        }
        return ti;
    }
}
