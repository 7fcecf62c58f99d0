package io.github.lossvariants.asymmetric;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.internal.TverskyIndex;
import io.github.lossvariants.api.region.RegionLoss;
import io.github.lossvariants.api.region.RegionOptions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Asymmetric unified focal loss for binary segmentation with a rare foreground, registry name
 * {@code unified-focal}: Yeung, Sala, Schönlieb, Rundo, "Unified Focal loss: Generalising Dice and
 * cross entropy-based losses to handle class imbalanced medical image segmentation", Computerized
 * Medical Imaging and Graphics 95 (2022) 102026, following the authors' code
 * ({@code asym_unified_focal_loss} in mlyg/unified-focal-loss).
 *
 * <h2>Formula</h2>
 * Per image n with R = H&middot;W positions i, background probability p<sub>0</sub>, foreground
 * probability p<sub>1</sub>, labels g<sub>0</sub>, g<sub>1</sub>, &lambda; = {@code weight},
 * &delta; = {@code delta}, &gamma; = {@code gamma}:
 * <pre>
 *   L_n  = &lambda; &middot; AFTL_n + (1 &minus; &lambda;) &middot; AFL_n
 *   AFL_n  = (1/R) &Sigma;_i [ (1&minus;&delta;) (1 &minus; p0_i)^&gamma; (&minus;g0_i log p0_i) + &delta; (&minus;g1_i log p1_i) ]
 *   AFTL_n = ( (1 &minus; TI_0) + (1 &minus; TI_1)^(1&minus;&gamma;) ) / 2
 *   TI_c   = (TP_c + s) / (TP_c + &delta; FN_c + (1&minus;&delta;) FP_c + s),   s = 1e-7
 *   TP_c = &Sigma;_i p_c g_c,  FP_c = &Sigma;_i p_c (1 &minus; g_c),  FN_c = &Sigma;_i (1 &minus; p_c) g_c   (sums over image n)
 * </pre>
 * So the background is focally suppressed in the cross-entropy and the foreground is focally
 * enhanced in the Tversky term; &delta; weights false negatives (and the foreground CE), 1 &minus; &delta;
 * false positives (and the background CE). This is mlyg's {@code asym_unified_focal_loss(weight,
 * delta, gamma)} = {@code weight*AFTL + (1-weight)*AFL}. <b>MONAI differs:</b> its
 * {@code AsymmetricUnifiedFocalLoss} returns {@code weight*AFL + (1-weight)*AFTL} (the weights of the
 * two terms swapped) with &delta; = 0.7; equal at &lambda; = 0.5 only if &delta; also agrees.
 *
 * <h2>Input convention in DL4J</h2>
 * Use it behind a {@code CnnLossLayer} (or {@code PerImageLossLayer}) with either
 * <ul>
 *   <li><b>SOFTMAX over 2 channels</b>: channel 0 background, channel 1 foreground, one-hot labels
 *       (the paper's convention); or</li>
 *   <li><b>SIGMOID on 1 channel</b>: the channel is the foreground, p<sub>0</sub> = 1 &minus;
 *       p<sub>1</sub>, g<sub>0</sub> = 1 &minus; g<sub>1</sub>; the background counts follow as TP_0 = TN
 *       = R &minus; TP &minus; FP &minus; FN, FP_0 = FN, FN_0 = FP.</li>
 * </ul>
 * Any other activation or channel count is rejected with a message. Probabilities come from the
 * logits in log space (log-softmax, log-sigmoid); unlike mlyg's code they are not clipped to
 * [1e-7, 1 &minus; 1e-7], so the loss differs from it by at most about 1e-7 per position except for
 * saturated wrong predictions, where mlyg's clip caps the cross-entropy at 16.1 and ours keeps
 * growing with a finite gradient.
 *
 * <h2>Reduction and DL4J</h2>
 * {@code rowsPerExample} must be H&middot;W ({@code PerImageLossLayer} sets it from the input). The
 * score of image n is L_n, spread evenly over its rows in {@code computeScoreArray} so that
 * {@code scoreExamples} returns L_n; DL4J divides the sum over images by N, which gives mlyg's
 * value (its means run over batch and pixels for AFL, over batch and the two classes for AFTL).
 * Masks (per row, or per output: any for the single sigmoid channel; with softmax equal across both
 * channels of a pixel, i.e. whole pixels, a mask that differs between them being rejected with a
 * {@code LossConfigurationException} because softmax couples the channels): masked positions count nothing in TP/FP/FN and add 0 to the AFL sum, whose divisor stays R. A fully
 * masked image or one with an empty foreground gives TI = 1 (loss term 0) and a finite gradient:
 * the derivative of (1 &minus; TI)^(1&minus;&gamma;) is evaluated at max(1 &minus; TI, 1e-6).
 *
 * <h2>Parameters</h2>
 * {@code weight} &lambda; in [0, 1] (default 0.5), {@code delta} in [0, 1] (default 0.6),
 * {@code gamma} in [0, 1] (default 0.5), {@code rowsPerExample} &ge; 1 (default 1). The other region
 * options (class subsets, class weights, batch pooling) do not apply and are rejected.
 *
 * @since 0.1.0
 */
public final class UnifiedFocalLoss extends RegionLoss {
    private static final long serialVersionUID = 1L;

    /** Registry name. */
    public static final String NAME = "unified-focal";
    /** Default {@code weight} (&lambda;). */
    public static final double DEFAULT_WEIGHT = 0.5;
    /** Default {@code delta}. */
    public static final double DEFAULT_DELTA = 0.6;
    /** Default {@code gamma}. */
    public static final double DEFAULT_GAMMA = 0.5;
    /** Smoothing in the Tversky index (mlyg's {@code K.epsilon()}). */
    public static final double SMOOTH = 1e-7;
    /** Lower bound of 1 - TI where the gradient evaluates (1 - TI)^(-gamma). */
    public static final double GRADIENT_FLOOR = 1e-6;

    /**
     * The parameters: {@code weight} (0.5; [0, 1]), {@code delta} (0.6; [0, 1]), {@code gamma}
     * (0.5; [0, 1]) and, of the {@link RegionOptions}, only {@code rowsPerExample} (1; &ge; 1).
     */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("weight", DEFAULT_WEIGHT, "lambda: L = weight*AFTL + (1-weight)*AFL").between(0, 1),
            ParameterSpec.ofDouble("delta", DEFAULT_DELTA,
                    "weight of the foreground / of false negatives; 1-delta for background / false positives")
                    .between(0, 1),
            ParameterSpec.ofDouble("gamma", DEFAULT_GAMMA,
                    "focal parameter: background CE weight (1-p_bg)^gamma, foreground Tversky (1-TI)^(1-gamma)")
                    .between(0, 1),
            RegionOptions.parameterSpecs().stream().filter(s -> s.name().equals(RegionOptions.ROWS_PER_EXAMPLE))
                    .findFirst().orElseThrow());

    private final double weight;
    private final double delta;
    private final double gamma;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults. The JSON
     *                   of 0.1.0 nested {@code rowsPerExample} in an {@code "options"} object with the
     *                   other region options at their defaults; it restores to the same loss.
     * @throws LossConfigurationException for an unknown name (e.g. a region option other than
     *                                    {@code rowsPerExample}) or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public UnifiedFocalLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.weight = parameterValues().getDouble("weight");
        this.delta = parameterValues().getDouble("delta");
        this.gamma = parameterValues().getDouble("gamma");
    }

    /** The paper's defaults: weight 0.5, delta 0.6, gamma 0.5, one row per example. */
    public UnifiedFocalLoss() {
        this(DEFAULT_WEIGHT, DEFAULT_DELTA, DEFAULT_GAMMA, null);
    }

    /**
     * @param weight  &lambda; in [0, 1]: weight of the focal Tversky term
     * @param delta   in [0, 1]: weight of the foreground and of false negatives
     * @param gamma   in [0, 1]: focal parameter
     * @param options region options; only {@code rowsPerExample} may differ from the defaults; null for the defaults
     * @throws LossConfigurationException for an out-of-range value or an unsupported option
     */
    public UnifiedFocalLoss(double weight, double delta, double gamma, RegionOptions options) {
        this(ParameterSchema.valuesOf("weight", weight, "delta", delta, "gamma", gamma,
                RegionOptions.ROWS_PER_EXAMPLE, checkOptions(options).getRowsPerExample()));
    }

    /**
     * @param weight         &lambda; in [0, 1]
     * @param delta          in [0, 1]
     * @param gamma          in [0, 1]
     * @param rowsPerExample H*W of the images, &ge; 1
     * @return the loss
     */
    public static UnifiedFocalLoss of(double weight, double delta, double gamma, long rowsPerExample) {
        return new UnifiedFocalLoss(weight, delta, gamma, RegionOptions.defaults().withRowsPerExample(rowsPerExample));
    }

    private static RegionOptions checkOptions(RegionOptions o) {
        if (o == null) {
            return RegionOptions.defaults();
        }
        if (o.isBatch() || !o.isIncludeBackground() || o.getClasses() != null || o.getClassWeights() != null) {
            throw new LossConfigurationException("unified-focal: region options " + o + " are not supported; it"
                    + " always scores each image with its background and foreground channel, so only "
                    + RegionOptions.ROWS_PER_EXAMPLE + " may be set (batch=false, includeBackground=true, no classes,"
                    + " no classWeights)");
        }
        return o;
    }

    /** @return &lambda;, the weight of the focal Tversky term */
    public double getWeight() {
        return weight;
    }

    /** @return &delta;, the weight of the foreground and of false negatives */
    public double getDelta() {
        return delta;
    }

    /** @return &gamma;, the focal parameter */
    public double getGamma() {
        return gamma;
    }

    @Override
    protected UnifiedFocalLoss withParameters(Map<String, Object> values) {
        return new UnifiedFocalLoss(values);
    }

    /**
     * @param options new options; only {@code rowsPerExample} may differ from the defaults
     * @return an equal loss with these options
     * @throws LossConfigurationException for any other option
     */
    @Override
    public UnifiedFocalLoss withOptions(RegionOptions options) {
        return (UnifiedFocalLoss) super.withOptions(checkOptions(options));
    }

    @Override
    public UnifiedFocalLoss withRowsPerExample(long rowsPerExample) {
        return (UnifiedFocalLoss) super.withRowsPerExample(rowsPerExample);
    }

    @Override
    protected String activationHint() {
        return "Use SOFTMAX over 2 channels (background, foreground) or SIGMOID on 1 foreground channel.";
    }

    @Override
    protected boolean needsPositions() {
        return true;
    }

    @Override
    protected boolean hasElementTerms() {
        return true;
    }

    @Override
    protected void regionTerms(INDArray tp, INDArray fp, INDArray fn, INDArray loss, INDArray dTp, INDArray dFp,
                               INDArray dFn) {
        regionTerms(tp, fp, fn, null, loss, dTp, dFp, dFn);
    }

    @Override
    protected void regionTerms(INDArray tp, INDArray fp, INDArray fn, INDArray positions, INDArray loss, INDArray dTp,
                               INDArray dFp, INDArray dFn) {
        long nC = tp.size(1);
        boolean grad = dTp != null;
        double e = 1.0 - gamma;
        if (nC == 2) {
            // softmax: channel 0 background (1 - TI), channel 1 foreground (1 - TI)^(1 - gamma);
            // the base averages the two columns (weights 1/2 each)
            INDArray ti = TverskyIndex.compute(tp, fp, fn, 1.0 - delta, delta, SMOOTH, dTp, dFp, dFn);
            INDArray base = Transforms.max(ti.rsubi(1.0), 0.0, false);
            loss.assign(Transforms.pow(base, e, true));
            column(loss, 0).assign(column(base, 0));
            loss.muli(weight);
            if (grad) {
                INDArray dTi = Transforms.pow(Transforms.max(base, GRADIENT_FLOOR, false), -gamma, false).muli(-weight * e);
                column(dTi, 0).assign(-weight);
                dTp.muli(dTi);
                dFp.muli(dTi);
                dFn.muli(dTi);
            }
            return;
        }
        if (nC != 1) {
            throw channelError(nC, null);
        }
        if (positions == null) {
            throw new IllegalStateException("unified-focal needs the position counts for a single sigmoid channel");
        }
        // sigmoid foreground channel: background counts TP0 = TN, FP0 = FN, FN0 = FP
        INDArray tn = Transforms.max(positions.sub(tp).subi(fp).subi(fn), 0.0, false);
        INDArray dTn = grad ? tn.ulike() : null;
        INDArray dFp0 = grad ? tn.ulike() : null; // dTI0/dFP0 = dTI0/dFN
        INDArray dFn0 = grad ? tn.ulike() : null; // dTI0/dFN0 = dTI0/dFP
        INDArray ti0 = TverskyIndex.compute(tn, fn, fp, 1.0 - delta, delta, SMOOTH, dTn, dFp0, dFn0);
        INDArray ti1 = TverskyIndex.compute(tp, fp, fn, 1.0 - delta, delta, SMOOTH, dTp, dFp, dFn);
        INDArray base0 = Transforms.max(ti0.rsubi(1.0), 0.0, false);
        INDArray base1 = Transforms.max(ti1.rsubi(1.0), 0.0, false);
        loss.assign(Transforms.pow(base1, e, true).addi(base0).muli(0.5 * weight));
        if (grad) {
            // L = w/2 (base0 + base1^e); dL/dTI1 = -w/2 e max(base1, floor)^(-gamma), dL/dTI0 = -w/2
            INDArray m1 = Transforms.pow(Transforms.max(base1, GRADIENT_FLOOR, false), -gamma, false)
                    .muli(-0.5 * weight * e);
            double m0 = -0.5 * weight;
            // TN = n - TP - FP - FN: dTI0/dTP = -dTn, dTI0/dFP = dFn0 - dTn, dTI0/dFN = dFp0 - dTn
            dTp.muli(m1).subi(dTn.mul(m0));
            dFp.muli(m1).addi(dFn0.subi(dTn).muli(m0));
            dFn.muli(m1).addi(dFp0.subi(dTn).muli(m0));
        }
    }

    @Override
    protected void elementTerms(INDArray logits, INDArray probs, INDArray logProbs, INDArray labels, boolean softmax,
                                INDArray loss, INDArray grad) {
        long nC = logits.size(1);
        if (softmax != (nC == 2) || nC > 2) {
            throw channelError(nC, softmax);
        }
        double c = (1.0 - weight) / rowsPerExample();
        // Both conventions reduce to d = z_fg - z_bg (softmax over 2 channels is a sigmoid of the
        // difference), computed on contiguous [rows] arrays: p1 = sigmoid(d), p0 = sigmoid(-d)
        INDArray d;
        INDArray g0;
        INDArray g1;
        if (softmax) {
            d = column(logits, 1).sub(column(logits, 0));
            g0 = column(labels, 0).dup();
            g1 = column(labels, 1).dup();
        } else {
            d = logits;
            g1 = labels;
            g0 = labels.rsub(1.0);
        }
        // log p1 = min(d,0) - log1p(exp(-|d|)), log p0 = -max(d,0) - log1p(exp(-|d|))
        INDArray l1 = Transforms.abs(d, true).negi();
        Transforms.exp(l1, false);
        Transforms.log1p(l1, false);
        INDArray lp1 = Transforms.min(d, 0.0, true).subi(l1);
        INDArray lp0 = Transforms.max(d, 0.0, true).addi(l1).negi();
        INDArray p1 = Transforms.exp(lp1, true);
        INDArray focal = Transforms.pow(p1, gamma, true); // (1 - p0)^gamma
        // background c (1-delta) (1-p0)^gamma (-g0 log p0); foreground c delta (-g1 log p1)
        INDArray lossBg = focal.mul(g0).muli(lp0).muli(-(1.0 - delta) * c);
        INDArray lossFg = g1.mul(lp1).muli(-delta * c);
        INDArray h0 = null;
        INDArray h1 = null;
        INDArray p0 = null;
        if (grad != null) {
            // d/dlog p0 of -(1-p0)^g g0 log p0 = g0 (1-p0)^g (g p0 log p0 / (1-p0) - 1), |log p0| / (1-p0) bounded;
            // d/dlog p1 of -g1 log p1 = -g1
            double tiny = logits.dataType() == DataType.DOUBLE ? 1e-300 : 1e-37;
            p0 = Transforms.exp(lp0, true);
            h0 = lp0.divi(Transforms.max(p1, tiny, true)).muli(p0).muli(gamma).subi(1.0)
                    .muli(focal).muli(g0).muli((1.0 - delta) * c);
            h1 = g1.mul(-delta * c);
        }
        if (softmax) {
            column(loss, 0).assign(lossBg);
            column(loss, 1).assign(lossFg);
            if (grad != null) {
                column(grad, 0).assign(h0);
                column(grad, 1).assign(h1);
            }
        } else {
            loss.assign(lossBg.addi(lossFg));
            if (grad != null) {
                // dlog p0/dz = -p1, dlog p1/dz = p0
                grad.assign(h1.muli(p0).subi(h0.muli(p1)));
            }
        }
    }

    private static INDArray column(INDArray a, long c) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.point(c));
    }

    private static LossConfigurationException channelError(long nC, Boolean softmax) {
        return new LossConfigurationException("unified-focal is a binary segmentation loss: it needs SOFTMAX over 2"
                + " channels (background, foreground) or SIGMOID on 1 foreground channel; got " + nC + " channel(s)"
                + (softmax == null ? "" : " with " + (softmax ? "SOFTMAX" : "SIGMOID")));
    }
}
