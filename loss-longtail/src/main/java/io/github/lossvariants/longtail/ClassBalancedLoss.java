package io.github.lossvariants.longtail;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.longtail.internal.LongTailParameters;
import io.github.lossvariants.longtail.internal.WeightedSoftmaxCrossEntropy;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Class-balanced loss (registry name {@code class-balanced}) from Cui, Jia, Lin, Song and
 * Belongie, "Class-Balanced Loss Based on Effective Number of Samples", CVPR 2019
 * (arXiv 1901.05555): every example's loss is weighted by the inverse effective number of
 * samples of its class.
 *
 * <p>With n_j training examples of class j and C classes:
 * <pre>
 *   E_j = (1 - beta^n_j) / (1 - beta)           effective number (beta = 1: E_j = n_j)
 *   w_j = C * (1/E_j) / sum_k (1/E_k)           normalised so that the weights sum to C
 * </pre>
 * and for a row with logits x and labels y (one-hot for single-label data):
 * <ul>
 *   <li>{@code baseLoss=sigmoid}: (sum_j w_j y_j) * sum_c BCE(x_c, y_c);</li>
 *   <li>{@code baseLoss=focal}: (sum_j w_j y_j) * sum_c (1 - p_tc)^gamma BCE(x_c, y_c), p = sigmoid(x),
 *       p_t = p y + (1 - p)(1 - y): the paper's sigmoid (one-vs-all) focal loss, without alpha;</li>
 *   <li>{@code baseLoss=softmax}: -sum_c w_c y_c log softmax(x)_c, the paper's class-balanced softmax
 *       cross-entropy (DL4J's {@code LossMCXENT} with these weights, i.e. {@code ce(weights=w)}).</li>
 * </ul>
 * For a one-hot row sum_j w_j y_j = w_y, the weight of the example's class; for soft labels it is
 * the label-weighted weight, as in the reference's {@code weights * labels_one_hot} sum. With the
 * sigmoid bases a per-output mask marks unknown labels: the row weight counts only the unmasked
 * ones, and masked outputs contribute nothing (softmax: only whole rows may be masked). The
 * reference (vandit15/Class-balanced-loss-pytorch) returns total / (N C) for {@code sigmoid} and
 * total / N for {@code focal}; this loss returns the sum over rows, as every loss here (DL4J divides
 * by the minibatch size). The reference's softmax branch applies a binary cross-entropy to softmax
 * probabilities; this class follows the paper instead.
 *
 * <p>Parameters:
 * <ul>
 *   <li>{@code classCounts} (required): training examples per class, one per output, each &gt; 0
 *       ({@link ClassCounts#of} computes them from a {@code DataSetIterator}); a length other than
 *       nOut fails at the first call, naming both;</li>
 *   <li>{@code beta} in [0, 1], default 0.9999: 0 gives equal weights, 1 inverse class frequency;
 *       the paper uses 0.9, 0.99, 0.999 or 0.9999;</li>
 *   <li>{@code baseLoss} sigmoid | focal | softmax, default focal (the paper's best setting);
 *       sigmoid and focal need a {@code SIGMOID} output activation, softmax a {@code SOFTMAX} one;</li>
 *   <li>{@code gamma} &gt;= 0, focal only, default 2 (the paper tries 0.5, 1, 2); given with another
 *       base it is an error.</li>
 * </ul>
 * Instances are immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class ClassBalancedLoss extends KernelLoss {
    private static final long serialVersionUID = 1L;

    /** The registry name. */
    public static final String NAME = "class-balanced";

    /** Default focusing exponent of the focal base. */
    public static final double DEFAULT_GAMMA = 2.0;

    /** The base losses. */
    public enum Base {
        /** Sigmoid binary cross-entropy on every output. */
        SIGMOID,
        /** Sigmoid focal loss (one-vs-all) on every output. */
        FOCAL,
        /** Softmax cross-entropy. */
        SOFTMAX;

        /** @return the spec-string word, e.g. {@code focal} */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The parameters: {@code classCounts} (required), {@code beta} (0.9999; [0, 1]), {@code baseLoss}
     * (focal; sigmoid | focal | softmax), {@code gamma} (absent = 2 for focal; &gt;= 0).
     */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(LongTailParameters.CLASS_COUNTS,
            ParameterSpec.ofDouble("beta", 0.9999, "effective-number hyperparameter: 0 = no re-weighting, 1 = inverse"
                    + " class frequency").between(0, 1),
            ParameterSpec.ofChoice("baseLoss", "focal", "the loss that is re-weighted: sigmoid (BCE), focal (sigmoid"
                    + " focal) or softmax (cross-entropy)", "sigmoid", "focal", "softmax"),
            ParameterSpec.ofDouble("gamma", null, "focusing exponent of baseLoss=focal; absent = 2").atLeast(0));

    private final double[] classCounts;
    private final double beta;
    private final Base base;
    private final double gamma;
    private final double[] classWeights;
    private final ILossFunction kernel;

    /**
     * @param parameters values by name: {@code classCounts}, {@code beta}, {@code baseLoss}, {@code gamma}
     * @throws LossConfigurationException for a missing {@code classCounts}, an unknown name, an invalid
     *                                    value, or {@code gamma} with a base other than focal
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public ClassBalancedLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.classCounts = parameterValues().getDoubleArray("classCounts");
        this.beta = parameterValues().getDouble("beta");
        this.base = Base.valueOf(parameterValues().getString("baseLoss").toUpperCase(Locale.ROOT));
        OptionalDouble g = parameterValues().optionalDouble("gamma");
        if (g.isPresent() && base != Base.FOCAL) {
            throw new LossConfigurationException("loss '" + NAME + "': gamma=" + g.getAsDouble()
                    + " applies only to baseLoss=focal, but baseLoss=" + base.word()
                    + "; remove gamma or use baseLoss=focal");
        }
        this.gamma = base == Base.FOCAL ? g.orElse(DEFAULT_GAMMA) : 0.0;
        this.classWeights = effectiveNumberWeights(classCounts, beta);
        Map<String, Object> values = parameterValues().asMap();
        this.kernel = base == Base.SOFTMAX
                ? new WeightedSoftmaxCrossEntropy(NAME, SCHEMA, values, classWeights,
                "For sigmoid outputs use class-balanced(baseLoss=focal) or baseLoss=sigmoid.")
                : new ClassBalancedSigmoidKernel(NAME, SCHEMA, values, classWeights, gamma);
    }

    /**
     * The paper's default setting: focal base, beta 0.9999, gamma 2.
     *
     * @param classCounts training examples per class, each &gt; 0 (copied)
     */
    public ClassBalancedLoss(double[] classCounts) {
        this(ParameterSchema.valuesOf("classCounts", classCounts));
    }

    /**
     * @param classCounts training examples per class, each &gt; 0 (copied)
     * @param base        the base loss
     * @param beta        in [0, 1]
     * @param gamma       focusing exponent for {@link Base#FOCAL} (null = 2); must be null otherwise
     */
    public ClassBalancedLoss(double[] classCounts, Base base, double beta, Double gamma) {
        this(ParameterSchema.valuesOf("classCounts", classCounts, "beta", beta, "baseLoss", base.word(), "gamma", gamma));
    }

    /**
     * The class-balanced weights of Cui et al.: w_j proportional to (1 - beta)/(1 - beta^n_j),
     * normalised to sum to the number of classes (LDAM-DRW's deferred re-weighting uses the same).
     *
     * @param classCounts examples per class, each finite and &gt; 0
     * @param beta        in [0, 1]; 1 gives weights proportional to 1/n_j
     * @return the weights, one per class
     * @throws IllegalArgumentException for an empty array, a count &lt;= 0 or a beta outside [0, 1]
     */
    public static double[] effectiveNumberWeights(double[] classCounts, double beta) {
        if (classCounts == null || classCounts.length == 0) {
            throw new IllegalArgumentException("classCounts must hold at least one count");
        }
        if (!(beta >= 0 && beta <= 1)) {
            throw new IllegalArgumentException("beta must lie in [0, 1], got " + beta);
        }
        double[] w = new double[classCounts.length];
        double sum = 0;
        for (int j = 0; j < w.length; j++) {
            double n = classCounts[j];
            if (!(n > 0) || Double.isInfinite(n)) {
                throw new IllegalArgumentException("classCounts[" + j + "] must be finite and > 0, got " + n);
            }
            // 1/E = (1 - beta)/(1 - beta^n), with 1 - beta^n = -expm1(n log beta) (exact near beta = 1)
            w[j] = beta == 1.0 ? 1.0 / n : (1.0 - beta) / -Math.expm1(n * Math.log(beta));
            sum += w[j];
        }
        for (int j = 0; j < w.length; j++) {
            w[j] = w[j] / sum * w.length;
        }
        return w;
    }

    /** @return a copy of the class counts */
    public double[] getClassCounts() {
        return classCounts.clone();
    }

    /** @return beta */
    public double getBeta() {
        return beta;
    }

    /** @return the base loss */
    public Base getBaseLoss() {
        return base;
    }

    /** @return the focusing exponent (0 unless the base is focal) */
    public double getGamma() {
        return gamma;
    }

    /** @return a copy of the normalised class weights w (summing to the number of classes) */
    public double[] getClassWeights() {
        return classWeights.clone();
    }

    @Override
    ILossFunction kernel() {
        return kernel;
    }

    @Override
    void checkClasses(long classes) {
        LongTailParameters.requireOnePerClass(NAME, "classCounts", classCounts, classes);
    }
}
