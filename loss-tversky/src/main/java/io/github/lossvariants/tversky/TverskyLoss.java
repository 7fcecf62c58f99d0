package io.github.lossvariants.tversky;

import io.github.lossvariants.api.region.RegionLoss;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.api.internal.TverskyIndex;
import io.github.lossvariants.tversky.internal.Checks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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

    @JsonProperty("alpha")
    private final double alpha;
    @JsonProperty("beta")
    private final double beta;
    @JsonProperty("smooth")
    private final double smooth;

    /**
     * @param alpha   false-positive weight, {@code >= 0}
     * @param beta    false-negative weight, {@code >= 0}
     * @param smooth  smoothing, {@code > 0}
     * @param options region options; null for the defaults
     */
    @JsonCreator
    public TverskyLoss(@JsonProperty("alpha") double alpha, @JsonProperty("beta") double beta,
                       @JsonProperty("smooth") double smooth, @JsonProperty("options") RegionOptions options) {
        super(options);
        this.alpha = Checks.atLeastZero(NAME, "alpha", alpha);
        this.beta = Checks.atLeastZero(NAME, "beta", beta);
        this.smooth = Checks.positive(NAME, "smooth", smooth);
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
    public TverskyLoss withOptions(RegionOptions options) {
        return new TverskyLoss(alpha, beta, smooth, options);
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

    @Override
    public String registryName() {
        return NAME;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alpha", alpha);
        m.put("beta", beta);
        m.put("smooth", smooth);
        getOptions().putParameters(m);
        return Collections.unmodifiableMap(m);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TverskyLoss)) {
            return false;
        }
        TverskyLoss t = (TverskyLoss) o;
        return Double.compare(t.alpha, alpha) == 0 && Double.compare(t.beta, beta) == 0
                && Double.compare(t.smooth, smooth) == 0 && t.getOptions().equals(getOptions());
    }

    @Override
    public int hashCode() {
        return Objects.hash(alpha, beta, smooth, getOptions());
    }
}
