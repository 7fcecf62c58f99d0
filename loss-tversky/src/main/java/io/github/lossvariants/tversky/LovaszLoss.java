package io.github.lossvariants.tversky;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.BaseLoss;
import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import io.github.lossvariants.api.internal.LossInputs;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.tversky.internal.SortedRanks;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Lovász losses (Berman, Rannen Triki &amp; Blaschko 2018, "The Lovász-Softmax loss: a tractable
 * surrogate for the optimization of the intersection-over-union measure in neural networks", CVPR),
 * as segmentation_models.pytorch's {@code LovaszLoss}: the Lovász extension of the Jaccard loss
 * 1 - IoU, a convex piecewise-linear surrogate that is exact on hard predictions.
 *
 * <h2>Formula</h2>
 * For one list of n positions (one class of one image, or of the whole minibatch with
 * {@code perImage=false}) with errors e_i &gt;= 0 and 0/1 labels g_i, sort the errors decreasingly,
 * e_(1) &gt;= ... &gt;= e_(n), and let G = sum g, c_k the positives among the first k:
 * <pre>
 *   J_k = 1 - (G - c_k) / (G + k - c_k) = k / (G + k - c_k)      (J_0 = 0)
 *   loss = sum_k e_(k) (J_k - J_(k-1))
 * </pre>
 * The sort permutation is a constant in the gradient, so dloss/de_(k) = J_k - J_(k-1) (almost
 * everywhere; at ties of errors any order is a valid subgradient).
 * <ul>
 *   <li>{@code mode=multiclass} (Lovász-Softmax): p = softmax(z) over the channels, e_i = |g_i - p_i|
 *       per class; the image's loss is the mean over the classes present in it (G &gt; 0), 0 when none
 *       is. Gradient dloss/dp_i = (J_k - J_(k-1)) (1 - 2 g_i), then through the softmax Jacobian.
 *       Labels one-hot. Activation SOFTMAX.</li>
 *   <li>{@code mode=binary} (Lovász hinge): on the raw logits z, e_i = relu(1 - z_i (2 g_i - 1)) per
 *       channel; the image's loss is the mean over its channels (one channel: the image's loss).
 *       Gradient dloss/dz_i = -(2 g_i - 1) (J_k - J_(k-1)) where e_i &gt; 0, else 0. Labels 0/1.
 *       The loss reads the pre-activations, not the layer's output, so the activation only decides
 *       what the network outputs for prediction: SIGMOID (probabilities, the natural choice) or
 *       IDENTITY (logits; threshold 0).</li>
 * </ul>
 *
 * <h2>Parameters</h2>
 * Registry name {@code lovasz}: {@code mode} ({@code multiclass} or {@code binary}; default
 * {@code multiclass}), {@code perImage} (true: one loss per image, the mean of which DL4J reports;
 * false: one list per class over the whole minibatch, smp's default), {@code rowsPerExample}
 * (&gt;= 1; H*W behind a {@code CnnLossLayer}, set by {@code PerImageLossLayer}). A list may hold
 * at most 2^21 positions (the sort's keys carry the indices, see {@link SortedRanks}).
 *
 * <h2>DL4J contract</h2>
 * {@code computeScoreArray} spreads each image's loss evenly over its rows; with
 * {@code perImage=false} the minibatch's loss is spread evenly over the rows with an unmasked output
 * (fully masked rows get 0), so score = sum of the per-row values, {@code computeScore(average=false)}
 * is smp's value for {@code per_image=False} and DL4J's score (divided by the number of images) is
 * smp's value for {@code per_image=True}. Masks leave positions out (smp's {@code ignore_index}): a
 * masked position is not sorted, counts in no G and gets gradient 0; mask values must be 0 or 1
 * (a fractional weight has no meaning inside the sort). With SOFTMAX a per-output mask must mask
 * whole pixels. Results are finite at logits of +-1e4 (HALF computed in FLOAT).
 *
 * <h2>Differences from smp</h2>
 * smp's binary mode flattens every channel of an image into one list; here each channel is its own
 * list and the channels are averaged (the same for one channel). Soft labels are rejected (the
 * Lovász extension is defined for a discrete ground truth).
 *
 * @since 0.2.0
 */
public final class LovaszLoss extends BaseLoss implements RowGroupedLoss {
    private static final long serialVersionUID = 1L;
    /** Registry name. */
    public static final String NAME = "lovasz";

    /** Which Lovász loss. */
    public enum Mode {
        /** Lovász-Softmax on softmax probabilities, mean over the classes present. */
        MULTICLASS,
        /** Lovász hinge on the raw logits, mean over the channels. */
        BINARY;

        /** @return the parameter value, e.g. {@code binary} */
        public String parameterValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The parameters: {@code mode} ({@code multiclass}; multiclass, binary), {@code perImage} (true),
     * {@code rowsPerExample} (1; &gt;= 1).
     */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofChoice("mode", "multiclass",
                    "multiclass: Lovasz-Softmax (SOFTMAX, mean over present classes); binary: Lovasz hinge on the"
                            + " logits (SIGMOID or IDENTITY, mean over channels)", "multiclass", "binary"),
            ParameterSpec.ofBoolean("perImage", true,
                    "true: one loss per image; false: one sorted list per class over the whole minibatch"),
            RegionOptions.parameterSpecs().stream().filter(s -> s.name().equals(RegionOptions.ROWS_PER_EXAMPLE))
                    .findFirst().orElseThrow());

    private final Mode mode;
    private final boolean perImage;
    private final long rowsPerExample;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public LovaszLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.mode = Mode.valueOf(parameterValues().getString("mode").toUpperCase(Locale.ROOT));
        this.perImage = parameterValues().getBoolean("perImage");
        this.rowsPerExample = parameterValues().getInt(RegionOptions.ROWS_PER_EXAMPLE);
    }

    /**
     * @param mode           multiclass (Lovász-Softmax) or binary (Lovász hinge)
     * @param perImage       one loss per image (true) or one per minibatch
     * @param rowsPerExample H*W of the images, {@code >= 1}
     */
    public LovaszLoss(Mode mode, boolean perImage, long rowsPerExample) {
        this(ParameterSchema.valuesOf("mode", mode.parameterValue(), "perImage", perImage,
                RegionOptions.ROWS_PER_EXAMPLE, rowsPerExample));
    }

    /** Lovász-Softmax per image, one row per example. */
    public LovaszLoss() {
        this(Mode.MULTICLASS, true, 1);
    }

    /** @return multiclass (Lovász-Softmax) or binary (Lovász hinge) */
    public Mode getMode() {
        return mode;
    }

    /** @return whether each image is its own loss */
    public boolean isPerImage() {
        return perImage;
    }

    @Override
    public long rowsPerExample() {
        return rowsPerExample;
    }

    @Override
    public LovaszLoss withRowsPerExample(long rows) {
        return rows == rowsPerExample ? this : new LovaszLoss(parametersWith(RegionOptions.ROWS_PER_EXAMPLE, rows));
    }

    @Override
    protected Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                  boolean wantGradient) {
        return evaluate(labels, preOutput, activation, mask, wantGradient, true);
    }

    @Override
    protected Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                  boolean wantGradient, boolean wantRowScores) {
        Pass pass = new Pass(labels, preOutput, activation, mask);
        INDArray errors = pass.errors(preOutput);
        Lists lists = pass.lists(errors);
        INDArray groupLoss = lists.loss.mul(lists.weights).reshape('c', pass.groups, pass.nC).sum(true, 1);
        double total = groupLoss.sumNumber().doubleValue();
        INDArray grad = wantGradient ? pass.gradient(lists) : null;
        return wantRowScores ? new Evaluation(pass.rowScores(groupLoss), grad, pass.examples)
                : Evaluation.ofTotal(total, grad, pass.examples);
    }

    /** The sorted-list quantities: per-element J_k - J_(k-1), the list's loss and its weight in the group. */
    private static final class Lists {
        final INDArray jaccardStep;
        final INDArray errors;
        final INDArray loss;
        final INDArray weights;

        Lists(INDArray jaccardStep, INDArray errors, INDArray loss, INDArray weights) {
            this.jaccardStep = jaccardStep;
            this.errors = errors;
            this.loss = loss;
            this.weights = weights;
        }
    }

    /** One evaluation: the checked inputs, the grouping into lists, the probabilities (multiclass). */
    private final class Pass {
        final String name = NAME + "(mode=" + mode.parameterValue() + ")";
        final DataType type;
        final long rows;
        final long nC;
        final long examples;
        final long groups;
        final long length;
        final INDArray y;
        final MaskKind kind;
        final INDArray m;
        INDArray p;

        Pass(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
            LossInputs.checkRows(name, labels, preOutput);
            MaskKind maskKind = LossInputs.maskKind(name, mask, labels);
            checkActivation(activation);
            type = preOutput.dataType();
            rows = preOutput.size(0);
            nC = preOutput.size(1);
            examples = LossInputs.examples(name, rows, rowsPerExample);
            groups = perImage ? examples : 1;
            length = rows / groups;
            if (length > SortedRanks.MAX_LIST_LENGTH) {
                throw new LossConfigurationException(name + ": sorts " + length + " positions per class"
                        + (perImage ? " (one image)" : " (the whole minibatch, perImage=false)") + ", more than the "
                        + SortedRanks.MAX_LIST_LENGTH + " its sort keys can index; use "
                        + (perImage ? "smaller images" : "perImage=true or smaller minibatches"));
            }
            y = LossInputs.labelsAs(labels, type);
            checkLabels();
            if (mode == Mode.MULTICLASS && maskKind == MaskKind.PER_OUTPUT) {
                m = LossInputs.rowConstantMaskAsColumn(name, mask, type);
                kind = MaskKind.PER_EXAMPLE;
            } else {
                m = LossInputs.maskAs(mask, maskKind, type, rows);
                kind = maskKind;
            }
            if (m != null && !LossInputs.isBinary(m)) {
                throw new LossConfigurationException(name + ": mask values must be 0 (position left out, as smp's"
                        + " ignore_index) or 1; got values from " + m.minNumber() + " to " + m.maxNumber()
                        + ". A fractional weight has no meaning inside the sorted Jaccard extension");
            }
        }

        private void checkActivation(IActivation activation) {
            if (mode == Mode.MULTICLASS) {
                if (!(activation instanceof ActivationSoftmax)) {
                    throw new LossConfigurationException(name + " is the Lovasz-Softmax loss and needs the layer's"
                            + " activation to be SOFTMAX; got " + LossInputs.describe(activation) + ". For independent"
                            + " (binary or multi-label) masks use lovasz(mode=binary) with SIGMOID or IDENTITY");
                }
            } else if (!(activation instanceof ActivationSigmoid || activation instanceof ActivationIdentity)) {
                throw new LossConfigurationException(name + " is the Lovasz hinge on the raw logits and needs the"
                        + " layer's activation to be SIGMOID (the network then outputs probabilities) or IDENTITY"
                        + " (it outputs logits); got " + LossInputs.describe(activation) + ". For exclusive classes"
                        + " use lovasz(mode=multiclass) with SOFTMAX");
            }
        }

        private void checkLabels() {
            if (mode == Mode.MULTICLASS) {
                if (nC < 2) {
                    throw new LossConfigurationException(name + " needs at least 2 channels (a softmax over one"
                            + " channel is constant); for one foreground channel use lovasz(mode=binary)");
                }
                // the Lovasz extension is defined for a discrete ground truth
                LossInputs.requireOneHot(name, y);
            } else if (!LossInputs.isBinary(y)) {
                long row = BooleanIndexing.firstIndex(Nd4j.exec(new TimesOneMinus(y, y.ulike())).max(1),
                        Conditions.greaterThan(0.0)).getLong(0);
                throw new LossConfigurationException(name + " needs hard labels, each 0 or 1 (one-hot or multi-hot"
                        + " rows; soft targets are not defined for the Lovasz extension of a discrete ground truth);"
                        + " row " + row + " is " + Arrays.toString(y.getRow(row).castTo(DataType.DOUBLE).toDoubleVector()));
            }
        }

        /** e = |g - p| (multiclass) or 1 - z (2g - 1) (binary, before the relu), masked positions 0. */
        INDArray errors(INDArray preOutput) {
            INDArray e = Nd4j.createUninitialized(type, rows, nC);
            if (mode == Mode.MULTICLASS) {
                p = Nd4j.createUninitialized(type, rows, nC);
                Nd4j.exec(new BroadcastSubOp(preOutput, preOutput.max(true, 1), p, 0));
                Nd4j.exec(new Exp(p, p));
                p.diviColumnVector(p.sum(true, 1));
                Transforms.abs(e.assign(y).subi(p), false);
            } else {
                // 1 - z (2g - 1)
                e.assign(y).muli(2.0).subi(1.0).muli(preOutput).rsubi(1.0);
            }
            mask(e);
            return e;
        }

        /** Sorts every (group, class) list and computes J_k - J_(k-1), each list's loss and weight. */
        Lists lists(INDArray errors) {
            INDArray e = toLists(errors);
            INDArray g = y;
            if (kind != MaskKind.NONE) {
                g = y.dup();
                mask(g);
            }
            g = toLists(g);
            SortedRanks ranks = SortedRanks.of(e, g);
            INDArray positives = g.sum(true, 1);                                          // G, [T, 1]
            // union before the element: G + (rank - positivesBefore) negatives sorted before it
            INDArray unionBefore = ranks.rank.sub(ranks.positivesBefore).addiColumnVector(positives);
            // J_k = k / (G + k - c_k) with k = rank + 1, c_k = positivesBefore + g; J_(k-1) = rank / unionBefore
            INDArray step = ranks.rank.add(1.0).divi(unionBefore.add(1.0).subi(g));
            step.subi(ranks.rank.divi(Transforms.max(unionBefore, 1.0, false)));
            Transforms.max(e, 0.0, false);                                                 // relu (binary)
            INDArray loss = e.mul(step).sum(true, 1);                                      // [T, 1]
            INDArray weights;
            if (mode == Mode.MULTICLASS) {
                // mean over the classes present in the group
                INDArray present = Transforms.step(positives, true).reshape('c', groups, nC);
                INDArray count = Transforms.max(present.sum(true, 1), 1.0, false);
                weights = present.diviColumnVector(count).reshape('c', groups * nC, 1);
            } else {
                weights = Nd4j.valueArrayOf(new long[]{groups * nC, 1}, 1.0 / nC, DataType.DOUBLE);
            }
            return new Lists(step, e, loss, weights);
        }

        /** dL/dz: dL/de = w (J_k - J_(k-1)) per element, then through e and the activation. */
        INDArray gradient(Lists lists) {
            INDArray dE = lists.jaccardStep.muliColumnVector(lists.weights);
            if (mode == Mode.BINARY) {
                dE.muli(Transforms.step(lists.errors, false));                            // relu'
            }
            INDArray grad = fromLists(dE);
            // de/dz (binary) and de/dp (multiclass, |g - p| with g in {0, 1}) are both 1 - 2g
            grad.muli(y.mul(-2.0).addi(1.0));
            if (mode == Mode.BINARY) {
                return grad;
            }
            mask(grad);
            INDArray h = grad.muli(p);
            INDArray hSum = h.sum(true, 1);
            return h.subi(p.muliColumnVector(hSum));
        }

        /** Each group's loss spread over its rows; one group (perImage=false) over the rows with an unmasked output. */
        INDArray rowScores(INDArray groupLoss) {
            INDArray loss = groupLoss.castTo(type);
            if (perImage) {
                return Nd4j.zeros(type, examples, rowsPerExample).addiColumnVector(loss.divi(rowsPerExample))
                        .reshape('c', rows, 1);
            }
            if (kind == MaskKind.NONE) {
                return Nd4j.valueArrayOf(new long[]{rows, 1}, loss.getDouble(0) / rows, type);
            }
            INDArray counted = Transforms.step(kind == MaskKind.PER_EXAMPLE ? m : m.max(true, 1), true);
            double countedRows = counted.sumNumber().doubleValue();
            return countedRows == 0 ? counted : counted.muli(loss.getDouble(0) / countedRows);
        }

        /** {@code [rows, C]} to {@code [groups * C, length]} DOUBLE: one row per (group, class) list. */
        INDArray toLists(INDArray a) {
            INDArray lists = Nd4j.createUninitialized(DataType.DOUBLE, groups, nC, length);
            lists.assign(a.reshape('c', groups, length, nC).permute(0, 2, 1));
            return lists.reshape('c', groups * nC, length);
        }

        /** Inverse of {@link #toLists}, in the computation type. */
        INDArray fromLists(INDArray lists) {
            INDArray a = Nd4j.createUninitialized(type, groups, length, nC);
            a.assign(lists.reshape('c', groups, nC, length).permute(0, 2, 1));
            return a.reshape('c', rows, nC);
        }

        void mask(INDArray target) {
            if (kind == MaskKind.PER_EXAMPLE) {
                target.muliColumnVector(m);
            } else if (kind == MaskKind.PER_OUTPUT) {
                target.muli(m);
            }
        }
    }
}
