package io.github.lossvariants.focal;

import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import io.github.lossvariants.focal.internal.FocalParameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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

    @JsonProperty("gamma")
    private final double gamma;
    @JsonProperty("alpha")
    private final Double alpha;

    /**
     * @param gamma focusing exponent, finite and &gt;= 0
     * @param alpha weight of positive targets in [0, 1], or null for no class balancing
     * @throws io.github.lossvariants.api.LossConfigurationException for a value out of range
     */
    @JsonCreator
    public FocalLoss(@JsonProperty("gamma") double gamma, @JsonProperty("alpha") Double alpha) {
        this.gamma = FocalParameters.check(NAME, FocalParameters.GAMMA, gamma);
        this.alpha = alpha == null ? null : FocalParameters.check(NAME, FocalParameters.ALPHA, alpha);
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
        // t = log1p(exp(-|z|))
        INDArray t = Transforms.abs(z, true).negi();
        Transforms.exp(t, false);
        Transforms.log1p(t, false);
        // loss = CE = max(z, 0) - y*z + log1p(exp(-|z|)); max(z,0) - y*z is exact for y in {0, 1}
        loss.assign(z);
        Transforms.relu(loss, false);
        INDArray u = y.mul(z);
        loss.subi(u).addi(t);

        INDArray p = Transforms.sigmoid(z, true);
        INDArray pm = z.neg();
        Transforms.sigmoid(pm, false); // 1 - p without cancellation
        // A = (1 - y)*p into t, B = y*(1 - p) into u: 1 - p_t = A + B, p - y = A - B
        t.assign(y).rsubi(1.0).muli(p);
        u.assign(y).muli(pm);
        if (grad != null) {
            grad.assign(t).subi(u);
        }
        INDArray q = t.addi(u);

        if (gamma != 0.0) {
            if (grad != null) {
                // r = p(1-p) / max(1 - p_t, tiny) into p
                p.muli(pm);
                pm.assign(q);
                Transforms.max(pm, FocalParameters.tiny(z.dataType()), false);
                p.divi(pm);
                // gamma * (1 - 2y) * CE * r into pm, added to (p - y)
                pm.assign(y).muli(-2.0).addi(1.0).muli(loss).muli(p).muli(gamma);
                grad.addi(pm);
            }
            INDArray f = Transforms.pow(q, gamma, false);
            loss.muli(f);
            if (grad != null) {
                grad.muli(f);
            }
        }
        if (alpha != null) {
            // alpha_t = (1 - alpha) + y*(2 alpha - 1)
            INDArray at = pm.assign(y).muli(2.0 * alpha - 1.0).addi(1.0 - alpha);
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

    @Override
    public String registryName() {
        return NAME;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gamma", gamma);
        if (alpha != null) {
            m.put("alpha", alpha);
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FocalLoss)) {
            return false;
        }
        FocalLoss other = (FocalLoss) o;
        return Double.compare(gamma, other.gamma) == 0 && Objects.equals(alpha, other.alpha);
    }

    @Override
    public int hashCode() {
        return Objects.hash(gamma, alpha);
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
