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
 * Tversky loss (Salehi, Erdogmus &amp; Gholipour 2017, "Tversky loss function for image segmentation
 * using 3D fully convolutional deep networks"), per (image, class):
 * <pre>
 *   L = 1 - (TP + smooth) / (TP + alpha*FP + beta*FN + smooth)
 *   TP = sum p*g,  FP = sum p*(1-g),  FN = sum (1-p)*g   (over all spatial positions)
 * </pre>
 * p is the sigmoid (independent, multi-label masks) or softmax (exclusive classes) of the logits,
 * chosen by the layer's activation. The per-image loss is the mean over the counted classes
 * (weighted by {@code classWeights}); with {@code batch=true} the counts are pooled over the
 * minibatch. alpha = beta = 0.5 is the soft Dice loss ({@link DiceLoss}); beta &gt; alpha penalises
 * missed foreground more, which suits tiny foregrounds.
 *
 * <p>Parameters (registry name {@code tversky}): {@code alpha} &gt;= 0 (false-positive weight,
 * default 0.5), {@code beta} &gt;= 0 (false-negative weight, default 0.5), {@code smooth} &gt; 0
 * (added to numerator and denominator, default 1e-5; keeps empty images finite: loss 0), and
 * the {@link RegionOptions} ({@code batch}, {@code includeBackground}, {@code classes},
 * {@code classWeights}, {@code rowsPerExample}). Matches MONAI's {@code TverskyLoss}
 * ({@code smooth_nr = smooth_dr = smooth}, per (batch, class)).
 *
 * <p>Behind a {@code CnnLossLayer} set {@code rowsPerExample = H*W} or use
 * {@link io.github.lossvariants.api.region.PerImageLossLayer}; see docs/segmentation.md.
 *
 * @since 0.1.0
 */
public final class TverskyLoss extends RegionLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "tversky";
    /** Default alpha and beta. */
    public static final double DEFAULT_WEIGHT = 0.5;
    /** Default smoothing. */
    public static final double DEFAULT_SMOOTH = 1e-5;

    /**
     * The parameters: {@code alpha} (0.5; &gt;= 0), {@code beta} (0.5; &gt;= 0), {@code smooth}
     * (1e-5; &gt; 0) and the {@link RegionOptions}.
     */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(TverskyParameters.ALPHA, TverskyParameters.BETA,
            TverskyParameters.SMOOTH).plus(RegionOptions.parameterSpecs());

    private final double alpha;
    private final double beta;
    private final double smooth;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name, an invalid
     *                                                              value or inconsistent region options
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public TverskyLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.alpha = parameterValues().getDouble("alpha");
        this.beta = parameterValues().getDouble("beta");
        this.smooth = parameterValues().getDouble("smooth");
    }

    /**
     * @param alpha   false-positive weight, {@code >= 0}
     * @param beta    false-negative weight, {@code >= 0}
     * @param smooth  smoothing, {@code > 0}
     * @param options region options; null for the defaults
     */
    public TverskyLoss(double alpha, double beta, double smooth, RegionOptions options) {
        this(TverskyParameters.withOptions(ParameterSchema.valuesOf("alpha", alpha, "beta", beta, "smooth", smooth),
                options));
    }

    /** @return a Tversky loss with the default smoothing and options */
    public static TverskyLoss of(double alpha, double beta) {
        return new TverskyLoss(alpha, beta, DEFAULT_SMOOTH, null);
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

    @Override
    protected TverskyLoss withParameters(Map<String, Object> values) {
        return new TverskyLoss(values);
    }

    @Override
    public TverskyLoss withOptions(RegionOptions options) {
        return (TverskyLoss) super.withOptions(options);
    }

    @Override
    public TverskyLoss withRowsPerExample(long rowsPerExample) {
        return (TverskyLoss) super.withRowsPerExample(rowsPerExample);
    }

    @Override
    protected void regionTerms(INDArray tp, INDArray fp, INDArray fn, INDArray loss, INDArray dTp, INDArray dFp,
                               INDArray dFn) {
        INDArray ti = TverskyIndex.compute(tp, fp, fn, alpha, beta, smooth, dTp, dFp, dFn);
        loss.assign(ti.rsubi(1.0));
        if (dTp != null) {
            dTp.negi();
            dFp.negi();
            dFn.negi();
        }
    }
}
