package io.github.lossvariants.asymmetric.internal;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Pow;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMin;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarSubtraction;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.same.Square;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log1p;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The ASL terms for 0/1 labels, where the focusing weight separates by class: with
 * p = &sigma;(x), 1 - p, p<sub>m</sub> = max(p - clip, 0) and the clamped logs lp = log max(p, &epsilon;),
 * ln = log max(1 - p<sub>m</sub>, &epsilon;) of {@link AsymmetricKernel},
 * <pre>
 *   L = y L+ + (1 - y) L-,   L+ = -(1 - p)^gp lp,   L- = -p_m^gn ln
 *   dL+/dx = -(1 - p)^gp [ (1 - p) [lp unclamped] - gp p lp ]
 *   dL-/dx = -p p_m^(gn-1) [ gn (1 - p) ln - p_m (1 - p) / (1 - p + clip) [ln unclamped] ]   (p &gt; clip; 0 elsewhere)
 * </pre>
 * ((1 - p)/(1 - p<sub>m</sub>) = (1 - p)/(1 - p + clip) lies in (0, 1], so nothing unbounded is formed).
 * With the focusing weight detached the gp and gn terms drop out of the derivatives. Integer
 * exponents up to 4 are multiplications; the general soft-label kernel needs a power with an
 * element-wise exponent instead, and about twice the passes. Requires gammaNeg = 0 or &ge; 1 (then
 * p<sub>m</sub>^(gn-1) is finite) and FLOAT or DOUBLE arrays. Internal, not public API.
 */
final class BinaryAsymmetricKernel {
    private BinaryAsymmetricKernel() {
    }

    /** @return whether this kernel handles the exponent of negatives */
    static boolean supports(double gammaNeg) {
        return gammaNeg == 0.0 || gammaNeg >= 1.0;
    }

    static void compute(INDArray x, INDArray y, INDArray lossOut, INDArray gradOut, double gn, double gp,
                        double clip, boolean detach) {
        double logEps = AsymmetricKernel.LOG_EPS;
        // e = exp(-|x|), l1 = log1p(e); r = 1/(1+e) = sigmoid(|x|), e r = sigmoid(-|x|), d = r - e r;
        // with s = [x > 0]: p = e r + s d, 1 - p = e r + d - s d (exact selections, no cancellation)
        INDArray e = Nd4j.exec(new Abs(x, x.ulike()));
        Nd4j.exec(new ScalarMultiplication(e, null, e, -1.0));
        Nd4j.exec(new Exp(e, e));
        INDArray l1 = Nd4j.exec(new Log1p(e, x.ulike()));
        INDArray d = Nd4j.exec(new ScalarAdd(e, null, x.ulike(), 1.0));
        d.rdivi(1.0);
        e.muli(d);
        d.subi(e);
        INDArray p = Nd4j.exec(new Step(x, x.ulike(), 0.0));
        p.muli(d);
        INDArray q = Nd4j.exec(new SubOp(d, p, d))[0].addi(e); // 1 - p
        p.addi(e);
        // log p = min(x, 0) - l1, clamped at log(eps) as the reference clamps p
        INDArray lp = Nd4j.exec(new ScalarMin(x, null, e, 0.0)).subi(l1);
        INDArray posValid = null;
        if (lp.minNumber().doubleValue() <= logEps) {
            posValid = lp.gt(logEps).castTo(x.dataType());
            Transforms.max(lp, logEps, false);
        }
        // p_m and ln = log(1 - p_m), clamped at log(eps)
        INDArray pm;
        INDArray ln = l1;
        if (clip > 0) {
            pm = Nd4j.exec(new ScalarSubtraction(p, null, x.ulike(), clip));
            Transforms.max(pm, 0.0, false);
            Nd4j.exec(new ScalarMultiplication(pm, null, ln, -1.0));
            Nd4j.exec(new Log1p(ln, ln));
        } else {
            pm = p;
            // log(1 - p) = -max(x, 0) - l1
            ln.addi(Nd4j.exec(new ScalarMax(x, null, x.ulike(), 0.0))).negi();
        }
        INDArray negValid = null;
        if (clip < AsymmetricKernel.EPS && ln.minNumber().doubleValue() <= logEps) {
            negValid = ln.gt(logEps).castTo(x.dataType());
            Transforms.max(ln, logEps, false);
        }

        INDArray wPos = power(q, gp);                         // (1 - p)^gp
        INDArray wNeg1 = gn == 0.0 ? null : power(pm, gn - 1); // p_m^(gn-1)
        INDArray negTerm = wNeg1 == null ? ln.dup() : Nd4j.exec(new MulOp(wNeg1, pm, x.ulike()))[0].muli(ln);
        INDArray posTerm = Nd4j.exec(new MulOp(wPos, lp, x.ulike()))[0];
        // loss = -(L- + y (L+ - L-)) with L+ = -posTerm, L- = -negTerm
        Nd4j.exec(new SubOp(posTerm, negTerm, lossOut));
        lossOut.muli(y).addi(negTerm).negi();
        if (gradOut == null) {
            return;
        }

        // positive: dL+/dx = -(1 - p)^gp [(1 - p) valid - gp p lp]
        INDArray dPos = posTerm;
        Nd4j.exec(new MulOp(q, wPos, dPos));
        if (posValid != null) {
            dPos.muli(posValid);
        }
        if (!detach && gp != 0.0) {
            INDArray t = Nd4j.exec(new MulOp(p, lp, negTerm))[0].muli(wPos).muli(gp);
            dPos.subi(t);
        }
        dPos.negi();

        // negative: r = (1 - p) / (1 - p + clip) (= 1 when clip = 0); dL-/dx = -p p_m^(gn-1) [gn q ln - p_m r valid]
        INDArray dNeg = gradOut;
        INDArray r = negTerm;
        if (clip > 0) {
            Nd4j.exec(new DivOp(q, Nd4j.exec(new ScalarAdd(q, null, r, clip)), r));
        } else {
            r.assign(1.0);
        }
        if (gn == 0.0) {
            // L- = -ln: dL-/dx = p r valid [p > clip]
            Nd4j.exec(new MulOp(p, r, dNeg));
            if (clip > 0) {
                dNeg.muli(Transforms.sign(pm, true));
            }
            if (negValid != null) {
                dNeg.muli(negValid);
            }
        } else {
            Nd4j.exec(new MulOp(pm, r, dNeg)); // p_m r
            if (negValid != null) {
                dNeg.muli(negValid);
            }
            dNeg.negi();
            if (!detach) {
                dNeg.addi(Nd4j.exec(new MulOp(q, ln, r))[0].muli(gn));
            }
            // p_m^(gn-1) is 0 where p <= clip for gn > 1; for gn = 1 the bracket is 0 there (p_m = ln = 0).
            // Detached, the bracket is -p_m r valid: dL-/dx = p_m^gn p r valid.
            dNeg.muli(wNeg1).muli(p).negi();
        }
        // grad = dL-/dx + y (dL+/dx - dL-/dx)
        dPos.subi(dNeg).muli(y);
        dNeg.addi(dPos);
    }

    /** @return base^g into a new array: products for g in {0, 1, 2, 3, 4}, {@link Pow} otherwise */
    private static INDArray power(INDArray base, double g) {
        if (g == 0.0) {
            return base.ulike().assign(1.0);
        }
        if (g == 1.0) {
            return base;
        }
        if (g == 2.0 || g == 4.0) {
            INDArray sq = Nd4j.exec(new Square(base, base.ulike()));
            return g == 2.0 ? sq : sq.muli(sq);
        }
        if (g == 3.0) {
            return Nd4j.exec(new Square(base, base.ulike())).muli(base);
        }
        return Nd4j.exec(new Pow(base, base.ulike(), g));
    }
}
