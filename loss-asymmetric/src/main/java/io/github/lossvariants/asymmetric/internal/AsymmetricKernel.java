package io.github.lossvariants.asymmetric.internal;

import io.github.lossvariants.api.internal.LossInputs;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log1p;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Element-wise ASL terms and their derivative with respect to the logits, computed from the
 * logits in log space. Internal: not part of the public API (see
 * {@link io.github.lossvariants.asymmetric.AsymmetricLoss} for the formula).
 *
 * <p>With {@code l1 = log1p(exp(-|x|))}: {@code log p = min(x,0) - l1} and
 * {@code log(1-p) = -max(x,0) - l1}, exact for any finite x; {@code p} and {@code 1-p} are their
 * exponentials, so {@code 1-p} is never formed by cancellation. For the shifted negatives
 * {@code log(1-p_m) = log1p(-p_m)} (clip &gt; 0; {@code 1-p_m >= clip}) or {@code log(1-p)}
 * (clip = 0). Both logs are clamped at {@code log(1e-8)} as the reference clamps its arguments at
 * {@code eps = 1e-8}; where a clamp is active its derivative is 0, as in the reference.
 *
 * <p>The derivative of the focusing weight {@code w = q^g} ({@code q = 1 - p_t}) is written
 * {@code dw * A = g * w * dq * (A / q)}; for hard labels {@code |A| / q} is bounded (it tends to 1
 * as q tends to 0), so no negative power of q is ever formed and the gradient is finite for every
 * gamma &gt;= 0. Where the clip zeroes a negative's term ({@code p <= clip}) both w (for
 * gammaNeg &gt; 0) and every derivative factor are exactly 0, so is the gradient.
 *
 * <p>HALF and BFLOAT16 inputs are computed in FLOAT and the results cast back.
 */
public final class AsymmetricKernel {
    /** The reference's clamp inside its logs. */
    public static final double EPS = 1e-8;
    /** {@code log(EPS)}. */
    public static final double LOG_EPS = Math.log(EPS);

    private AsymmetricKernel() {
    }

    /**
     * Writes per-element loss and (optionally) d(loss)/d(logit).
     *
     * @param x        logits, read only
     * @param y        labels in [0, 1], same shape and type as x, read only
     * @param lossOut  receives the per-element loss
     * @param gradOut  receives the derivative; null for none
     * @param gammaNeg exponent of negatives, &gt;= 0
     * @param gammaPos exponent of positives, &gt;= 0
     * @param clip     probability margin in [0, 1)
     * @param detach   whether the focusing weight is a constant in the gradient
     */
    public static void compute(INDArray x, INDArray y, INDArray lossOut, INDArray gradOut, double gammaNeg,
                               double gammaPos, double clip, boolean detach) {
        DataType type = x.dataType();
        if (type == DataType.HALF || type == DataType.BFLOAT16) {
            INDArray lossF = Nd4j.createUninitialized(DataType.FLOAT, lossOut.shape());
            INDArray gradF = gradOut == null ? null : lossF.ulike();
            computeIn(x.castTo(DataType.FLOAT), y.castTo(DataType.FLOAT), lossF, gradF, gammaNeg, gammaPos, clip,
                    detach);
            lossOut.assign(lossF.castTo(type));
            if (gradOut != null) {
                gradOut.assign(gradF.castTo(type));
            }
            return;
        }
        computeIn(x, y, lossOut, gradOut, gammaNeg, gammaPos, clip, detach);
    }

    private static void computeIn(INDArray x, INDArray y, INDArray lossOut, INDArray gradOut, double gammaNeg,
                                  double gammaPos, double clip, boolean detach) {
        if (BinaryAsymmetricKernel.supports(gammaNeg) && LossInputs.isBinary(y)) {
            BinaryAsymmetricKernel.compute(x, y, lossOut, gradOut, gammaNeg, gammaPos, clip, detach);
            return;
        }
        computeGeneral(x, y, lossOut, gradOut, gammaNeg, gammaPos, clip, detach);
    }

    /** The kernel for any labels in [0, 1] (soft labels interpolate the weight's base and exponent). */
    static void computeGeneral(INDArray x, INDArray y, INDArray lossOut, INDArray gradOut, double gammaNeg,
                               double gammaPos, double clip, boolean detach) {
        boolean wantGradient = gradOut != null;
        double tiny = x.dataType() == DataType.DOUBLE ? 1e-300 : 1e-37;

        // log-sigmoid pieces
        // e = exp(-|x|) is the only exp: l1 = log1p(e); p and 1 - p are formed from e with exact
        // selections by s = [x > 0] (no cancellation, no second and third exp):
        // r = 1/(1+e) = sigmoid(|x|), e r = sigmoid(-|x|), d = r - e r;
        // p = e r + s d, 1 - p = e r + (d - s d)
        INDArray e = Transforms.abs(x, true).negi();
        Transforms.exp(e, false);
        INDArray l1 = Nd4j.exec(new Log1p(e, e.ulike()));
        INDArray logP = Transforms.min(x, 0.0, true).subi(l1);
        INDArray logQ = Transforms.max(x, 0.0, true).addi(l1).negi();
        INDArray q1 = e.add(1.0).rdivi(1.0);
        e.muli(q1);
        q1.subi(e);
        INDArray p = Nd4j.exec(new Step(x, x.ulike(), 0.0)).muli(q1);
        q1.subi(p).addi(e);
        p.addi(e);
        INDArray ny = y.rsub(1.0);
        INDArray s = l1; // l1 is no longer needed: scratch buffer from here on

        // positive log term, clamped like log(max(p, eps))
        boolean posClamped = logP.minNumber().doubleValue() <= LOG_EPS;
        INDArray lp = posClamped ? Transforms.max(logP, LOG_EPS, true) : logP;

        // negative log term log(max(1 - p_m, eps)) and its derivative
        INDArray pm;
        INDArray ln;
        INDArray dln = null;
        INDArray shifted = null; // [p > clip]; null means all ones
        if (clip > 0) {
            pm = p.sub(clip);
            Transforms.max(pm, 0.0, false);
            INDArray lnRaw = Transforms.log1p(pm.neg(), false);
            boolean negClamped = clip < EPS && lnRaw.minNumber().doubleValue() <= LOG_EPS;
            ln = negClamped ? Transforms.max(lnRaw, LOG_EPS, true) : lnRaw;
            if (wantGradient) {
                shifted = Transforms.sign(pm, true);
                // d/dx log(1 - p_m) = -p (1-p) / (1 - p_m) where p > clip, with 1 - p_m = (1 - p) + clip
                dln = p.mul(q1).muli(shifted).divi(s.assign(q1).addi(clip)).negi();
                if (negClamped) {
                    dln.muli(lnRaw.gt(LOG_EPS).castTo(x.dataType()));
                }
            }
        } else {
            pm = p;
            boolean negClamped = logQ.minNumber().doubleValue() <= LOG_EPS;
            ln = negClamped ? Transforms.max(logQ, LOG_EPS, true) : logQ;
            if (wantGradient) {
                dln = p.neg();
                if (negClamped) {
                    dln.muli(logQ.gt(LOG_EPS).castTo(x.dataType()));
                }
            }
        }

        // q = 1 - p_t = y (1 - p) + (1 - y) p_m; focusing weight w = q^(gammaPos y + gammaNeg (1 - y))
        boolean focus = gammaNeg > 0 || gammaPos > 0;
        INDArray q = null;
        INDArray g = null;
        INDArray w = null;
        if (focus) {
            q = y.mul(q1).addi(s.assign(ny).muli(pm));
            if (gammaNeg == gammaPos) {
                w = Transforms.pow(q, gammaNeg, true);
            } else {
                g = y.mul(gammaPos - gammaNeg).addi(gammaNeg);
                w = Transforms.pow(q, g, true);
            }
        }

        // A = y log p + (1 - y) log(1 - p_m); loss = -w A
        INDArray a = y.mul(lp).addi(s.assign(ny).muli(ln));
        lossOut.assign(a).negi();
        if (w != null) {
            lossOut.muli(w);
        }
        if (!wantGradient) {
            return;
        }

        INDArray dlp = posClamped ? q1.mul(logP.gt(LOG_EPS).castTo(x.dataType())) : q1;
        INDArray dA = y.mul(dlp).addi(dln.muli(ny)); // dln is not needed any more
        if (focus && !detach) {
            // dq/dx = p (1-p) ((1 - y) [p > clip] - y); dw A = g w dq (A / q), |A| / q bounded
            // (shifted and q are not needed any more: updated in place)
            INDArray dq = (shifted == null ? s.assign(ny) : shifted.muli(ny)).subi(y).muli(p).muli(q1);
            dq.muli(a.divi(Transforms.max(q, tiny, false)));
            if (g == null) {
                dq.muli(gammaNeg);
            } else {
                dq.muli(g);
            }
            dA.addi(dq);
        }
        if (w != null) {
            dA.muli(w);
        }
        gradOut.assign(dA.negi());
    }
}
