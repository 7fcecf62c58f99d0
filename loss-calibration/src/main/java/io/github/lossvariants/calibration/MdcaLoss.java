package io.github.lossvariants.calibration;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.BaseLoss;
import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.internal.LossInputs;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * The MDCA auxiliary calibration term (Hebbalaguppe, Prakash, Madan &amp; Arora, "A Stitch in Time
 * Saves Nine: A Train-Time Regularizing Loss for Improved Neural Network Calibration", CVPR 2022),
 * registry name {@code mdca}. Meant to be added to a classification loss, e.g.
 * {@code focal(gamma=1)+mdca(beta=1)} or {@code label-smoothing(alpha=0.1)+mdca}:
 * <pre>
 *   MDCA = (1/K) sum_c | mean_i p_ic - mean_i y_ic |          (one value per minibatch)
 * </pre>
 * The paper trains with L_cls(mean) + beta * MDCA. <b>Batch-level scaling.</b> DL4J divides the
 * summed score by the minibatch size N, so this term enters {@code computeScore(average=false)} as
 * beta * N * MDCA and its gradient is d(beta N MDCA)/dz_ik = (beta/K) p_ik (s_k - sum_c s_c p_ic)
 * (s_c = sign(mean p_c - mean y_c), 0 at 0); after DL4J's division the network minimises
 * L_cls(mean) + beta * MDCA exactly as published. (Behind a CnnLossLayer rows are pixels and DL4J
 * divides by images, so the term is scaled like a per-pixel loss summed per image: its ratio to the
 * per-pixel mean loss is still beta.)
 *
 * <p><b>Per-example scores apportion</b> the batch value: every row gets beta * MDCA (times its
 * mask weight), so the rows sum to the batch score; a single row's value is not that example's own
 * contribution. Per-example masks weight the means (masked rows drop out). A per-output
 * (labels-shaped) mask must be constant within each row (whole examples or pixels) and is then used
 * as that per-row mask; one that differs within a row is rejected: with SOFTMAX because softmax
 * couples a row's classes (as for every softmax loss of this library), with SIGMOID because the
 * batch means are per row (per-label weighting is not implemented). SOFTMAX gives the multi-class form; SIGMOID gives the per-label form (1/L) sum_l
 * |mean sigmoid_l - prevalence_l| with gradient (beta/L) s_l p_il (1 - p_il).
 *
 * <p>Parameter: {@code beta} &gt;= 0, default 1 (the paper's training scripts).
 *
 * @since 0.1.0
 */
public final class MdcaLoss extends BaseLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "mdca";

    /** The parameter: {@code beta} (1; &gt;= 0). */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("beta", 1.0, "weight of the MDCA term relative to a mean-reduced loss").atLeast(0));

    private final double beta;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public MdcaLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.beta = parameterValues().getDouble("beta");
    }

    /** beta = 1. */
    public MdcaLoss() {
        this(1.0);
    }

    /**
     * @param beta weight, &gt;= 0
     * @throws LossConfigurationException when out of range
     */
    public MdcaLoss(double beta) {
        this(ParameterSchema.valuesOf("beta", beta));
    }

    /** @return the weight */
    public double getBeta() {
        return beta;
    }

    @Override
    protected Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                  boolean wantGradient) {
        LossInputs.checkRows(NAME, labels, preOutput);
        MaskKind kind = LossInputs.maskKind(NAME, mask, labels);
        boolean softmax = activation instanceof ActivationSoftmax;
        if (!softmax && !(activation instanceof ActivationSigmoid)) {
            throw new LossConfigurationException(NAME + " needs the layer's activation to be SOFTMAX (multi-class)"
                    + " or SIGMOID (per label); got " + LossInputs.describe(activation) + ".");
        }
        INDArray rowMask = null;
        if (kind == MaskKind.PER_OUTPUT) {
            rowMask = softmax ? LossInputs.rowConstantMaskAsColumn(NAME, mask, preOutput.dataType())
                    : sigmoidRowMask(mask, preOutput.dataType());
            kind = MaskKind.PER_EXAMPLE;
        }
        DataType t = preOutput.dataType();
        long rows = preOutput.size(0);
        long k = preOutput.size(1);
        INDArray y = LossInputs.labelsAs(labels, t);
        INDArray p;
        if (softmax) {
            p = Nd4j.createUninitialized(t, preOutput.shape());
            Nd4j.exec(new LogSoftMax(preOutput, p));
            Transforms.exp(p, false);
        } else {
            p = Transforms.sigmoid(preOutput, true);
        }
        INDArray w = kind == MaskKind.NONE ? Nd4j.ones(t, rows, 1)
                : rowMask != null ? rowMask : LossInputs.maskAs(mask, kind, t, rows);
        double wSum = w.sumNumber().doubleValue();
        if (wSum == 0) {
            return new Evaluation(Nd4j.zeros(t, rows, 1), wantGradient ? Nd4j.zeros(t, rows, k) : null, rows);
        }
        // d_c = mean_i p_ic - mean_i y_ic (weighted by w)
        INDArray d = p.mulColumnVector(w).sum(true, 0).subi(y.mulColumnVector(w).sum(true, 0)).divi(wSum);
        double mdca = Transforms.abs(d, true).sumNumber().doubleValue() / k;
        INDArray rowScores = w.mul(beta * mdca);
        INDArray grad = null;
        if (wantGradient) {
            INDArray s = Transforms.sign(d, false);
            if (softmax) {
                // p_ik (s_k - sum_c s_c p_ic)
                INDArray sp = p.mulRowVector(s).sum(true, 1);
                grad = p.mulRowVector(s).subi(p.mulColumnVector(sp)).muliColumnVector(w);
            } else {
                grad = p.mul(p.rsub(1.0)).muliRowVector(s).muliColumnVector(w);
            }
            grad.muli(beta / k);
        }
        return new Evaluation(rowScores, grad, rows);
    }

    /** A SIGMOID per-output mask as a per-row column; per-label weights of the batch means are not supported. */
    private static INDArray sigmoidRowMask(INDArray mask, DataType type) {
        INDArray m = mask.castTo(type);
        INDArray range = m.max(1).subi(m.min(1));
        if (range.maxNumber().doubleValue() != 0.0) {
            long row = org.nd4j.linalg.indexing.BooleanIndexing.firstIndex(range,
                    org.nd4j.linalg.indexing.conditions.Conditions.greaterThan(0.0)).getLong(0);
            throw new LossConfigurationException(NAME + ": a per-output (labels-shaped) mask must be constant within"
                    + " each row (this batch-level term weights whole rows; per-label weights are not supported), but"
                    + " row " + row + " has mask values " + java.util.Arrays.toString(m.getRow(row).toDoubleVector())
                    + "; use a per-row mask [rows, 1]");
        }
        return m.getColumn(0, true);
    }
}
