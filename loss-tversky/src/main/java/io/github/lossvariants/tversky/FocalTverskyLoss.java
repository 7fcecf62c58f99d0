package io.github.lossvariants.tversky;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.internal.TverskyIndex;
import io.github.lossvariants.api.region.RegionLoss;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.tversky.internal.TverskyParameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Focal Tversky loss (Abraham &amp; Khan 2019, "A novel focal Tversky loss function with improved
 * attention U-Net for lesion segmentation", arXiv 1810.07842), per (image, class):
 * <pre>
 *   L = (1 - TI)^(1/gamma),  TI = (TP + smooth) / (TP + alpha*FP + beta*FN + smooth)
 * </pre>
 * then the (weighted) mean over classes as in {@link TverskyLoss}. gamma &gt; 1 focuses on hard
 * images (small TI); gamma = 1 is the Tversky loss. The exponent is applied per (image, class),
 * not after the class mean (unlike SMP, see LOSS-REFERENCE.md section 4). mlyg's
 * {@code focal_tversky(gamma=0.75)} is this loss with gamma = 4/3.
 *
 * <p>For 1/gamma &lt; 1 the derivative (1/gamma)(1 - TI)^(1/gamma - 1) is unbounded at TI = 1
 * (a perfect, empty or fully masked image); the gradient evaluates it at max(1 - TI, 1e-6), so it
 * stays finite (the loss value itself is exact).
 *
 * <p>Parameters (registry name {@code focal-tversky}): {@code alpha} &gt;= 0 (default 0.5),
 * {@code beta} &gt;= 0 (default 0.5), {@code smooth} &gt; 0 (default 1e-5), {@code gamma} &gt; 0
 * (default 4/3; the paper uses [1, 3]) and the {@link RegionOptions}.
 *
 * @since 0.1.0
 */
public final class FocalTverskyLoss extends RegionLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "focal-tversky";
    /** Default gamma, 4/3. */
    public static final double DEFAULT_GAMMA = 4.0 / 3.0;
    /** Lower bound of 1 - TI used in the gradient. */
    public static final double GRADIENT_FLOOR = 1e-6;

    /**
     * The parameters: {@code alpha} (0.5; &gt;= 0), {@code beta} (0.5; &gt;= 0), {@code smooth}
     * (1e-5; &gt; 0), {@code gamma} (4/3; &gt; 0) and the {@link RegionOptions}.
     */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(TverskyParameters.ALPHA, TverskyParameters.BETA,
            TverskyParameters.SMOOTH,
            ParameterSpec.ofDouble("gamma", DEFAULT_GAMMA, "focal parameter: loss (1 - TI)^(1/gamma), paper range [1, 3]")
                    .greaterThan(0)).plus(RegionOptions.parameterSpecs());

    private final double alpha;
    private final double beta;
    private final double smooth;
    private final double gamma;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name, an invalid
     *                                                              value or inconsistent region options
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public FocalTverskyLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.alpha = parameterValues().getDouble("alpha");
        this.beta = parameterValues().getDouble("beta");
        this.smooth = parameterValues().getDouble("smooth");
        this.gamma = parameterValues().getDouble("gamma");
    }

    /**
     * @param alpha   false-positive weight, {@code >= 0}
     * @param beta    false-negative weight, {@code >= 0}
     * @param smooth  smoothing, {@code > 0}
     * @param gamma   focal parameter, {@code > 0}; the loss is (1 - TI)^(1/gamma)
     * @param options region options; null for the defaults
     */
    public FocalTverskyLoss(double alpha, double beta, double smooth, double gamma, RegionOptions options) {
        this(TverskyParameters.withOptions(ParameterSchema.valuesOf("alpha", alpha, "beta", beta, "smooth", smooth,
                "gamma", gamma), options));
    }

    /** @return a focal Tversky loss with the default smoothing and options */
    public static FocalTverskyLoss of(double alpha, double beta, double gamma) {
        return new FocalTverskyLoss(alpha, beta, TverskyLoss.DEFAULT_SMOOTH, gamma, null);
    }

    /** @return the false-positive weight */
    public double getAlpha() {
        return alpha;
    }

    /** @return the false-negative weight */
    public double getBeta() {
        return beta;
    }

    /** @return the smoothing term */
    public double getSmooth() {
        return smooth;
    }

    /** @return gamma; the loss is (1 - TI)^(1/gamma) */
    public double getGamma() {
        return gamma;
    }

    @Override
    protected FocalTverskyLoss withParameters(Map<String, Object> values) {
        return new FocalTverskyLoss(values);
    }

    @Override
    public FocalTverskyLoss withOptions(RegionOptions options) {
        return (FocalTverskyLoss) super.withOptions(options);
    }

    @Override
    public FocalTverskyLoss withRowsPerExample(long rowsPerExample) {
        return (FocalTverskyLoss) super.withRowsPerExample(rowsPerExample);
    }

    @Override
    protected void regionTerms(INDArray tp, INDArray fp, INDArray fn, INDArray loss, INDArray dTp, INDArray dFp,
                               INDArray dFn) {
        double e = 1.0 / gamma;
        INDArray ti = TverskyIndex.compute(tp, fp, fn, alpha, beta, smooth, dTp, dFp, dFn);
        INDArray base = Transforms.max(ti.rsubi(1.0), 0.0, false); // 1 - TI, >= 0
        loss.assign(Transforms.pow(base, e, true));
        if (dTp != null) {
            // dL/dTI = -e * max(1 - TI, floor)^(e - 1)
            INDArray dTi = Transforms.pow(Transforms.max(base, GRADIENT_FLOOR, false), e - 1.0, false).muli(-e);
            dTp.muli(dTi);
            dFp.muli(dTi);
            dFn.muli(dTi);
        }
    }
}
