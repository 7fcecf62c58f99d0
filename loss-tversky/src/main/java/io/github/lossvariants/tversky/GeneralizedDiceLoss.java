package io.github.lossvariants.tversky;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.region.RegionLoss;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.tversky.internal.TverskyParameters;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Generalized Dice loss (Sudre, Li, Vercauteren, Ourselin &amp; Cardoso 2017, "Generalised Dice
 * overlap as a deep learning loss function for highly unbalanced segmentations", DLMIA), as MONAI's
 * {@code GeneralizedDiceLoss}: one loss per image over all its counted classes c,
 * <pre>
 *   L = 1 - (2 sum_c w_c TP_c + smooth) / (sum_c w_c (P_c + G_c) + smooth)
 *     = sum_c w_c (FP_c + FN_c) / (sum_c w_c (2 TP_c + FP_c + FN_c) + smooth)
 *   TP_c = sum p*g,  P_c = sum p,  G_c = sum g   (over the spatial positions of the image)
 *   w_c = 1 / G_c^2 (square, the paper's and MONAI's default), 1 / G_c (simple) or 1 (uniform)
 * </pre>
 * A class absent from the image (G_c = 0, infinite weight) gets the largest finite weight of that
 * image's counted classes, and 0 when every counted class is absent (loss 0): MONAI's rule. The
 * weights depend on the labels only and are constants in the gradient: with N and D the numerator
 * and denominator above,
 * <pre>
 *   dL/dTP_c = -2 w_c (D - N) / D^2,   dL/dFP_c = dL/dFN_c = w_c N / D^2,
 *   i.e. per pixel dL/dp = w_c (N / D^2 - 2 g / D)
 * </pre>
 * Rare classes weigh as much as common ones, which is the point of the loss for highly unbalanced
 * segmentations. p is the sigmoid (independent channels) or softmax (exclusive classes) of the
 * logits, chosen by the layer's activation.
 *
 * <p>Parameters (registry name {@code generalized-dice}): {@code weightType} ({@code square},
 * {@code simple} or {@code uniform}; default {@code square}), {@code smooth} &gt; 0 (default 1e-5,
 * MONAI's {@code smooth_nr = smooth_dr}), and of the {@link RegionOptions} {@code batch} (false: one
 * loss per image; true: the counts and weights of the whole minibatch, MONAI's {@code batch=True}),
 * {@code includeBackground} and {@code classes} (which channels enter the sums) and
 * {@code rowsPerExample}. Class weights are the loss's own, so {@code classWeights} is not a
 * parameter.
 *
 * @since 0.2.0
 */
public final class GeneralizedDiceLoss extends RegionLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "generalized-dice";

    /** How the class weights follow from the ground-truth count G_c of an image. */
    public enum WeightType {
        /** w_c = 1 / G_c^2 (Sudre et al. 2017; MONAI's default). */
        SQUARE,
        /** w_c = 1 / G_c. */
        SIMPLE,
        /** w_c = 1: the soft Dice of the counts pooled over the classes. */
        UNIFORM;

        /** @return the parameter value, e.g. {@code square} */
        public String parameterValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The parameters: {@code weightType} ({@code square}; square, simple, uniform), {@code smooth}
     * (1e-5; &gt; 0), {@code batch}, {@code includeBackground}, {@code classes}, {@code rowsPerExample}.
     */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofChoice("weightType", "square",
                    "class weight from the image's ground-truth count G: square 1/G^2, simple 1/G, uniform 1",
                    "square", "simple", "uniform"),
            TverskyParameters.SMOOTH)
            .plus(RegionOptions.parameterSpecs().stream()
                    .filter(s -> !s.name().equals(RegionOptions.CLASS_WEIGHTS)).collect(Collectors.toList()));

    private final WeightType weightType;
    private final double smooth;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws LossConfigurationException for an unknown name, an invalid value or inconsistent region
     *                                    options
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public GeneralizedDiceLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.weightType = WeightType.valueOf(parameterValues().getString("weightType").toUpperCase(Locale.ROOT));
        this.smooth = parameterValues().getDouble("smooth");
    }

    /**
     * @param weightType how the class weights follow from the ground-truth counts
     * @param smooth     smoothing, {@code > 0}
     * @param options    region options (no {@code classWeights}); null for the defaults
     * @throws LossConfigurationException for class weights or an invalid value
     */
    public GeneralizedDiceLoss(WeightType weightType, double smooth, RegionOptions options) {
        this(values(weightType, smooth, options));
    }

    /** The paper's loss: square weights, smoothing 1e-5, per image, every class, one row per example. */
    public GeneralizedDiceLoss() {
        this(WeightType.SQUARE, TverskyLoss.DEFAULT_SMOOTH, null);
    }

    private static Map<String, Object> values(WeightType weightType, double smooth, RegionOptions options) {
        if (options != null && options.getClassWeights() != null) {
            throw new LossConfigurationException(NAME + " computes its own class weights from the ground truth;"
                    + " the region option 'classWeights' is not supported (use 'classes' or 'includeBackground' to"
                    + " choose the channels)");
        }
        Map<String, Object> values = new LinkedHashMap<>(ParameterSchema.valuesOf(
                "weightType", weightType.parameterValue(), "smooth", smooth));
        TverskyParameters.withOptions(values, options);
        values.remove(RegionOptions.CLASS_WEIGHTS);
        return values;
    }

    /** @return how the class weights follow from the ground-truth counts */
    public WeightType getWeightType() {
        return weightType;
    }

    /** @return the smoothing term */
    public double getSmooth() {
        return smooth;
    }

    @Override
    protected GeneralizedDiceLoss withParameters(Map<String, Object> values) {
        return new GeneralizedDiceLoss(values);
    }

    @Override
    public GeneralizedDiceLoss withOptions(RegionOptions options) {
        return (GeneralizedDiceLoss) super.withOptions(options);
    }

    @Override
    public GeneralizedDiceLoss withRowsPerExample(long rowsPerExample) {
        return (GeneralizedDiceLoss) super.withRowsPerExample(rowsPerExample);
    }

    /** The counted classes with weight 1: {@link #regionTerms} writes each class's share of the image's loss. */
    @Override
    protected INDArray classReduction(long nClasses, DataType type) {
        return getOptions().countedClasses(NAME, nClasses, type);
    }

    @Override
    protected void regionTerms(INDArray tp, INDArray fp, INDArray fn, INDArray loss, INDArray dTp, INDArray dFp,
                               INDArray dFn) {
        INDArray w = classWeights(tp.add(fn), classReduction(tp.size(1), tp.dataType()));
        INDArray penalty = fp.add(fn).muli(w);                          // w_c (FP_c + FN_c)
        INDArray penaltySum = penalty.sum(true, 1);                     // [G, 1]
        INDArray num = tp.mul(w).sum(true, 1).muli(2.0).addi(smooth);   // 2 sum w TP + smooth
        INDArray den = num.add(penaltySum);                             // sum w (2TP + FP + FN) + smooth
        loss.assign(penalty).diviColumnVector(den);                     // class c's share of 1 - num/den
        if (dTp != null) {
            INDArray invDen2 = den.mul(den).rdivi(1.0);
            dTp.assign(w).muliColumnVector(penaltySum.muli(invDen2).muli(-2.0));
            dFp.assign(w).muliColumnVector(num.muli(invDen2));
            dFn.assign(dFp);
        }
    }

    /**
     * @param groundTruth {@code [G, C]} ground-truth counts G_c (TP + FN), {@code >= 0}
     * @param counted     {@code [1, C]} 1 for the counted classes, 0 for the others
     * @return {@code [G, C]} weights: 1/G^2, 1/G or 1 for counted classes, an absent class (infinite
     * weight) the largest finite weight of its group, 0 for classes that do not count
     */
    private INDArray classWeights(INDArray groundTruth, INDArray counted) {
        if (weightType == WeightType.UNIFORM) {
            return Nd4j.ones(groundTruth.dataType(), groundTruth.shape()).muliRowVector(counted);
        }
        INDArray w = weightType == WeightType.SQUARE ? groundTruth.muli(groundTruth).rdivi(1.0)
                : groundTruth.rdivi(1.0);
        INDArray absent = w.isInfinite().castTo(w.dataType()).muliRowVector(counted);
        BooleanIndexing.replaceWhere(w, 0.0, Conditions.isInfinite());
        w.muliRowVector(counted);
        return w.addi(absent.muliColumnVector(w.max(true, 1)));
    }
}
