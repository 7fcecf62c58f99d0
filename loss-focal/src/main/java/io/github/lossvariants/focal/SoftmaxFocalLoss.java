package io.github.lossvariants.focal;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.dl4j.SoftmaxElementwiseLoss;
import io.github.lossvariants.focal.internal.FocalParameters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Pow;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Square;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Multi-class (softmax) focal loss over dimension 1 (registry name {@code softmax-focal}), the
 * multi-class form of Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017
 * (arXiv 1708.02002), as in MONAI's {@code FocalLoss(use_softmax=True)} and kornia's
 * {@code focal_loss}.
 *
 * <p>For a row with logits z, targets t (one-hot or soft) and p = softmax(z):
 * <pre>
 *   L = - sum_c w_c * (1 - p_c)^gamma * t_c * log p_c
 * </pre>
 * computed from log p = log-softmax(z), with 1 - p_c = -expm1(log p_c). The derivative handed to
 * {@link SoftmaxElementwiseLoss} (which applies the softmax chain rule) is
 * <pre>
 *   h_c = dL/d(log p_c) = - w_c * t_c * (1 - p_c)^gamma * [ 1 - gamma * p_c * log p_c / max(1 - p_c, tiny) ]
 * </pre>
 * finite for every gamma &gt;= 0 (the factor log p / (1 - p) lies in [log p, -1]).
 *
 * <p>Parameters:
 * <ul>
 *   <li>{@code gamma} &gt;= 0, default 2; {@code gamma = 0} without weights is exactly softmax
 *       cross-entropy ({@code LossMCXENT});</li>
 *   <li>{@code classWeights}, optional, one weight &gt; 0 per class (default: all 1). Its length
 *       must equal the layer's nOut; a mismatch fails at the first call, naming both lengths.
 *       MONAI's scalar alpha corresponds to {@code classWeights = [1 - alpha, alpha, ..., alpha]}
 *       (class 0 = background).</li>
 * </ul>
 * The row score is the sum over classes (MONAI keeps per-channel values and its "mean" divides by
 * the class count as well). Use with a {@code SOFTMAX} output activation, per pixel with
 * {@code CnnLossLayer}/{@code Cnn3DLossLayer} or per time step with {@code RnnOutputLayer}.
 * Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class SoftmaxFocalLoss extends SoftmaxElementwiseLoss {
    private static final long serialVersionUID = 1L;

    /** The registry name. */
    public static final String NAME = "softmax-focal";

    /** The parameters: {@code gamma} (2; &gt;= 0), {@code classWeights} (absent = all 1; each &gt; 0). */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(FocalParameters.GAMMA, FocalParameters.CLASS_WEIGHTS);

    private final double gamma;
    private final double[] classWeights;

    /**
     * @param parameters values by name, {@code gamma} and {@code classWeights}; missing ones take
     *                   their defaults (gamma 2, all weights 1)
     * @throws LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public SoftmaxFocalLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.gamma = parameterValues().getDouble("gamma");
        this.classWeights = parameterValues().getDoubleArray("classWeights");
    }

    /**
     * @param gamma        focusing exponent, finite and &gt;= 0
     * @param classWeights one positive weight per class, or null for all 1 (copied)
     * @throws LossConfigurationException for a value out of range
     */
    public SoftmaxFocalLoss(double gamma, double[] classWeights) {
        this(ParameterSchema.valuesOf("gamma", gamma, "classWeights", classWeights));
    }

    /** @return softmax focal loss with gamma 2 and no class weights (the registry defaults) */
    public static SoftmaxFocalLoss defaults() {
        return new SoftmaxFocalLoss(2.0, null);
    }

    /** @return a builder starting from the defaults (gamma 2, no class weights) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the focusing exponent */
    public double getGamma() {
        return gamma;
    }

    /** @return a copy of the class weights, or null when all are 1 */
    public double[] getClassWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    @Override
    protected void computeTerms(INDArray logP, INDArray p, INDArray y, INDArray loss, INDArray h) {
        writeFocal(logP, p, y, loss, h);
        INDArray w = classWeightRow(logP.size(1), logP.dataType());
        if (w != null) {
            loss.muliRowVector(w);
            if (h != null) {
                h.muliRowVector(w);
            }
        }
    }

    @Override
    protected boolean hasTargetForm() {
        return true;
    }

    @Override
    protected void computeTargetTerms(TargetRows rows, INDArray rowLoss, INDArray dLogPt) {
        writeFocal(rows.logPt(), rows.pt(), null, rowLoss, dLogPt);
        INDArray labels = rows.labels();
        INDArray w = classWeightRow(labels.size(1), labels.dataType());
        if (w != null) {
            INDArray wt = labels.mmul(w.reshape(w.length(), 1)); // each row's target weight
            rowLoss.muli(wt);
            if (dLogPt != null) {
                dLogPt.muli(wt);
            }
        }
    }

    /** @return the class weights as a {@code [1, classes]} row, or null when all are 1 */
    private INDArray classWeightRow(long classes, DataType type) {
        if (classWeights == null) {
            return null;
        }
        if (classWeights.length != classes) {
            throw new LossConfigurationException(NAME + ": classWeights has " + classWeights.length
                    + " entries but the output has " + classes + " classes (nOut = " + classes
                    + "); give exactly one weight per class");
        }
        return Nd4j.createFromArray(classWeights).castTo(type).reshape(1, classes);
    }

    /**
     * Writes the unweighted terms l = -y (1-p)^gamma log p and h = dl/d(log p) element-wise.
     *
     * @param y the labels, or null for all 1 (the target class of one-hot rows)
     */
    private void writeFocal(INDArray logP, INDArray p, INDArray y, INDArray loss, INDArray h) {
        if (gamma == 0.0) {
            loss.assign(logP).negi();
            if (y != null) {
                loss.muli(y);
            }
            if (h != null) {
                if (y == null) {
                    h.assign(-1.0);
                } else {
                    h.assign(y).negi();
                }
            }
            return;
        }
        // 1 - p directly: only the largest class can have p > 1/2, and there 1 - p is as exact
        // as -expm1(log p) (both are limited by the rounding of the softmax denominator)
        DataType type = logP.dataType();
        INDArray om = Nd4j.createUninitialized(type, logP.shape());
        Nd4j.exec(new ScalarReverseSubtraction(p, null, om, 1.0));
        INDArray f;
        if (gamma == 1.0) {
            f = om;
        } else if (gamma == 2.0) {
            f = Nd4j.exec(new Square(om, Nd4j.createUninitialized(type, logP.shape())));
        } else {
            f = Nd4j.exec(new Pow(om, Nd4j.createUninitialized(type, logP.shape()), gamma));
        }
        // loss = -y (1-p)^gamma log p
        if (y == null) {
            loss.assign(logP);
        } else {
            Nd4j.exec(new MulOp(logP, y, loss));
        }
        loss.muli(f).negi();
        if (h != null) {
            // h = -y [(1-p)^gamma - gamma p log p (1-p)^(gamma-1)]
            Nd4j.exec(new MulOp(p, logP, h));
            h.muli(-gamma);
            if (gamma == 2.0) {
                h.muli(om);
            } else if (gamma != 1.0) {
                h.muli(f);
                Transforms.max(om, FocalParameters.tiny(type), false);
                h.divi(om);
            }
            h.addi(f).negi();
            if (y != null) {
                h.muli(y);
            }
        }
    }

    @Override
    protected String activationHint() {
        return "For independent sigmoid outputs (binary, multi-label) use focal (FocalLoss).";
    }

    /** Builds a {@link SoftmaxFocalLoss}: {@code SoftmaxFocalLoss.builder().gamma(2).classWeights(0.1, 1, 1).build()}. */
    public static final class Builder {
        private double gamma = 2.0;
        private double[] classWeights;

        private Builder() {
        }

        /** @param gamma focusing exponent, &gt;= 0 (default 2) @return this builder */
        public Builder gamma(double gamma) {
            this.gamma = gamma;
            return this;
        }

        /** @param classWeights one weight &gt; 0 per class, or null for all 1 (copied) @return this builder */
        public Builder classWeights(double... classWeights) {
            this.classWeights = classWeights == null ? null : classWeights.clone();
            return this;
        }

        /**
         * @return the loss
         * @throws LossConfigurationException for a value out of range
         */
        public SoftmaxFocalLoss build() {
            return new SoftmaxFocalLoss(gamma, classWeights);
        }
    }
}
