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
 *   <li>reduces classes to the per-example loss sum_c w_c f_c with the weights of
 *       {@link #classReduction} (by default the normalised weights of
 *       {@link RegionOptions#normalizedWeights}: the mean over counted classes), and spreads it
 *       evenly over the example's rows in {@code computeScoreArray}, so that DL4J's per-example sums
 *       ({@code scoreExamples}) and the total are exact. With {@code batch=true} the one loss of the
 *       minibatch is spread evenly over the rows that have an unmasked output; fully masked rows
 *       get 0, as a masked row does everywhere else;</li>
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
 *   <li>Optionally, for a loss that couples the classes of a group (generalized Dice: one ratio of
 *       sums over the classes), override {@link #classReduction} to return 1 for the counted classes
 *       and 0 for the others; {@link #regionTerms} then writes each counted class's share of the
 *       group's loss (the shares summing to it) and the partial derivatives of the group's loss with
 *       respect to that class's TP, FP and FN.</li>
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

    /**
     * The weights that reduce the per-class losses of a group to the group's loss,
     * {@code L = sum_c w_c loss_c}; the gradient uses the same weights. By default the normalised
     * weights of the options ({@link RegionOptions#normalizedWeights}): the (weighted) mean over the
     * counted classes.
     *
     * <p>A loss that couples the classes of a group overrides this to return 1 for every counted
     * class and 0 for the others ({@link RegionOptions#countedClasses}); its {@link #regionTerms} then
     * writes, for each counted class c, c's share of the group's loss (the shares summing to it) and
     * the partial derivatives of the whole group's loss with respect to c's counts.
     *
     * @param nClasses the number of output channels
     * @param type     the data type of the result
     * @return a {@code [1, nClasses]} row
     * @throws LossConfigurationException when the options do not fit {@code nClasses}
     */
    protected INDArray classReduction(long nClasses, DataType type) {
        return options.normalizedWeights(registryName(), nClasses, type);
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
        Pass pass = new Pass(labels, preOutput, activation, mask);
        INDArray weights = classReduction(pass.nC, pass.type);
        pass.probabilities(preOutput);
        Counts counts = pass.counts();
        INDArray loss = Nd4j.createUninitialized(pass.type, pass.groups, pass.nC);
        Partials partials = wantGradient ? new Partials(pass.type, pass.groups, pass.nC) : null;
        regionTerms(counts.tp, counts.fp, counts.fn, counts.positions, loss, partials == null ? null : partials.dTp,
                partials == null ? null : partials.dFp, partials == null ? null : partials.dFn);
        // per-group score: weighted mean over classes, [G, 1]
        INDArray groupScore = loss.mulRowVector(weights).sum(true, 1);
        double total = groupScore.sumNumber().doubleValue();
        INDArray rowScores = wantRowScores ? pass.rowScores(groupScore) : null;
        INDArray elementGrad = null;
        if (hasElementTerms()) {
            INDArray elementLoss = Nd4j.createUninitialized(pass.type, pass.rows, pass.nC);
            elementGrad = wantGradient ? Nd4j.createUninitialized(pass.type, pass.rows, pass.nC) : null;
            elementTerms(preOutput, pass.p, pass.logP, pass.y, pass.softmax, elementLoss, elementGrad);
            pass.mask(elementLoss);
            pass.mask(elementGrad);
            if (rowScores != null) {
                rowScores.addi(elementLoss.sum(true, 1));
            } else {
                total += elementLoss.sumNumber().doubleValue();
            }
        }
        INDArray grad = partials == null ? null : pass.gradient(partials, weights, elementGrad);
        return rowScores == null ? Evaluation.ofTotal(total, grad, pass.examples)
                : new Evaluation(rowScores, grad, pass.examples);
    }

    /** Soft counts per (group, class), {@code [G, C]}; positions only when {@link #needsPositions()}. */
    private static final class Counts {
        final INDArray tp;
        final INDArray fp;
        final INDArray fn;
        final INDArray positions;

        Counts(INDArray tp, INDArray fp, INDArray fn, INDArray positions) {
            this.tp = tp;
            this.fp = fp;
            this.fn = fn;
            this.positions = positions;
        }
    }

    /** The subclass's partial derivatives d loss / d TP, FP, FN per (group, class), {@code [G, C]}. */
    private static final class Partials {
        final INDArray dTp;
        final INDArray dFp;
        final INDArray dFn;

        Partials(DataType type, long groups, long nC) {
            dTp = Nd4j.createUninitialized(type, groups, nC);
            dFp = Nd4j.createUninitialized(type, groups, nC);
            dFn = Nd4j.createUninitialized(type, groups, nC);
        }
    }

    /**
     * One evaluation: the checked inputs, the row grouping, the probabilities, and one
     * {@code [rows, C]} work array that holds, in turn, the masked labels and probabilities whose
     * sums are the counts, then m*p*g (TP), then h = dL/d(log p) for the gradient.
     */
    private final class Pass {
        final String name = registryName();
        final DataType type;
        final long rows;
        final long nC;
        final long rowsPerGroup = options.getRowsPerExample();
        final long examples;
        final boolean batch = options.isBatch();
        final long groups;
        final boolean softmax;
        final INDArray y;
        final MaskKind kind;
        final INDArray m;
        final INDArray work;
        INDArray p;
        INDArray logP;

        Pass(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
            LossInputs.checkRows(name, labels, preOutput);
            MaskKind maskKind = LossInputs.maskKind(name, mask, labels);
            softmax = isSoftmax(name, activation);
            type = preOutput.dataType();
            rows = preOutput.size(0);
            nC = preOutput.size(1);
            examples = LossInputs.examples(name, rows, rowsPerGroup);
            groups = batch ? 1 : examples;
            y = LossInputs.labelsAs(labels, type);
            if (softmax && maskKind == MaskKind.PER_OUTPUT) {
                // softmax: whole pixels only; then it is a per-row mask
                m = LossInputs.rowConstantMaskAsColumn(name, mask, type);
                kind = MaskKind.PER_EXAMPLE;
            } else {
                m = LossInputs.maskAs(mask, maskKind, type, rows);
                kind = maskKind;
            }
            work = Nd4j.createUninitialized(type, rows, nC);
        }

        /** p (and log p only when element terms need it), 'c' order, owned. */
        void probabilities(INDArray preOutput) {
            p = Nd4j.createUninitialized(type, rows, nC);
            if (!softmax) {
                Nd4j.exec(new Sigmoid(preOutput, p));
                return;
            }
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
        }

        /** TP = sum m*p*g, FP = sum m*p - TP, FN = sum m*g - TP (no copies when there is no mask). */
        Counts counts() {
            INDArray sumP;
            INDArray sumG;
            if (kind == MaskKind.NONE) {
                sumP = groupSum(p);
                sumG = groupSum(y);
                Nd4j.exec(new MulOp(p, y, work));
            } else {
                mask(work.assign(y));
                sumG = groupSum(work);
                mask(work.assign(p));
                sumP = groupSum(work);
                work.muli(y);
            }
            INDArray tp = groupSum(work);
            INDArray fp = Transforms.max(sumP.subi(tp), 0.0, false);
            INDArray fn = Transforms.max(sumG.subi(tp), 0.0, false);
            INDArray positions = null;
            if (needsPositions()) {
                if (kind == MaskKind.NONE) {
                    positions = Nd4j.valueArrayOf(new long[]{groups, nC}, (double) (batch ? rows : rowsPerGroup), type);
                } else {
                    mask(work.assign(1.0));
                    positions = groupSum(work);
                }
            }
            return new Counts(tp, fp, fn, positions);
        }

        /**
         * Each group's score spread evenly over its rows, {@code [rows, 1]}; with {@code batch=true}
         * over the rows that have an unmasked output (fully masked rows get 0).
         */
        INDArray rowScores(INDArray groupScore) {
            if (batch) {
                if (kind == MaskKind.NONE) {
                    return Nd4j.valueArrayOf(new long[]{rows, 1}, groupScore.getDouble(0) / rows, type);
                }
                INDArray counted = Transforms.step(kind == MaskKind.PER_EXAMPLE ? m : m.max(true, 1), true);
                double countedRows = counted.sumNumber().doubleValue();
                return countedRows == 0 ? counted : counted.muli(groupScore.getDouble(0) / countedRows);
            }
            return Nd4j.zeros(type, examples, rowsPerGroup).addiColumnVector(groupScore.divi(rowsPerGroup))
                    .reshape('c', rows, 1);
        }

        /**
         * dL/dz from the partials: with a = w (dTp - dFp - dFn) and b = w dFp of a pixel's group,
         * h = m p (b + a g) = dL/d(log p), then through the activation.
         */
        INDArray gradient(Partials d, INDArray weights, INDArray elementGrad) {
            INDArray a = d.dTp.subi(d.dFp).subi(d.dFn).muliRowVector(weights);
            INDArray b = d.dFp.muliRowVector(weights);
            INDArray h = work;
            if (batch) {
                Nd4j.exec(new BroadcastMulOp(y, a, h, 1));
                h.addiRowVector(b);
            } else if (nC == 1) {
                // one channel: [examples, r] rows and column vectors (a broadcast over dimensions
                // 0 and 2 of [examples, r, 1] walks memory with stride r and is several times slower)
                INDArray h2 = h.reshape('c', examples, rowsPerGroup);
                Nd4j.exec(new BroadcastMulOp(y.reshape('c', examples, rowsPerGroup), a.reshape(examples), h2, 0));
                Nd4j.exec(new BroadcastAddOp(h2, b.reshape(examples), h2, 0));
            } else {
                INDArray h3 = h.reshape('c', examples, rowsPerGroup, nC);
                Nd4j.exec(new BroadcastMulOp(y.reshape('c', examples, rowsPerGroup, nC), a, h3, 0, 2));
                Nd4j.exec(new BroadcastAddOp(h3, b, h3, 0, 2));
            }
            mask(h);
            if (softmax) {
                h.muli(p);
                if (elementGrad != null) {
                    h.addi(elementGrad);
                }
                // no zeroing afterwards: the mask is per row here, so a masked row has h = 0 and gets
                // 0 - p * 0 = 0 exactly (and a fractional weight stays linear)
                INDArray hSum = h.sum(true, 1);
                return h.subi(p.muliColumnVector(hSum));
            }
            // dL/dz = h * p * (1 - p)
            INDArray grad = h.muli(Nd4j.exec(new TimesOneMinus(p, p)));
            return elementGrad == null ? grad : grad.addi(elementGrad);
        }

        /** Sums {@code [rows, C]} to {@code [G, C]}: per consecutive block of rows, or over all rows. */
        INDArray groupSum(INDArray x) {
            if (batch) {
                return x.sum(true, 0);
            }
            if (nC == 1) {
                return x.reshape('c', examples, rowsPerGroup).sum(true, 1);
            }
            return x.reshape('c', examples, rowsPerGroup, nC).sum(1);
        }

        /** Multiplies the target in place by the mask; null targets and no mask leave it as it is. */
        void mask(INDArray target) {
            if (target == null || kind == MaskKind.NONE) {
                return;
            }
            if (kind == MaskKind.PER_EXAMPLE) {
                target.muliColumnVector(m);
            } else {
                target.muli(m);
            }
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
