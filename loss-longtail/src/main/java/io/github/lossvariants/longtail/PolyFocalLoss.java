package io.github.lossvariants.longtail;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import io.github.lossvariants.longtail.internal.LongTailParameters;
import io.github.lossvariants.longtail.internal.SigmoidFocalTerms;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * Poly-1 focal loss for sigmoid outputs (registry name {@code poly-focal}) from Leng et al.,
 * "PolyLoss: A Polynomial Expansion Perspective of Classification Loss Functions", ICLR 2022
 * (arXiv 2204.12511): the sigmoid focal loss plus epsilon times the first polynomial term of its
 * expansion.
 *
 * <p>For each output with logit z, target y in [0, 1], p = sigmoid(z), p_t = p y + (1 - p)(1 - y):
 * <pre>
 *   L = alpha_t (1 - p_t)^gamma BCE(z, y) + epsilon (1 - p_t)^(gamma+1)
 *   alpha_t = alpha y + (1 - alpha)(1 - y)   (1 when alpha is absent; the focal term only)
 *   dL/dz = alpha_t [ (1 - p_t)^gamma (p - y) + gamma BCE v (1 - p_t)^(gamma-1) ] + epsilon (gamma+1) (1 - p_t)^gamma v,
 *   v = d(1 - p_t)/dz = (1 - 2y) p (1 - p)
 * </pre>
 * as the reference (abhuse/polyloss-pytorch {@code Poly1FocalLoss}) computes it, but from the
 * logits in log space: finite at logits of +-100 for every gamma &gt;= 0.
 *
 * <p>Parameters: {@code epsilon} &gt;= -1, default 1 (the reference's default; the paper
 * finds a negative epsilon better for RetinaNet detection);
 * {@code gamma} &gt;= 0, default 2; {@code alpha} in [0, 1], optional (absent = no class balancing;
 * RetinaNet uses 0.25). epsilon = 0 is {@code focal}. Without alpha, and with alpha when epsilon
 * &gt;= 0, the loss is &gt;= 0; with alpha and a negative epsilon a well-classified element can score
 * slightly below 0 (the focal term is scaled by alpha_t &lt; 1, the polynomial term is not), as in
 * the paper. Use with a {@code SIGMOID} output activation. Instances are immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class PolyFocalLoss extends SigmoidElementwiseLoss {
    private static final long serialVersionUID = 1L;

    /** The registry name. */
    public static final String NAME = "poly-focal";

    /** The parameters: {@code epsilon} (1; &gt;= -1), {@code gamma} (2; &gt;= 0), {@code alpha} (absent; [0, 1]). */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("epsilon", 1.0, "coefficient of the polynomial term (1 - p_t)^(gamma+1) added to the"
                    + " focal loss; 0 = focal").atLeast(-1),
            LongTailParameters.GAMMA,
            ParameterSpec.ofDouble("alpha", null, "weight of positive targets on the focal term, 1 - alpha for"
                    + " negatives; absent = no class balancing").between(0, 1));

    private final double epsilon;
    private final double gamma;
    private final Double alpha;

    /**
     * @param parameters values by name: {@code epsilon}, {@code gamma}, {@code alpha}
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public PolyFocalLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.epsilon = parameterValues().getDouble("epsilon");
        this.gamma = parameterValues().getDouble("gamma");
        OptionalDouble a = parameterValues().optionalDouble("alpha");
        this.alpha = a.isPresent() ? a.getAsDouble() : null;
    }

    /**
     * @param epsilon coefficient of (1 - p_t)^(gamma+1), &gt;= -1
     * @param gamma   focusing exponent, &gt;= 0
     * @param alpha   weight of positives in [0, 1], or null for none
     */
    public PolyFocalLoss(double epsilon, double gamma, Double alpha) {
        this(ParameterSchema.valuesOf("epsilon", epsilon, "gamma", gamma, "alpha", alpha));
    }

    /** @return epsilon 1, gamma 2, no alpha (the registry defaults) */
    public static PolyFocalLoss defaults() {
        return new PolyFocalLoss(1.0, 2.0, null);
    }

    /** @return epsilon */
    public double getEpsilon() {
        return epsilon;
    }

    /** @return gamma */
    public double getGamma() {
        return gamma;
    }

    /** @return alpha, or null when there is no class balancing */
    public Double getAlpha() {
        return alpha;
    }

    @Override
    protected void computeTerms(INDArray logits, INDArray labels, INDArray loss, INDArray grad) {
        SigmoidFocalTerms.write(logits, labels, gamma, alpha, epsilon, loss, grad);
    }

    @Override
    protected String activationHint() {
        return "For a softmax over exclusive classes use poly (PolyLoss).";
    }
}
