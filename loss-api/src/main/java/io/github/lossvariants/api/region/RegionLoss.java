package io.github.lossvariants.api.region;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.dl4j.BaseLoss;
import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import io.github.lossvariants.api.internal.LossInputs;
import io.github.lossvariants.api.internal.Masks;
import io.github.lossvariants.api.internal.TverskyIndex;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

/**
 * Base of region losses (Dice, Tversky, focal Tversky, asymmetric focal Tversky): losses whose
 * value per (example, class) is a function of soft counts summed over all spatial positions of
 * that example, not a sum of per-pixel terms.
 *
 * <h2>What this class does</h2>
 * DL4J's {@code CnnLossLayer} hands a loss {@code [N*H*W, C]} rows, image n owning the
 * {@code R = rowsPerExample} consecutive rows {@code n*R .. n*R+R-1}. This class
 * <ol>
 *   <li>applies the layer's activation: SIGMOID (independent channels, multi-label masks) or
 *       SOFTMAX (exclusive classes over the channels); any other activation is rejected;</li>
 *   <li>sums, per (example, class) (per class over the whole minibatch when {@code batch=true}),
 *       the masked soft counts with ND4J reductions:
 *       TP = sum m*p*g, FP = sum m*p - TP (= sum m*p*(1-g)), FN = sum m*g - TP (= sum m*(1-p)*g),
 *       with m the DL4J mask (per row or per output; 1 without a mask) — so masked pixels
 *       contribute nothing and a fully masked image has TP = FP = FN = 0;</li>
 *   <li>asks the subclass for the loss f(TP, FP, FN) of every group and class and its partial
 *       derivatives ({@link #regionTerms});</li>
 *   <li>reduces classes to the per-example loss sum_c w_c f_c with the normalised weights of
 *       {@link RegionOptions#normalizedWeights} (the mean over counted classes by default), and
 *       spreads it evenly over the example's rows in {@code computeScoreArray}, so that DL4J's
 *       per-example sums ({@code scoreExamples}) and the total are exact;</li>
 *   <li>distributes the gradient back to every pixel: with a = dL/dTP, b = dL/dFP, c = dL/dFN of
 *       its group, dL/dp = m*(b + (a - b - c)*g), then through the activation (sigmoid:
 *       dL/dz = p(1-p) dL/dp; softmax: with h = p*dL/dp, dL/dz = h - p*sum_k h_k).</li>
 * </ol>
 * The gradient is that of the un-averaged sum of the per-example losses (DL4J divides by the
 * minibatch size itself). Inputs are never written.
 *
 * <h2>Masks</h2>
 * With SIGMOID any mask works: per row ({@code [rows, 1]}, i.e. {@code [N, 1, H, W]} behind a
 * {@code CnnLossLayer}) or per output (labels-shaped, e.g. one channel of a pixel); the channels are
 * independent, so masked outputs get exactly zero gradient. With SOFTMAX a per-output mask must be
 * constant within each row (whole pixels; {@link LossInputs#requireRowConstantMask}), and is then
 * used as the per-row mask it equals: softmax couples the channels of a pixel, so masking one
 * channel is ill-defined and no gradient would be right behind both {@code OutputLayer}-style
 * layers (which zero masked pre-activations) and {@code CnnLossLayer}/{@link PerImageLossLayer}
 * (which do not). A masked pixel contributes nothing to the counts and gets exactly zero gradient,
 * the exact derivative under either convention.
 *
 * <h2>How to extend</h2>
 * <ul>
 *   <li>Implement {@link #regionTerms}: given {@code [G, C]} arrays of TP, FP, FN write the loss of
 *       each (group, class) and, when asked, dloss/dTP, dloss/dFP, dloss/dFN. Columns are classes,
 *       so a loss that treats classes differently (e.g. background vs foreground in the asymmetric
 *       focal Tversky loss) works on column views. {@link TverskyIndex} gives TI and its partials.</li>
 *   <li>Optionally add element-wise terms (e.g. the asymmetric focal cross-entropy of the unified
 *       focal loss): override {@link #hasElementTerms()} to return true and implement
 *       {@link #elementTerms}. Their row sums are added to the row scores (scale them yourself, e.g.
 *       by {@code 1/rowsPerExample()} for a mean over pixels); masks are applied here.</li>
 *   <li>Optionally, for true negatives (TN = n - TP - FP - FN): override {@link #needsPositions()} to
 *       return true and the eight-argument {@code regionTerms}, which also receives the number n of
 *       (masked) positions per (group, class).</li>
 *   <li>Declare the schema with the region options appended
 *       ({@code ParameterSchema.of(...).plus(RegionOptions.parameterSpecs())}), a constructor taking
 *       the values by name (see {@link io.github.lossvariants.api.dl4j.ParameterizedLoss}) and
 *       {@link #withParameters} calling it (see the Tversky loss).</li>
 * </ul>
 *
 * <h2>Row grouping</h2>
 * Rows of one example must be consecutive (true for {@code CnnLossLayer} and
 * {@code Cnn3DLossLayer}, NCHW/NCDHW; <b>not</b> for {@code RnnOutputLayer}, whose rows are
 * time-major). When the row count is not a multiple of {@code rowsPerExample} the loss fails with
 * a message naming both.
 *
 * @since 0.1.0
 */
public abstract class RegionLoss extends BaseLoss implements RowGroupedLoss {
    private static final long serialVersionUID = 1L;

    private final RegionOptions options;

    /**
     * @param name   the registry name
     * @param schema the loss's parameters, including the region options it supports (a subset of
     *               {@link RegionOptions#parameterSpecs()})
     * @param values parameter values by name; missing ones take their defaults. The JSON of 0.1.0,
     *               which nested the options in an {@code "options"} object, is read too.
     */
    protected RegionLoss(String name, ParameterSchema schema, Map<String, ?> values) {
        super(name, schema, RegionOptions.flattenLegacyJson(schema, values));
        this.options = RegionOptions.from(parameterValues());
    }

    /** @return the shared region options (part of the parameters) */
    public final RegionOptions getOptions() {
        return options;
    }

    /**
     * @param values complete parameter values by name
     * @return a loss of this class with those parameters (a call of the subclass's constructor)
     */
    protected abstract RegionLoss withParameters(Map<String, Object> values);

    /**
     * @param options new options
     * @return an equal loss with these options
     * @throws LossConfigurationException when this loss does not support an option that differs
     *                                    from its default (e.g. {@code batch} of {@code unified-focal})
     */
    public RegionLoss withOptions(RegionOptions options) {
        return withParameters(options.mergeInto(parameterValues()));
    }

    @Override
    public final long rowsPerExample() {
        return options.getRowsPerExample();
    }

    @Override
    public RegionLoss withRowsPerExample(long rowsPerExample) {
        return rowsPerExample == options.getRowsPerExample() ? this
                : withOptions(options.withRowsPerExample(rowsPerExample));
    }

    /**
     * Computes the loss of every (group, class) from its soft counts, and its partials. All arrays
     * are {@code [G, C]}, G the number of examples (1 when {@code batch=true}); TP, FP, FN are
     * {@code >= 0} and read only. Write every element of {@code loss} (even of classes that do not
     * count: they get weight 0, but must be finite).
     *
     * @param tp   soft true positives
     * @param fp   soft false positives
     * @param fn   soft false negatives
     * @param loss output: loss of each (group, class)
     * @param dTp  output: d loss / d TP, or null when no gradient is wanted
     * @param dFp  output: d loss / d FP, or null when no gradient is wanted
     * @param dFn  output: d loss / d FN, or null when no gradient is wanted
     */
    protected abstract void regionTerms(INDArray tp, INDArray fp, INDArray fn, INDArray loss, INDArray dTp,
                                        INDArray dFp, INDArray dFn);

    /**
     * @return true when the loss needs the number of (masked) positions of each group and class,
     * passed to {@link #regionTerms(INDArray, INDArray, INDArray, INDArray, INDArray, INDArray, INDArray, INDArray)};
     * false by default (the count is then not computed)
     */
    protected boolean needsPositions() {
        return false;
    }

    /**
     * As {@link #regionTerms(INDArray, INDArray, INDArray, INDArray, INDArray, INDArray, INDArray)},
     * also given the number of (masked) positions n of each (group, class), so that
     * TN = n - TP - FP - FN (e.g. the background counts of a single sigmoid foreground channel).
     * n does not depend on the predictions: its derivative is zero. This class calls this method;
     * the default ignores {@code positions} and calls the seven-argument one.
     *
     * @param positions {@code [G, C]} sum of the mask over each group's rows (the row count without a
     *                  mask) when {@link #needsPositions()} is true, else null; read only
     */
    protected void regionTerms(INDArray tp, INDArray fp, INDArray fn, INDArray positions, INDArray loss, INDArray dTp,
                               INDArray dFp, INDArray dFn) {
        regionTerms(tp, fp, fn, loss, dTp, dFp, dFn);
    }

    /** @return true when {@link #elementTerms} adds per-element terms; false by default */
    protected boolean hasElementTerms() {
        return false;
    }

    /**
     * Writes per-element terms added to the region loss (only called when {@link #hasElementTerms()}).
     * All arrays are {@code [rows, C]}; inputs are read only. This class applies the mask to both
     * outputs afterwards, adds each row's sum of {@code loss} to that row's score, and adds
     * {@code grad} to the gradient as described below.
     *
     * @param logits   pre-activations
     * @param probs    sigmoid or softmax of the logits
     * @param logProbs log-softmax of the logits (softmax only; null for sigmoid)
     * @param labels   targets in the logits' data type
     * @param softmax  whether the activation is softmax
     * @param loss     output: each element's loss term
     * @param grad     output, null when no gradient is wanted: for sigmoid d loss / d logit; for
     *                 softmax d loss / d log p (this class applies the softmax Jacobian)
     */
    protected void elementTerms(INDArray logits, INDArray probs, INDArray logProbs, INDArray labels, boolean softmax,
                                INDArray loss, INDArray grad) {
    }

    /** @return a hint shown when the activation is neither sigmoid nor softmax; may be null */
    protected String activationHint() {
        return "Use SIGMOID for independent (multi-label) masks, SOFTMAX for exclusive classes.";
    }

    @Override
    protected final Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                        boolean wantGradient) {
        return evaluate(labels, preOutput, activation, mask, wantGradient, true);
    }

    @Override
    protected final Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                        boolean wantGradient, boolean wantRowScores) {
        String name = registryName();
        LossInputs.checkRows(name, labels, preOutput);
        MaskKind kind = LossInputs.maskKind(name, mask, labels);
        boolean softmax = isSoftmax(name, activation);
        DataType type = preOutput.dataType();
        long rows = preOutput.size(0);
        long nC = preOutput.size(1);
        long r = options.getRowsPerExample();
        if (rows % r != 0) {
            throw new LossConfigurationException(name + ": got " + rows + " rows, which is not a multiple of rowsPerExample = "
                    + r + "; rowsPerExample must equal the spatial size of one example (H*W behind a CnnLossLayer,"
                    + " D*H*W behind a Cnn3DLossLayer): set it with withRowsPerExample(H*W) or the rowsPerExample"
                    + " parameter, or use PerImageLossLayer, which sets it from the input shape");
        }
        long examples = rows / r;
        boolean batch = options.isBatch();
        long groups = batch ? 1 : examples;
        INDArray w = options.normalizedWeights(name, nC, type);
        INDArray y = LossInputs.labelsAs(labels, type);
        INDArray m;
        if (softmax && kind == MaskKind.PER_OUTPUT) {
            // softmax: whole pixels only; then it is a per-row mask
            m = LossInputs.rowConstantMaskAsColumn(name, mask, type);
            kind = MaskKind.PER_EXAMPLE;
        } else {
            m = LossInputs.maskAs(mask, kind, type, rows);
        }

        // probabilities (and log-probabilities only when element terms need them), 'c' order, owned
        INDArray p = Nd4j.createUninitialized(type, rows, nC);
        INDArray logP = null;
        if (softmax) {
            // max-shifted: p = exp(z - max) / S, log p = (z - max) - log S with S >= 1, finite for any
            // finite logits (ND4J's LogSoftMax op returns -inf for logits ~100 apart in float)
            Nd4j.exec(new BroadcastSubOp(preOutput, preOutput.max(true, 1), p, 0));
            if (hasElementTerms()) {
                logP = p.dup('c');
            }
            Nd4j.exec(new Exp(p, p));
            INDArray sum = p.sum(true, 1);
            p.diviColumnVector(sum);
            if (logP != null) {
                logP.subiColumnVector(Transforms.log(sum, false));
            }
        } else {
            Nd4j.exec(new Sigmoid(preOutput, p));
        }

        // soft counts: sum m*p, sum m*g, sum m*p*g (no copies when there is no mask)
        INDArray buf = Nd4j.createUninitialized(type, rows, nC);
        INDArray sumP;
        INDArray sumG;
        if (kind == MaskKind.NONE) {
            sumP = groupSum(p, batch, examples, r, nC);
            sumG = groupSum(y, batch, examples, r, nC);
            Nd4j.exec(new MulOp(p, y, buf));
        } else {
            buf.assign(y);
            applyMask(kind, m, buf);
            sumG = groupSum(buf, batch, examples, r, nC);
            buf.assign(p);
            applyMask(kind, m, buf);
            sumP = groupSum(buf, batch, examples, r, nC);
            buf.muli(y);
        }
        INDArray tp = groupSum(buf, batch, examples, r, nC);
        INDArray fp = Transforms.max(sumP.subi(tp), 0.0, false);
        INDArray fn = Transforms.max(sumG.subi(tp), 0.0, false);

        INDArray loss = Nd4j.createUninitialized(type, groups, nC);
        INDArray dTp = wantGradient ? Nd4j.createUninitialized(type, groups, nC) : null;
        INDArray dFp = wantGradient ? Nd4j.createUninitialized(type, groups, nC) : null;
        INDArray dFn = wantGradient ? Nd4j.createUninitialized(type, groups, nC) : null;
        INDArray positions = null;
        if (needsPositions()) {
            if (kind == MaskKind.NONE) {
                positions = Nd4j.valueArrayOf(new long[]{groups, nC}, (double) (batch ? rows : r), type);
            } else {
                buf.assign(1.0);
                applyMask(kind, m, buf);
                positions = groupSum(buf, batch, examples, r, nC);
            }
        }
        regionTerms(tp, fp, fn, positions, loss, dTp, dFp, dFn);

        // per-group score: weighted mean over classes
        INDArray groupScore = loss.mulRowVector(w).sum(true, 1); // [G, 1]
        INDArray rowScores = null;
        double total = groupScore.sumNumber().doubleValue();
        if (wantRowScores) {
            if (batch) {
                rowScores = Nd4j.valueArrayOf(new long[]{rows, 1}, groupScore.getDouble(0) / rows, type);
            } else {
                rowScores = Nd4j.zeros(type, examples, r).addiColumnVector(groupScore.divi(r)).reshape('c', rows, 1);
            }
        }

        INDArray elemGrad = null;
        if (hasElementTerms()) {
            INDArray elemLoss = Nd4j.createUninitialized(type, rows, nC);
            elemGrad = wantGradient ? Nd4j.createUninitialized(type, rows, nC) : null;
            elementTerms(preOutput, p, logP, y, softmax, elemLoss, elemGrad);
            applyMask(kind, m, elemLoss);
            if (elemGrad != null) {
                applyMask(kind, m, elemGrad);
            }
            if (rowScores != null) {
                rowScores.addi(elemLoss.sum(true, 1));
            } else {
                total += elemLoss.sumNumber().doubleValue();
            }
        }

        INDArray grad = null;
        if (wantGradient) {
            // A = w*(dTp - dFp - dFn), B = w*dFp, per group and class
            INDArray a = dTp.subi(dFp).subi(dFn).muliRowVector(w);
            INDArray b = dFp.muliRowVector(w);
            // h = m * p * (B + A*g) = dL/dlog p ; reuse buf
            if (batch) {
                Nd4j.exec(new BroadcastMulOp(y, a, buf, 1));
                buf.addiRowVector(b);
            } else if (nC == 1) {
                // one channel: [examples, r] rows and column vectors (a broadcast over dimensions
                // 0 and 2 of [examples, r, 1] walks memory with stride r and is several times slower)
                INDArray b2 = buf.reshape('c', examples, r);
                Nd4j.exec(new BroadcastMulOp(y.reshape('c', examples, r), a.reshape(examples), b2, 0));
                Nd4j.exec(new BroadcastAddOp(b2, b.reshape(examples), b2, 0));
            } else {
                INDArray b3 = buf.reshape('c', examples, r, nC);
                Nd4j.exec(new BroadcastMulOp(y.reshape('c', examples, r, nC), a, b3, 0, 2));
                Nd4j.exec(new BroadcastAddOp(b3, b, b3, 0, 2));
            }
            applyMask(kind, m, buf);
            if (softmax) {
                buf.muli(p);
                if (elemGrad != null) {
                    buf.addi(elemGrad);
                }
                // no zeroing afterwards: the mask is per row here, so a masked row has h = 0 and gets
                // 0 - p * 0 = 0 exactly (and a fractional weight stays linear)
                INDArray hSum = buf.sum(true, 1);
                grad = buf.subi(p.muliColumnVector(hSum));
            } else {
                // dL/dz = h * p * (1 - p)
                grad = buf.muli(Nd4j.exec(new TimesOneMinus(p, p)));
                if (elemGrad != null) {
                    grad.addi(elemGrad);
                }
            }
        }
        return rowScores == null ? Evaluation.ofTotal(total, grad, examples) : new Evaluation(rowScores, grad, examples);
    }

    /** Sums {@code [rows, C]} to {@code [G, C]}: per consecutive block of {@code r} rows, or over all rows. */
    private static INDArray groupSum(INDArray x, boolean batch, long examples, long r, long nC) {
        if (batch) {
            return x.sum(true, 0);
        }
        if (nC == 1) {
            return x.reshape('c', examples, r).sum(true, 1);
        }
        return x.reshape('c', examples, r, nC).sum(1);
    }

    private static void applyMask(MaskKind kind, INDArray m, INDArray target) {
        if (kind == MaskKind.PER_EXAMPLE) {
            target.muliColumnVector(m);
        } else if (kind == MaskKind.PER_OUTPUT) {
            target.muli(m);
        }
    }

    private boolean isSoftmax(String name, IActivation activation) {
        if (activation instanceof ActivationSoftmax) {
            return true;
        }
        if (activation instanceof ActivationSigmoid) {
            return false;
        }
        throw new LossConfigurationException(name + " needs the layer's activation to be SIGMOID (independent channels)"
                + " or SOFTMAX (exclusive classes); got " + LossInputs.describe(activation) + ". " + activationHint());
    }
}
