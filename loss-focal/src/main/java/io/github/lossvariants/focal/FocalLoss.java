package io.github.lossvariants.focal;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import io.github.lossvariants.focal.internal.FocalParameters;
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
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * Sigmoid focal loss for binary, multi-label and per-pixel outputs (registry name {@code focal}),
 * from Lin, Goyal, Girshick, He and Dollár, "Focal Loss for Dense Object Detection", ICCV 2017
 * (arXiv 1708.02002).
 *
 * <p>For each output with logit z, target y in [0, 1], p = sigmoid(z):
 * <pre>
 *   FL      = alpha_t * (1 - p_t)^gamma * CE
 *   CE      = softplus(z) - y*z = max(z, 0) - y*z + log1p(exp(-|z|))     (BCE with logits)
 *   1 - p_t = p*(1 - y) + (1 - p)*y        (p and 1 - p from sigmoid(z) and sigmoid(-z))
 *   alpha_t = alpha*y + (1 - alpha)*(1 - y)       (alpha_t = 1 when alpha is absent)
 * </pre>
 * The score of a row is the sum over its outputs; the gradient is that of the un-averaged sum:
 * <pre>
 *   dFL/dz = alpha_t * [ F*(p - y) + gamma * F * (1 - 2y) * CE * r ],
 *   F = (1 - p_t)^gamma,   r = p*(1 - p) / max(1 - p_t, tiny)  (0 &lt;= r &lt;= 1)
 * </pre>
 * which stays finite for 0 &lt; gamma &lt; 1, gamma = 0 and logits of +-100 in float and double
 * (see {@code docs/losses-focal.md} for the derivation).
 *
 * <p>Parameters:
 * <ul>
 *   <li>{@code gamma} &gt;= 0, default 2: focusing exponent; {@code gamma = 0} without alpha is
 *       exactly binary cross-entropy;</li>
 *   <li>{@code alpha} in [0, 1], optional, default absent (no class balancing, as in MONAI):
 *       weight of positive targets, 1 - alpha of negatives. RetinaNet and torchvision's
 *       {@code sigmoid_focal_loss} use {@code alpha = 0.25}: the RetinaNet setting is
 *       {@code focal(gamma=2, alpha=0.25)}, {@link #retinaNet()}.</li>
 * </ul>
 * For soft targets this uses p_t = p*y + (1 - p)*(1 - y) (torchvision's definition); MONAI, SMP
 * and kornia differ for soft targets and agree for y in {0, 1}.
 *
 * <p>Use with a {@code SIGMOID} output activation ({@code OutputLayer}, {@code LossLayer},
 * {@code RnnOutputLayer}, {@code CnnLossLayer}, {@code Cnn3DLossLayer}). For exclusive classes
 * with a softmax use {@link SoftmaxFocalLoss}. Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class FocalLoss extends SigmoidElementwiseLoss {
    private static final long serialVersionUID = 1L;

    /** The registry name. */
    public static final String NAME = "focal";

    /** The parameters: {@code gamma} (2; &gt;= 0), {@code alpha} (absent; [0, 1]). */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(FocalParameters.GAMMA, FocalParameters.ALPHA);

    private final double gamma;
    private final Double alpha;

    /**
     * @param parameters values by name, {@code gamma} and {@code alpha}; missing ones take their
     *                   defaults (gamma 2, no alpha)
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public FocalLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.gamma = parameterValues().getDouble("gamma");
        OptionalDouble a = parameterValues().optionalDouble("alpha");
        this.alpha = a.isPresent() ? a.getAsDouble() : null;
    }

    /**
     * @param gamma focusing exponent, finite and &gt;= 0
     * @param alpha weight of positive targets in [0, 1], or null for no class balancing
     * @throws io.github.lossvariants.api.LossConfigurationException for a value out of range
     */
    public FocalLoss(double gamma, Double alpha) {
        this(ParameterSchema.valuesOf("gamma", gamma, "alpha", alpha));
    }

    /** @return focal loss with gamma 2 and no alpha (the registry defaults) */
    public static FocalLoss defaults() {
        return new FocalLoss(2.0, null);
    }

    /** @return the RetinaNet / torchvision setting, {@code focal(gamma=2, alpha=0.25)} */
    public static FocalLoss retinaNet() {
        return new FocalLoss(2.0, 0.25);
    }

    /** @return a builder starting from the defaults (gamma 2, no alpha) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the focusing exponent */
    public double getGamma() {
        return gamma;
    }

    /** @return alpha, or null when there is no class balancing */
    public Double getAlpha() {
        return alpha;
    }

    @Override
    protected void computeTerms(INDArray z, INDArray y, INDArray loss, INDArray grad) {
        // Three scratch buffers (the caller runs this in its scratch workspace), two transcendental
        // passes (exp, log1p) plus one pow for a gamma other than 0, 1 or 2; the rest are cheap
        // element-wise passes written into existing arrays. Each buffer holds several quantities in
        // turn; the local names say which one it holds at each step.
        DataType type = z.dataType();
        long[] shape = z.shape();
        INDArray bufA = Nd4j.createUninitialized(type, shape);
        INDArray bufB = Nd4j.createUninitialized(type, shape);
        INDArray bufC = Nd4j.createUninitialized(type, shape);

        // e = exp(-|z|), in (0, 1]
        INDArray expNegAbs = bufA;
        Nd4j.exec(new Abs(z, expNegAbs));
        expNegAbs.negi();
        Nd4j.exec(new Exp(expNegAbs, expNegAbs));
        // loss = CE = max(z, 0) - y*z + log1p(exp(-|z|)); max(z,0) - y*z is exact for y in {0, 1}
        Nd4j.exec(new Log1p(expNegAbs, loss));
        INDArray term = bufB;
        Nd4j.exec(new MulOp(y, z, term));
        loss.subi(term);
        Nd4j.exec(new RectifiedLinear(z, term));
        loss.addi(term);
        INDArray ce = loss;
        // sigmoid(|z|) = 1/(1 + e); then sigmoid(-|z|) = e * sigmoid(|z|); their difference d
        INDArray sigmoidAbs = bufB;
        Nd4j.exec(new ScalarAdd(expNegAbs, null, sigmoidAbs, 1.0));
        sigmoidAbs.rdivi(1.0);
        INDArray sigmoidNegAbs = expNegAbs.muli(sigmoidAbs);
        INDArray diff = sigmoidAbs.subi(sigmoidNegAbs);
        // with s = [z > 0] (0 or 1, so both selections are exact, no cancellation):
        // p = sigmoid(-|z|) + s*d, 1 - p = sigmoid(-|z|) + (d - s*d)
        INDArray p = bufC;
        Nd4j.exec(new Step(z, p, 0.0));
        p.muli(diff);
        INDArray oneMinusP = diff.subi(p);
        p.addi(sigmoidNegAbs);
        oneMinusP.addi(sigmoidNegAbs);
        // A = (1 - y)*p, B = y*(1 - p): 1 - p_t = A + B, p - y = A - B; and p(1-p)
        INDArray a = sigmoidNegAbs;
        Nd4j.exec(new ScalarReverseSubtraction(y, null, a, 1.0));
        a.muli(p);
        INDArray pq = p.muli(oneMinusP);
        INDArray b = oneMinusP.muli(y);
        if (grad != null) {
            Nd4j.exec(new SubOp(a, b, grad));
        }
        INDArray focusBase = a.addi(b);   // q = 1 - p_t
        INDArray scratch = b;

        if (gamma != 0.0) {
            INDArray focusGrad = scratch;
            if (grad != null) {
                // d/dz [q^gamma CE] = q^gamma (p - y) + gamma (1 - 2y) CE p(1-p) q^(gamma-1), the second term here
                Nd4j.exec(new ScalarMultiplication(y, null, focusGrad, -2.0));
                focusGrad.addi(1.0).muli(pq).muli(ce).muli(gamma);
            }
            INDArray focus;
            if (gamma == 1.0) {
                focus = focusBase;
            } else if (gamma == 2.0) {
                if (grad != null) {
                    focusGrad.muli(focusBase);
                }
                focus = Nd4j.exec(new Square(focusBase, pq));
            } else {
                focus = Nd4j.exec(new Pow(focusBase, pq, gamma));
                if (grad != null) {
                    // q^(gamma-1) = q^gamma / max(q, tiny)
                    focusGrad.muli(focus);
                    Transforms.max(focusBase, FocalParameters.tiny(type), false);
                    focusGrad.divi(focusBase);
                }
            }
            loss.muli(focus);
            if (grad != null) {
                grad.muli(focus).addi(focusGrad);
            }
        }
        if (alpha != null) {
            // alpha_t = (1 - alpha) + y*(2 alpha - 1)
            INDArray alphaT = scratch;
            Nd4j.exec(new ScalarMultiplication(y, null, alphaT, 2.0 * alpha - 1.0));
            alphaT.addi(1.0 - alpha);
            loss.muli(alphaT);
            if (grad != null) {
                grad.muli(alphaT);
            }
        }
    }

    @Override
    protected String activationHint() {
        return "For a softmax over exclusive classes use softmax-focal (SoftmaxFocalLoss).";
    }

    /** Builds a {@link FocalLoss}: {@code FocalLoss.builder().gamma(2).alpha(0.25).build()}. */
    public static final class Builder {
        private double gamma = 2.0;
        private Double alpha;

        private Builder() {
        }

        /** @param gamma focusing exponent, &gt;= 0 (default 2) @return this builder */
        public Builder gamma(double gamma) {
            this.gamma = gamma;
            return this;
        }

        /** @param alpha weight of positives in [0, 1]; RetinaNet uses 0.25 @return this builder */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** Removes class balancing (the default). @return this builder */
        public Builder noAlpha() {
            this.alpha = null;
            return this;
        }

        /**
         * @return the loss
         * @throws io.github.lossvariants.api.LossConfigurationException for a value out of range
         */
        public FocalLoss build() {
            return new FocalLoss(gamma, alpha);
        }
    }
}
