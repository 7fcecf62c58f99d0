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
        // Three scratch arrays (the caller runs this in its scratch workspace), two transcendental
        // passes (exp, log1p) plus one pow for a gamma other than 0, 1 or 2; the rest are cheap
        // element-wise passes written into existing arrays.
        DataType type = z.dataType();
        long[] shape = z.shape();
        INDArray e = Nd4j.createUninitialized(type, shape);
        INDArray t = Nd4j.createUninitialized(type, shape);
        INDArray u = Nd4j.createUninitialized(type, shape);
        // e = exp(-|z|), in (0, 1]
        Nd4j.exec(new Abs(z, e));
        e.negi();
        Nd4j.exec(new Exp(e, e));
        // loss = CE = max(z, 0) - y*z + log1p(exp(-|z|)); max(z,0) - y*z is exact for y in {0, 1}
        Nd4j.exec(new Log1p(e, loss));
        Nd4j.exec(new MulOp(y, z, t));
        loss.subi(t);
        Nd4j.exec(new RectifiedLinear(z, t));
        loss.addi(t);
        // r = sigmoid(|z|) = 1/(1 + e) into t; e <- e*r = sigmoid(-|z|); t <- d = r - e*r
        Nd4j.exec(new ScalarAdd(e, null, t, 1.0));
        t.rdivi(1.0);
        e.muli(t);
        t.subi(e);
        // with s = [z > 0] (0 or 1, so both selections are exact, no cancellation):
        // p = e + s*d into u, 1 - p = e + (d - s*d) into t
        Nd4j.exec(new Step(z, u, 0.0));
        u.muli(t);
        t.subi(u);
        u.addi(e);
        t.addi(e);
        // A = (1 - y)*p into e, B = y*(1 - p) into t: 1 - p_t = A + B, p - y = A - B; p(1-p) into u
        Nd4j.exec(new ScalarReverseSubtraction(y, null, e, 1.0));
        e.muli(u);
        u.muli(t);
        t.muli(y);
        if (grad != null) {
            Nd4j.exec(new SubOp(e, t, grad));
        }
        INDArray q = e.addi(t);

        if (gamma != 0.0) {
            if (grad != null) {
                // d/dz [q^gamma CE] = q^gamma (p - y) + gamma (1 - 2y) CE p(1-p) q^(gamma-1), into t
                Nd4j.exec(new ScalarMultiplication(y, null, t, -2.0));
                t.addi(1.0).muli(u).muli(loss).muli(gamma);
            }
            INDArray f;
            if (gamma == 1.0) {
                f = q;
            } else if (gamma == 2.0) {
                if (grad != null) {
                    t.muli(q);
                }
                f = Nd4j.exec(new Square(q, u));
            } else {
                f = Nd4j.exec(new Pow(q, u, gamma));
                if (grad != null) {
                    // q^(gamma-1) = q^gamma / max(q, tiny)
                    t.muli(f);
                    Transforms.max(q, FocalParameters.tiny(type), false);
                    t.divi(q);
                }
            }
            loss.muli(f);
            if (grad != null) {
                grad.muli(f).addi(t);
            }
        }
        if (alpha != null) {
            // alpha_t = (1 - alpha) + y*(2 alpha - 1)
            Nd4j.exec(new ScalarMultiplication(y, null, t, 2.0 * alpha - 1.0));
            INDArray at = t.addi(1.0 - alpha);
            loss.muli(at);
            if (grad != null) {
                grad.muli(at);
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
