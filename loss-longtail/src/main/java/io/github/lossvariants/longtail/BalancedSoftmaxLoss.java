package io.github.lossvariants.longtail;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.longtail.internal.LongTailParameters;
import io.github.lossvariants.longtail.internal.WeightedSoftmaxCrossEntropy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Balanced softmax (registry name {@code balanced-softmax}) from Ren, Yu, Sheng, Ma, Zhao, Yi and
 * Li, "Balanced Meta-Softmax for Long-Tailed Visual Recognition", NeurIPS 2020 (arXiv 2007.10740),
 * and with {@code tau} the logit-adjusted loss of Menon, Jayasumana, Rawat, Jain, Veit and Kumar,
 * "Long-tail learning via logit adjustment", ICLR 2021 (arXiv 2007.07314).
 *
 * <p>With n_j training examples of class j and prior pi_j = n_j / sum_k n_k, for a row with logits
 * x and labels y:
 * <pre>
 *   L     = -sum_c y_c log softmax(x + tau log pi)_c = -sum_c y_c log softmax(x + tau log n)_c
 *   dL/dx = softmax(x + tau log n) * sum_c y_c - y
 * </pre>
 * (log pi and log n differ by a constant per row, which the softmax cancels). tau = 1 is balanced
 * softmax (the reference, jiawei-ren/BalancedMetaSoftmax-Classification, adds log n_j); tau = 0 is
 * plain cross-entropy. The adjustment applies only in training: the network's output
 * softmax(x) is the prediction for the balanced (test) distribution, which is the point of the
 * method (Menon et al.'s "post-hoc" view).
 *
 * <p>Parameters: {@code classCounts} (required; training examples per class, each &gt; 0, one per
 * output; {@link ClassCounts#of}), {@code tau} &gt;= 0, default 1 (balanced softmax, and Menon et
 * al.'s default). Use with a {@code SOFTMAX} output activation. Instances
 * are immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class BalancedSoftmaxLoss extends KernelLoss {
    private static final long serialVersionUID = 1L;

    /** The registry name. */
    public static final String NAME = "balanced-softmax";

    /** The parameters: {@code classCounts} (required), {@code tau} (1; &gt;= 0). */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(LongTailParameters.CLASS_COUNTS,
            ParameterSpec.ofDouble("tau", 1.0, "logit adjustment strength: the loss trains softmax(x + tau log"
                    + " prior); 1 = balanced softmax, 0 = cross-entropy").atLeast(0));

    private final double[] classCounts;
    private final double tau;
    private final double[] adjustment;
    private final WeightedSoftmaxCrossEntropy kernel;

    /**
     * @param parameters values by name: {@code classCounts}, {@code tau}
     * @throws io.github.lossvariants.api.LossConfigurationException for a missing {@code classCounts},
     *                                                              an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public BalancedSoftmaxLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.classCounts = parameterValues().getDoubleArray("classCounts");
        this.tau = parameterValues().getDouble("tau");
        this.adjustment = new double[classCounts.length];
        for (int j = 0; j < adjustment.length; j++) {
            adjustment[j] = tau * Math.log(classCounts[j]);
        }
        this.kernel = new WeightedSoftmaxCrossEntropy(NAME, SCHEMA, parameterValues().asMap(), null,
                "Balanced softmax is a softmax loss; for independent sigmoid outputs use class-balanced or"
                        + " distribution-balanced.");
    }

    /**
     * Balanced softmax (tau = 1).
     *
     * @param classCounts training examples per class, each &gt; 0 (copied)
     */
    public BalancedSoftmaxLoss(double[] classCounts) {
        this(ParameterSchema.valuesOf("classCounts", classCounts));
    }

    /**
     * Logit-adjusted cross-entropy.
     *
     * @param classCounts training examples per class, each &gt; 0 (copied)
     * @param tau         adjustment strength, &gt;= 0
     */
    public BalancedSoftmaxLoss(double[] classCounts, double tau) {
        this(ParameterSchema.valuesOf("classCounts", classCounts, "tau", tau));
    }

    /** @return a copy of the class counts */
    public double[] getClassCounts() {
        return classCounts.clone();
    }

    /** @return tau */
    public double getTau() {
        return tau;
    }

    @Override
    ILossFunction kernel() {
        return kernel;
    }

    @Override
    void checkClasses(long classes) {
        LongTailParameters.requireOnePerClass(NAME, "classCounts", classCounts, classes);
    }

    /** x + tau log n, a new array (the kernel checks the inputs). */
    @Override
    INDArray kernelLogits(INDArray labels, INDArray preOutput) {
        if (tau == 0.0 || preOutput == null || preOutput.rank() != 2 || !preOutput.dataType().isFPType()) {
            return preOutput;
        }
        return preOutput.addRowVector(LongTailParameters.row(adjustment, preOutput.dataType()));
    }
}
