package io.github.lossvariants.calibration;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.OneHotSoftmaxLoss;
import io.github.lossvariants.calibration.internal.Rows;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Dual Focal Loss (Tao, Dong &amp; Xu, "Dual Focal Loss for Calibration", ICML 2023), registry name
 * {@code dual-focal}:
 * <pre>
 *   L = -sum_i (1 - p_y + p_j)^gamma * log p_y          (summed over the batch)
 * </pre>
 * p = softmax(z), y the target class and p_j the <b>largest probability strictly below p_y</b> (not
 * the largest non-target probability; 0 when p_y is the smallest; values equal to p_y are
 * excluded). The index j is a constant in the gradient (autodiff through {@code topk} behaves the
 * same): with u = 1 - p_y + p_j,
 * dL/dz_k = -gamma u^(gamma-1) log p_y [p_j (delta_kj - p_k) - p_y (delta_ky - p_k)] - u^gamma (delta_ky - p_k).
 *
 * <p>Parameter: {@code gamma} &gt;= 0, default {@value #DEFAULT_GAMMA}. The authors' constructor
 * defaults to 0 (which reduces the loss to cross-entropy), and their published settings range from
 * 2.3 to 6.1; 5 is the setting used most often there (CIFAR-10 ResNet-50 and DenseNet-121, CIFAR-100
 * ResNet-50) and the one the conformance case checks, so it is the default here.
 *
 * <p>Needs a SOFTMAX output layer and one-hot labels. A per-example mask weights each example; a
 * per-output (labels-shaped) mask must be constant within each row, as for every softmax loss, and
 * then weights whole examples (or pixels); one that differs within a row is rejected with a
 * {@code LossConfigurationException}.
 *
 * @since 0.1.0
 */
public final class DualFocalLoss extends OneHotSoftmaxLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "dual-focal";
    /** The default exponent. */
    public static final double DEFAULT_GAMMA = 5.0;
    private static final double TINY = 1e-30;

    /** The parameter: {@code gamma} ({@value #DEFAULT_GAMMA}; &gt;= 0). */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("gamma", DEFAULT_GAMMA, "exponent of (1 - p_y + p_j); published settings 2.3 to 6.1")
                    .atLeast(0));

    private final double gamma;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public DualFocalLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.gamma = parameterValues().getDouble("gamma");
    }

    /** gamma = {@value #DEFAULT_GAMMA}. */
    public DualFocalLoss() {
        this(DEFAULT_GAMMA);
    }

    /**
     * @param gamma exponent, &gt;= 0
     * @throws io.github.lossvariants.api.LossConfigurationException when out of range
     */
    public DualFocalLoss(double gamma) {
        this(ParameterSchema.valuesOf("gamma", gamma));
    }

    /** @return the exponent */
    public double getGamma() {
        return gamma;
    }

    @Override
    protected void computeTargetTerms(TargetRows rows, INDArray rowLoss, INDArray dLogPt) {
        INDArray e = rows.exp();
        DataType t = e.dataType();
        // candidates e_k < e_y (e = exp(z - max), so p_k < p_y), e_y = sum_k y_k e_k (exact for one-hot
        // rows). With d = e - e_y, r = -1/d is positive exactly for the candidates and largest for the
        // one closest to e_y; ties with e_y give d = +0 and r = -inf. (Cheaper than a condition op.)
        INDArray ey = Nd4j.getExecutioner().exec(new Dot(e, rows.labels(), 1)).reshape(e.size(0), 1);
        INDArray r = e.ulike();
        Nd4j.exec(new BroadcastSubOp(e, ey, r, 0));
        r.rdivi(-1.0);
        INDArray rMax = r.max(true, 1);
        // J: 1 at the runner-up j (r = max r; r - max r is 0 there and a negative normal number or NaN elsewhere)
        Nd4j.exec(new BroadcastSubOp(r, rMax, r, 0));
        INDArray j = Nd4j.exec(new Step(r, r, t == DataType.DOUBLE ? -Double.MIN_NORMAL : -Float.MIN_NORMAL));
        if (j.sum(true, 1).maxNumber().doubleValue() > 1.0) {
            j = Rows.argMaxOneHot(j); // candidates with equal probabilities: the first, as topk does
        }
        // p_j = e_j / sum, 0 for rows without a candidate (p_y is the smallest, or a padding row)
        INDArray found = rMax.gt(0.0).castTo(t);
        INDArray pj = Nd4j.getExecutioner().exec(new Dot(e, j, 1)).reshape(e.size(0), 1)
                .divi(rows.expSum()).muli(found);
        INDArray logPy = rows.logPt();
        // u = (1 - p_y) + p_j, with 1 - p_y = -expm1(log p_y)
        INDArray u = Transforms.expm1(logPy, true).negi().addi(pj);
        Transforms.max(u, TINY, false);
        INDArray logU = Transforms.log(u, true);
        INDArray uG = Transforms.exp(logU.mul(gamma), true);               // u^gamma
        rowLoss.assign(uG.mul(logPy).negi());
        if (dLogPt != null) {
            // c = gamma u^(gamma-1) log p_y; h_y = c p_y - u^gamma, h_j = -c p_j (0 without a candidate)
            INDArray c = Transforms.exp(logU.muli(gamma - 1.0), false).muli(logPy).muli(gamma);
            dLogPt.assign(c.mul(rows.pt()).subi(uG));
            rows.setSecondClass(j, c.muli(pj).negi());
        }
    }
}
