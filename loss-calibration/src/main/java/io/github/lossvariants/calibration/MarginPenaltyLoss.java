package io.github.lossvariants.calibration;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.BaseLoss;
import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.internal.LossInputs;
import io.github.lossvariants.calibration.internal.Rows;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * The logit-margin penalty of MbLS (Liu, Ben Ayed, Galdran &amp; Dolz, "The Devil is in the
 * Margin: Margin-based Label Smoothing for Network Calibration", CVPR 2022), registry name
 * {@code mbls}. Meant to be added to cross-entropy (the paper's loss is CE + this term), e.g.
 * {@code label-smoothing(alpha=0)+mbls(margin=10, alpha=0.1)}:
 * <pre>
 *   published:  alpha * mean_{i,k} relu(max_j z_ij - z_ik - margin)       (mean over all N*K entries)
 *   here, row i: (alpha / K) * sum_k relu(max_j z_ij - z_ik - margin)
 * </pre>
 * The term is a mean over rows, so with DL4J's division of the summed score by N each row's own
 * value is exact (no apportioning): the network minimises CE(mean) + the published term. Acts on
 * the logits (pre-activations). Gradient: for each (i, k) with max_j z_ij - z_ik &gt; margin,
 * -alpha/K at z_ik and +alpha/K at the row's argmax (the argmax is a constant).
 *
 * <p>Parameters: {@code margin} &gt;= 0 (default 10), {@code alpha} &gt;= 0 (default 0.1); the
 * paper's settings, used for classification and segmentation. Masks weight whole rows (the paper's
 * {@code ignore_index} is a per-row mask): a per-output (labels-shaped) mask must be constant within
 * each row, as for every softmax loss of this library (softmax couples a row's classes; a mask that
 * differs within a row is rejected with a {@code LossConfigurationException}), and is used as the
 * per-row mask it equals. Needs SOFTMAX.
 *
 * @since 0.1.0
 */
public final class MarginPenaltyLoss extends BaseLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "mbls";

    /** The parameters: {@code margin} (10; &gt;= 0), {@code alpha} (0.1; &gt;= 0). */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("margin", 10.0, "logit distance to the row maximum that is free").atLeast(0),
            ParameterSpec.ofDouble("alpha", 0.1, "weight of the penalty relative to a mean-reduced loss").atLeast(0));

    private final double margin;
    private final double alpha;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public MarginPenaltyLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.margin = parameterValues().getDouble("margin");
        this.alpha = parameterValues().getDouble("alpha");
    }

    /** margin = 10, alpha = 0.1. */
    public MarginPenaltyLoss() {
        this(10.0, 0.1);
    }

    /**
     * @param margin free logit distance, &gt;= 0
     * @param alpha  weight, &gt;= 0
     * @throws io.github.lossvariants.api.LossConfigurationException when out of range
     */
    public MarginPenaltyLoss(double margin, double alpha) {
        this(ParameterSchema.valuesOf("margin", margin, "alpha", alpha));
    }

    /** @return the margin */
    public double getMargin() {
        return margin;
    }

    /** @return the weight */
    public double getAlpha() {
        return alpha;
    }

    @Override
    protected Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                  boolean wantGradient) {
        LossInputs.checkRows(NAME, labels, preOutput);
        MaskKind kind = LossInputs.maskKind(NAME, mask, labels);
        LossInputs.requireSoftmax(NAME, activation, null);
        DataType t = preOutput.dataType();
        long rows = preOutput.size(0);
        long k = preOutput.size(1);
        double c = alpha / k;
        // d = max_j z_j - z_k - margin
        INDArray d = preOutput.neg().addiColumnVector(preOutput.max(true, 1)).subi(margin);
        INDArray active = d.gt(0).castTo(t);
        if (kind == MaskKind.PER_OUTPUT) {
            // whole rows only; then it is a per-row mask
            active.muliColumnVector(LossInputs.rowConstantMaskAsColumn(NAME, mask, t));
        } else if (kind == MaskKind.PER_EXAMPLE) {
            active.muliColumnVector(LossInputs.maskAs(mask, kind, t, rows));
        }
        INDArray terms = Transforms.relu(d, false).muli(active);
        INDArray rowScores = terms.sum(true, 1).muli(c);
        INDArray grad = null;
        if (wantGradient) {
            INDArray count = active.sum(true, 1);
            // a masked row has active = 0 and count = 0, so its gradient is exactly 0 (no zeroing needed)
            grad = Rows.argMaxOneHot(preOutput).muliColumnVector(count).subi(active).muli(c);
        }
        return new Evaluation(rowScores, grad, rows);
    }
}
