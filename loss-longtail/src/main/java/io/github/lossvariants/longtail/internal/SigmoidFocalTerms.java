package io.github.lossvariants.longtail.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Pow;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.same.Square;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log1p;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Element-wise sigmoid focal terms with an optional Poly-1 term, from logits in log space, for
 * {@code class-balanced} (sigmoid and focal bases) and {@code poly-focal}. Internal: not for public use.
 *
 * <p>For logit z, target y in [0, 1], p = sigmoid(z), 1 - p_t = q = p (1 - y) + (1 - p) y:
 * <pre>
 *   l     = alpha_t * q^gamma * CE + epsilon * q^(gamma+1)
 *   CE    = max(z, 0) - y z + log1p(exp(-|z|))                 (BCE with logits)
 *   dl/dz = alpha_t * [ q^gamma (p - y) + gamma * CE * v * q^(gamma-1) ] + epsilon (gamma+1) q^gamma v,
 *   v     = dq/dz = (1 - 2y) p (1 - p),   alpha_t = alpha y + (1 - alpha)(1 - y)  (1 without alpha)
 * </pre>
 * p and 1 - p come from sigmoid(|z|) and sigmoid(-|z|) (no cancellation), q^(gamma-1) as
 * q^gamma / max(q, tiny), so every value is finite for logits of +-100 (and +-1e4) in float and
 * double and for every gamma &gt;= 0.
 */
public final class SigmoidFocalTerms {
    private SigmoidFocalTerms() {
    }

    /**
     * Writes each element's loss and, when {@code grad} is not null, its derivative.
     *
     * @param z       logits; read only
     * @param y       labels in the logits' type; read only
     * @param gamma   focusing exponent, &gt;= 0 (0: plain BCE)
     * @param alpha   weight of positives in [0, 1] multiplying the focal term only, or null for none
     * @param epsilon Poly-1 coefficient (0: none)
     * @param loss    output, same shape
     * @param grad    output, same shape, or null
     */
    public static void write(INDArray z, INDArray y, double gamma, Double alpha, double epsilon, INDArray loss,
                             INDArray grad) {
        DataType type = z.dataType();
        long[] shape = z.shape();
        INDArray e = Nd4j.createUninitialized(type, shape);
        INDArray t = Nd4j.createUninitialized(type, shape);
        INDArray u = Nd4j.createUninitialized(type, shape);
        // e = exp(-|z|) in (0, 1]; loss = CE = max(z, 0) - y z + log1p(e)
        Nd4j.exec(new Abs(z, e));
        e.negi();
        Nd4j.exec(new Exp(e, e));
        Nd4j.exec(new Log1p(e, loss));
        Nd4j.exec(new MulOp(y, z, t));
        loss.subi(t);
        Nd4j.exec(new RectifiedLinear(z, t));
        loss.addi(t);
        // t = sigmoid(|z|) = 1/(1 + e), e <- sigmoid(-|z|) = e t, t <- their difference d
        Nd4j.exec(new ScalarAdd(e, null, t, 1.0));
        t.rdivi(1.0);
        e.muli(t);
        t.subi(e);
        // with s = [z > 0] both selections are exact: u = p = e + s d, t = 1 - p = e + (d - s d)
        Nd4j.exec(new Step(z, u, 0.0));
        u.muli(t);
        t.subi(u);
        u.addi(e);
        t.addi(e);
        // e = (1 - y) p, t = y (1 - p): q = e + t and p - y = e - t; u = p (1 - p)
        Nd4j.exec(new ScalarReverseSubtraction(y, null, e, 1.0));
        e.muli(u);
        u.muli(t);
        t.muli(y);
        if (grad != null) {
            Nd4j.exec(new SubOp(e, t, grad));
        }
        INDArray q = e.addi(t);
        if (grad != null) {
            // v = dq/dz = (1 - 2y) p (1 - p) into u
            Nd4j.exec(new ScalarMultiplication(y, null, t, -2.0));
            u.muli(t.addi(1.0));
        }
        INDArray f = null;
        if (gamma != 0.0) {
            f = gamma == 1.0 ? t.assign(q) : gamma == 2.0 ? Nd4j.exec(new Square(q, t)) : Nd4j.exec(new Pow(q, t, gamma));
        }
        if (grad != null && f != null) {
            // focal gradient F (p - y) + gamma CE v q^(gamma-1); v is still needed by the Poly-1 term
            INDArray k = epsilon != 0.0 ? Nd4j.createUninitialized(type, shape) : u;
            Nd4j.exec(new MulOp(u, loss, k));
            k.muli(gamma);
            if (gamma == 2.0) {
                k.muli(q);
            } else if (gamma != 1.0) {
                // q^(gamma-1) = q^gamma / max(q, tiny); clamping q changes q * F below by at most tiny * F
                k.muli(f);
                k.divi(Transforms.max(q, LongTailParameters.tiny(type), false));
            }
            grad.muli(f).addi(k);
        }
        if (f != null) {
            loss.muli(f);
        }
        if (alpha != null) {
            // alpha_t = (1 - alpha) + y (2 alpha - 1), on the focal term only
            INDArray at = Nd4j.createUninitialized(type, shape);
            Nd4j.exec(new ScalarMultiplication(y, null, at, 2.0 * alpha - 1.0));
            at.addi(1.0 - alpha);
            loss.muli(at);
            if (grad != null) {
                grad.muli(at);
            }
        }
        if (epsilon != 0.0) {
            // Poly-1: epsilon q^(gamma+1), derivative epsilon (gamma+1) q^gamma v
            if (grad != null) {
                if (f != null) {
                    u.muli(f);
                }
                grad.addi(u.muli(epsilon * (gamma + 1.0)));
            }
            if (f != null) {
                q.muli(f);
            }
            loss.addi(q.muli(epsilon));
        }
    }
}
