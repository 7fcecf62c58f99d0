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
 * Soft Jaccard (intersection over union) loss, per (image, class), as MONAI's
 * {@code DiceLoss(jaccard=True)}:
 * <pre>
 *   L = 1 - (2 I + smooth) / (2 (P + G - I) + smooth)
 *     = 1 - (TP + smooth/2) / (TP + FP + FN + smooth/2)
 *   I = TP = sum p*g,  P = sum p,  G = sum g   (over the spatial positions of one image)
 * </pre>
 * i.e. the soft IoU with smooth/2 added to intersection and union, which is the Tversky index with
 * alpha = beta = 1 (Tversky 1977; as a segmentation loss e.g. Rahman &amp; Wang 2016, "Optimizing
 * intersection-over-union in deep neural networks for image segmentation"). With FP = P - TP and
 * FN = G - TP:
 * <pre>
 *   dL/dTP = -(FP + FN) / D^2,  dL/dFP = dL/dFN = (TP + smooth/2) / D^2,  D = TP + FP + FN + smooth/2
 * </pre>
 * so per pixel dL/dp = (TP + smooth/2 - g (2 TP + FP + FN + smooth)) / D^2, which
 * {@link RegionLoss} carries through the activation. p is the sigmoid (independent channels) or softmax
 * (exclusive classes) of the logits, chosen by the layer's activation; the per-image loss is the
 * (weighted) mean over the counted classes. The IoU is a stricter overlap score than Dice
 * (J = D / (2 - D)); its loss weighs poorly overlapping images more.
 *
 * <p>Parameters (registry name {@code jaccard}): {@code smooth} &gt; 0 (default 1e-5, MONAI's
 * {@code smooth_nr = smooth_dr}) and the {@link RegionOptions} ({@code batch} default false,
 * {@code includeBackground}, {@code classes}, {@code classWeights}, {@code rowsPerExample}).
 * Matches MONAI 1.5 per (batch, class); like MONAI, a class absent from an image counts with the
 * loss its false positives give it (no absent-class masking).
 *
 * @since 0.2.0
 */
public final class JaccardLoss extends RegionLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "jaccard";

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
    public JaccardLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.smooth = parameterValues().getDouble("smooth");
    }

    /**
     * @param smooth  smoothing added to 2I and to 2U, {@code > 0}
     * @param options region options; null for the defaults
     */
    public JaccardLoss(double smooth, RegionOptions options) {
        this(TverskyParameters.withOptions(ParameterSchema.valuesOf("smooth", smooth), options));
    }

    /** A Jaccard loss with MONAI's smoothing (1e-5), per image, every class, one row per example. */
    public JaccardLoss() {
        this(TverskyLoss.DEFAULT_SMOOTH, null);
    }

    /** @return the smoothing term */
    public double getSmooth() {
        return smooth;
    }

    @Override
    protected JaccardLoss withParameters(Map<String, Object> values) {
        return new JaccardLoss(values);
    }

    @Override
    public JaccardLoss withOptions(RegionOptions options) {
        return (JaccardLoss) super.withOptions(options);
    }

    @Override
    public JaccardLoss withRowsPerExample(long rowsPerExample) {
        return (JaccardLoss) super.withRowsPerExample(rowsPerExample);
    }

    @Override
    protected void regionTerms(INDArray tp, INDArray fp, INDArray fn, INDArray loss, INDArray dTp, INDArray dFp,
                               INDArray dFn) {
        // (2I + s) / (2U + s) = (TP + s/2) / (TP + FP + FN + s/2): the Tversky index with alpha = beta = 1
        INDArray iou = TverskyIndex.compute(tp, fp, fn, 1.0, 1.0, smooth / 2, dTp, dFp, dFn);
        loss.assign(iou.rsubi(1.0));
        if (dTp != null) {
            dTp.negi();
            dFp.negi();
            dFn.negi();
        }
    }
}
