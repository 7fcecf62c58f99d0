package io.github.lossvariants.longtail;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.internal.LossInputs;
import io.github.lossvariants.longtail.internal.LongTailParameters;
import io.github.lossvariants.longtail.internal.WeightedSoftmaxCrossEntropy;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Label-distribution-aware margin loss (registry name {@code ldam}) from Cao, Wei, Gaidon,
 * Arechiga and Ma, "Learning Imbalanced Datasets with Label-Distribution-Aware Margin Loss",
 * NeurIPS 2019 (arXiv 1906.07413): a softmax cross-entropy that demands a larger margin from the
 * rare classes, with the paper's deferred re-weighting (DRW) available through
 * {@link DeferredReweighting}.
 *
 * <p>With n_j training examples of class j, a row with logits x and labels y:
 * <pre>
 *   m_j = maxMargin * n_j^(-1/4) / max_k n_k^(-1/4)     (the rarest class gets maxMargin)
 *   z   = s * (x - m o y)                               (margin subtracted from the target logit)
 *   L   = -sum_c w_c y_c log softmax(z)_c               (= -w_y log softmax(z)_y for one-hot y)
 *   dL/dx = s * dL/dz
 * </pre>
 * s is {@code scale}, w the optional {@code classWeights} (1 when absent). Soft labels subtract
 * m_c y_c from every logit, which is the one-hot formula's linear extension. The reference
 * (kaidic/LDAM-DRW {@code LDAMLoss}) returns the batch mean, and with weights PyTorch's weighted mean
 * sum_i w_yi L_i / sum_i w_yi; this loss returns sum_i w_yi L_i (DL4J divides by the minibatch
 * size), so with DRW weights the scale of a minibatch's loss differs from the reference by the
 * factor N / sum_i w_yi (the direction of the gradient is the same; Adam is insensitive to the
 * scale).
 *
 * <p>The reference pairs the loss with a normalised last layer (cosine logits in [-1, 1], which s
 * scales); DL4J has none, and with an ordinary dense layer the logits are unbounded, so a smaller
 * {@code scale} may train more stably.
 *
 * <p>Parameters:
 * <ul>
 *   <li>{@code classCounts} (required): training examples per class, each &gt; 0, one per output;</li>
 *   <li>{@code maxMargin} &gt; 0, default 0.5 (the paper tunes it so that the largest margin is
 *       about 0.5);</li>
 *   <li>{@code scale} s &gt; 0, default 30 (the reference's s: the logits of a normalised linear
 *       layer live in [-1, 1], which s scales);</li>
 *   <li>{@code classWeights}, optional, one weight &gt;= 0 per class: the re-weighting of DRW, set by
 *       {@link DeferredReweighting} at its epoch ({@link #withClassWeights}); being a parameter, it is
 *       saved with the model.</li>
 * </ul>
 * Use with a {@code SOFTMAX} output activation. Note that softmax(x), what the network outputs, is
 * not the distribution the loss trains (softmax(s x)): its confidences are poorly calibrated by
 * design. Instances are immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class LdamLoss extends KernelLoss {
    private static final long serialVersionUID = 1L;

    /** The registry name. */
    public static final String NAME = "ldam";

    /**
     * The parameters: {@code classCounts} (required), {@code maxMargin} (0.5; &gt; 0), {@code scale}
     * (30; &gt; 0), {@code classWeights} (absent = all 1; each &gt;= 0).
     */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(LongTailParameters.CLASS_COUNTS,
            ParameterSpec.ofDouble("maxMargin", 0.5, "margin of the rarest class; class j gets"
                    + " maxMargin * (n_min / n_j)^(1/4)").greaterThan(0),
            ParameterSpec.ofDouble("scale", 30.0, "s: the margin-adjusted logits are multiplied by s before the"
                    + " softmax").greaterThan(0),
            ParameterSpec.ofDoubleArray("classWeights", null, "one weight per class on the cross-entropy (deferred"
                    + " re-weighting sets the class-balanced weights); absent = all 1").atLeast(0));

    private final double[] classCounts;
    private final double maxMargin;
    private final double scale;
    private final double[] classWeights;
    private final double[] margins;
    private final WeightedSoftmaxCrossEntropy kernel;

    /**
     * @param parameters values by name: {@code classCounts}, {@code maxMargin}, {@code scale},
     *                   {@code classWeights}
     * @throws io.github.lossvariants.api.LossConfigurationException for a missing {@code classCounts},
     *                                                              an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public LdamLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.classCounts = parameterValues().getDoubleArray("classCounts");
        this.maxMargin = parameterValues().getDouble("maxMargin");
        this.scale = parameterValues().getDouble("scale");
        this.classWeights = parameterValues().getDoubleArray("classWeights");
        this.margins = margins(classCounts, maxMargin);
        this.kernel = new WeightedSoftmaxCrossEntropy(NAME, SCHEMA, parameterValues().asMap(), classWeights,
                "LDAM is a softmax loss; for independent sigmoid outputs use class-balanced or distribution-balanced.");
    }

    /**
     * The paper's setting: maxMargin 0.5, scale 30, no class weights.
     *
     * @param classCounts training examples per class, each &gt; 0 (copied)
     */
    public LdamLoss(double[] classCounts) {
        this(ParameterSchema.valuesOf("classCounts", classCounts));
    }

    /**
     * @param classCounts  training examples per class, each &gt; 0 (copied)
     * @param maxMargin    margin of the rarest class, &gt; 0
     * @param scale        s, &gt; 0
     * @param classWeights one weight &gt;= 0 per class, or null for all 1 (copied)
     */
    public LdamLoss(double[] classCounts, double maxMargin, double scale, double[] classWeights) {
        this(ParameterSchema.valuesOf("classCounts", classCounts, "maxMargin", maxMargin, "scale", scale,
                "classWeights", classWeights));
    }

    /**
     * @param classCounts examples per class, each &gt; 0
     * @param maxMargin   the largest margin
     * @return m_j = maxMargin * n_j^(-1/4) / max_k n_k^(-1/4)
     */
    public static double[] margins(double[] classCounts, double maxMargin) {
        double[] m = new double[classCounts.length];
        double max = 0;
        for (int j = 0; j < m.length; j++) {
            m[j] = 1.0 / Math.sqrt(Math.sqrt(classCounts[j]));
            max = Math.max(max, m[j]);
        }
        for (int j = 0; j < m.length; j++) {
            m[j] = m[j] * (maxMargin / max);
        }
        return m;
    }

    /**
     * @param weights one weight &gt;= 0 per class, or null for none (copied)
     * @return an equal loss except for its class weights (what {@link DeferredReweighting} installs)
     */
    public LdamLoss withClassWeights(double[] weights) {
        return new LdamLoss(parametersWith("classWeights", weights));
    }

    /** @return a copy of the class counts */
    public double[] getClassCounts() {
        return classCounts.clone();
    }

    /** @return the largest margin */
    public double getMaxMargin() {
        return maxMargin;
    }

    /** @return s */
    public double getScale() {
        return scale;
    }

    /** @return a copy of the class weights, or null when there are none (all 1) */
    public double[] getClassWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    /** @return a copy of the per-class margins m_j */
    public double[] getMargins() {
        return margins.clone();
    }

    @Override
    ILossFunction kernel() {
        return kernel;
    }

    @Override
    void checkClasses(long classes) {
        LongTailParameters.requireOnePerClass(NAME, "classCounts", classCounts, classes);
        if (classWeights != null) {
            LongTailParameters.requireOnePerClass(NAME, "classWeights", classWeights, classes);
        }
    }

    /** z = s (x - m o y), a new array; the labels are checked first (they move the logits). */
    @Override
    INDArray kernelLogits(INDArray labels, INDArray preOutput) {
        LossInputs.checkRows(NAME, labels, preOutput);
        DataType type = preOutput.dataType();
        INDArray y = LossInputs.labelsAs(labels, type);
        INDArray z = Nd4j.createUninitialized(type, preOutput.shape());
        Nd4j.exec(new BroadcastMulOp(y, LongTailParameters.row(margins, type).reshape(margins.length), z, 1));
        return z.rsubi(preOutput).muli(scale);
    }

    @Override
    double gradientScale() {
        return scale;
    }
}
