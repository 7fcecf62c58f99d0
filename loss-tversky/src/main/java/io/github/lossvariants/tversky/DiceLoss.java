package io.github.lossvariants.tversky;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.internal.TverskyIndex;
import io.github.lossvariants.api.region.RegionLoss;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.tversky.internal.TverskyParameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Soft Dice loss (Milletari, Navab &amp; Ahmadi 2016, V-Net), per (image, class):
 * <pre>
 *   L = 1 - (TP + smooth) / (TP + 0.5*FP + 0.5*FN + smooth) = 1 - (2 TP + 2 smooth) / (sum p + sum g + 2 smooth)
 * </pre>
 * i.e. {@link TverskyLoss} with alpha = beta = 0.5 (same values and gradients). Registry name
 * {@code dice}; parameters {@code smooth} &gt; 0 (default 1e-5) and the {@link RegionOptions}
 * ({@code batch} default false, {@code includeBackground}, {@code classes}, {@code classWeights},
 * {@code rowsPerExample}).
 *
 * @since 0.1.0
 */
public final class DiceLoss extends RegionLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "dice";

    /** The parameters: {@code smooth} (1e-5; &gt; 0) and the {@link RegionOptions}. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(TverskyParameters.SMOOTH)
            .plus(RegionOptions.parameterSpecs());

    private final double smooth;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name, an invalid
     *                                                              value or inconsistent region options
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public DiceLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.smooth = parameterValues().getDouble("smooth");
    }

    /**
     * @param smooth  smoothing, {@code > 0}
     * @param options region options; null for the defaults
     */
    public DiceLoss(double smooth, RegionOptions options) {
        this(TverskyParameters.withOptions(ParameterSchema.valuesOf("smooth", smooth), options));
    }

    /** A Dice loss with default smoothing (1e-5), per image, every class, one row per example. */
    public DiceLoss() {
        this(TverskyLoss.DEFAULT_SMOOTH, null);
    }

    /** @return the smoothing term */
    public double getSmooth() {
        return smooth;
    }

    @Override
    protected DiceLoss withParameters(Map<String, Object> values) {
        return new DiceLoss(values);
    }

    @Override
    public DiceLoss withOptions(RegionOptions options) {
        return (DiceLoss) super.withOptions(options);
    }

    @Override
    public DiceLoss withRowsPerExample(long rowsPerExample) {
        return (DiceLoss) super.withRowsPerExample(rowsPerExample);
    }

    @Override
    protected void regionTerms(INDArray tp, INDArray fp, INDArray fn, INDArray loss, INDArray dTp, INDArray dFp,
                               INDArray dFn) {
        INDArray ti = TverskyIndex.compute(tp, fp, fn, 0.5, 0.5, smooth, dTp, dFp, dFn);
        loss.assign(ti.rsubi(1.0));
        if (dTp != null) {
            dTp.negi();
            dFp.negi();
            dFn.negi();
        }
    }
}
