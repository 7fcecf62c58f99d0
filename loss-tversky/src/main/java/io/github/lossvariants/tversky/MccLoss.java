package io.github.lossvariants.tversky;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.region.RegionLoss;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.tversky.internal.TverskyParameters;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Matthews correlation coefficient loss, as segmentation_models.pytorch's {@code MCCLoss}
 * (Abhishek &amp; Hamarneh 2021, "Matthews correlation coefficient loss for deep convolutional
 * networks: application to skin lesion segmentation", ISBI), per (image, class):
 * <pre>
 *   L = 1 - (TP' TN' - FP' FN') / sqrt((TP' + FP') (TP' + FN') (TN' + FP') (TN' + FN'))
 *   TP' = TP + eps, ...,  TP = sum p*g,  FP = sum p*(1-g),  FN = sum (1-p)*g,  TN = sum (1-p)*(1-g)
 * </pre>
 * over the spatial positions of one image (of the whole minibatch with {@code batch=true}), then the
 * (weighted) mean over the counted classes. Unlike Dice and IoU, MCC counts the true negatives, so
 * an image whose prediction is all background scores 1 (a loss of 1), not 0; L lies in [0, 2].
 *
 * <p>Gradient: with P = TP + FP (predicted positives) and G = TP + FN (labels only), A = P + 2 eps,
 * B = G + 2 eps, C = n - G + 2 eps, D = n - P + 2 eps (n positions), the numerator is
 * (TP + eps)(n + 4 eps) - A B and the denominator S = sqrt(A B C D), so with M = 1 - L
 * <pre>
 *   dM/dTP = (n + 4 eps) / S,   dM/dP = -B / S - M (1/A - 1/D) / 2
 * </pre>
 * and per pixel dL/dp = -(dM/dTP g + dM/dP), carried through the activation by {@link RegionLoss}.
 * The derivatives with respect to FN (through G, a constant of the labels) are written too.
 *
 * <p>Parameters (registry name {@code mcc}): {@code eps} &gt; 0 (default 1e-5, added to each soft
 * count as smp does; keeps the loss finite when a count is 0) and the {@link RegionOptions}:
 * {@code batch} (false: per image; true: one loss over the whole minibatch, smp's form),
 * {@code includeBackground}, {@code classes}, {@code classWeights}, {@code rowsPerExample}.
 *
 * <p>Differences from smp: smp flattens every channel of the minibatch into one set of counts; this
 * loss counts per class and averages the classes (the same for one channel, and for two softmax
 * channels the MCC of each class is the same number). A group without any unmasked position (a
 * fully masked image) scores 0 instead of 1, so masked images add nothing.
 * With {@code batch=true} the minibatch's loss is spread evenly over the rows that have an unmasked
 * output: {@code computeScore(average=false)} is smp's value, {@code computeScore(average=true)} and
 * DL4J's network score that value divided by the number of examples.
 *
 * @since 0.2.0
 */
public final class MccLoss extends RegionLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "mcc";
    /** Default {@code eps}, smp's. */
    public static final double DEFAULT_EPS = 1e-5;

    /** The parameters: {@code eps} (1e-5; &gt; 0) and the {@link RegionOptions}. */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("eps", DEFAULT_EPS,
                    "added to each soft count TP, TN, FP, FN; keeps the coefficient finite").greaterThan(0))
            .plus(RegionOptions.parameterSpecs());

    private final double eps;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name, an invalid
     *                                                              value or inconsistent region options
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public MccLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.eps = parameterValues().getDouble("eps");
    }

    /**
     * @param eps     added to each soft count, {@code > 0}
     * @param options region options; null for the defaults
     */
    public MccLoss(double eps, RegionOptions options) {
        this(TverskyParameters.withOptions(ParameterSchema.valuesOf("eps", eps), options));
    }

    /** smp's default: eps 1e-5, here per image, every class, one row per example. */
    public MccLoss() {
        this(DEFAULT_EPS, null);
    }

    /** @return the term added to each soft count */
    public double getEps() {
        return eps;
    }

    @Override
    protected MccLoss withParameters(Map<String, Object> values) {
        return new MccLoss(values);
    }

    @Override
    public MccLoss withOptions(RegionOptions options) {
        return (MccLoss) super.withOptions(options);
    }

    @Override
    public MccLoss withRowsPerExample(long rowsPerExample) {
        return (MccLoss) super.withRowsPerExample(rowsPerExample);
    }

    @Override
    protected boolean needsPositions() {
        return true;
    }

    @Override
    protected void regionTerms(INDArray tp, INDArray fp, INDArray fn, INDArray loss, INDArray dTp, INDArray dFp,
                               INDArray dFn) {
        throw new IllegalStateException("mcc needs the position counts (needsPositions)");
    }

    @Override
    protected void regionTerms(INDArray tp, INDArray fp, INDArray fn, INDArray positions, INDArray loss, INDArray dTp,
                               INDArray dFp, INDArray dFn) {
        INDArray tpE = tp.add(eps);
        INDArray fpE = fp.add(eps);
        INDArray fnE = fn.add(eps);
        // TN = n - TP - FP - FN >= 0
        INDArray tnE = Transforms.max(positions.sub(tp).subi(fp).subi(fn), 0.0, false).addi(eps);
        INDArray a = tpE.add(fp).addi(eps);          // A = P + 2 eps
        INDArray b = tpE.add(fn).addi(eps);          // B = G + 2 eps
        INDArray c = tnE.add(fp).addi(eps);          // C = n - G + 2 eps
        INDArray d = tnE.add(fn).addi(eps);          // D = n - P + 2 eps
        // S = sqrt(A) sqrt(B) sqrt(C) sqrt(D): the product of four counts would overflow FLOAT for large
        // images (and underflow for a tiny eps)
        INDArray s = Transforms.sqrt(a, true).muli(Transforms.sqrt(b, true)).muli(Transforms.sqrt(c, true))
                .muli(Transforms.sqrt(d, true));
        INDArray mcc = tpE.mul(tnE).subi(fpE.mul(fnE)).divi(s);
        // a group without unmasked positions adds nothing (its counts are all 0: MCC would be 0, loss 1)
        INDArray nonEmpty = Transforms.step(positions, true);
        loss.assign(mcc.rsub(1.0)).muli(nonEmpty);
        if (dTp == null) {
            return;
        }
        // F = -M: F_TP = -(n + 4 eps)/S, F_P = B/S + M (1/A - 1/D)/2, F_G = A/S + M (1/B - 1/C)/2
        INDArray invS = s.rdivi(1.0).muli(nonEmpty);
        INDArray halfM = mcc.muli(0.5).muli(nonEmpty);
        INDArray fTp = positions.add(4 * eps).muli(invS).negi();
        INDArray fP = b.mul(invS).addi(a.rdiv(1.0).subi(d.rdiv(1.0)).muli(halfM));
        INDArray fG = a.mul(invS).addi(b.rdivi(1.0).subi(c.rdivi(1.0)).muli(halfM));
        // L(TP, FP, FN) = F(TP, P = TP + FP, G = TP + FN)
        dFp.assign(fP);
        dFn.assign(fG);
        dTp.assign(fTp).addi(fP).addi(fG);
    }
}
