package io.github.lossvariants.longtail;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.BaseLoss;
import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.internal.LossInputs;
import io.github.lossvariants.api.internal.ScratchWorkspace;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Two-way multi-label loss (registry name {@code two-way}) from Kobayashi, "Two-way Multi-Label
 * Loss", CVPR 2023: a softplus of a smooth maximum over hard negatives plus a smooth maximum over
 * hard positives, taken both across the examples of each class and across the classes of each
 * example. It reads the raw logits and couples the whole minibatch.
 *
 * <p>For logits x [N, C] and labels y (positive where y &gt; 0, negative where y = 0), with
 * LSE the log-sum-exp and the reference's soft masking (an entry outside the set gets -100 added
 * inside the LSE, not -infinity, so it still counts at logits of about 100 T):
 * <pre>
 *   A(S) = tn * LSE_{(i,c) in S} (x_ic / tn - 100 [y_ic &gt; 0])      (hard negatives)
 *   B(S) = tp * LSE_{(i,c) in S} (-x_ic / tp - 100 [y_ic = 0])    (hard positives)
 *   L    = mean_{c with a positive} softplus(A(column c) + B(column c))
 *        + mean_{i with a positive} softplus(A(row i) + B(row i))
 *   dL/dx_ic = sum over the two groups G of (i, c) counted: sigmoid(A(G) + B(G)) / |groups| *
 *              (softmax_G(x / tn - 100 [y &gt; 0])_ic - softmax_G(-x / tp - 100 [y = 0])_ic)
 * </pre>
 * (the reference: tk1980/TwoWayMultiLabelLoss {@code TwoWayLoss}). A minibatch without any positive
 * label has loss 0 (the reference's means over empty sets are NaN).
 *
 * <p><b>Each example's share.</b> L is a property of the whole minibatch, not a sum of per-example
 * terms, but DL4J adds up per-example scores ({@code computeScoreArray}, {@code scoreExamples}) and
 * divides by the minibatch size. Each example (row) is given an equal share, L / (number of rows
 * with an unmasked output), as a batch-pooled region loss spreads its value; rows with every
 * output masked get 0. So {@code computeScore(average=false)} is L (what the reference returns),
 * {@code computeScore(average=true)} is L / N, what DL4J's layers report as the score, and the
 * gradient is dL/dx, which DL4J divides by N like every gradient (with Adam the constant 1/N does
 * not matter; with SGD multiply the learning rate by N to take the reference's step). A share is
 * not the loss of that example alone: scores of single examples are not meaningful for this loss.
 *
 * <p><b>Masks</b> must hold only 0 and 1 (a fractional weight has no meaning for a smooth maximum
 * over the minibatch): a masked output is removed from every LSE and from the groups it would make
 * counted, as if it were not in the minibatch; a per-row mask removes the row's outputs. So masked
 * outputs get exactly 0 gradient, and their labels and logits change nothing.
 *
 * <p>Parameters: {@code tp} &gt; 0, default 4 (temperature of the positives), {@code tn} &gt; 0,
 * default 1 (of the negatives), the paper's defaults. Use with an {@code IDENTITY} output activation
 * (the network outputs the logits, as the reference's) or {@code SIGMOID} (the network outputs
 * sigmoid(x), e.g. for thresholding at 0.5); the loss is the same function of the logits either way.
 * Instances are immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class TwoWayLoss extends BaseLoss {
    private static final long serialVersionUID = 1L;

    /** The registry name. */
    public static final String NAME = "two-way";

    /** The parameters: {@code tp} (4; &gt; 0), {@code tn} (1; &gt; 0). */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("tp", 4.0, "temperature of the smooth maximum over positives").greaterThan(0),
            ParameterSpec.ofDouble("tn", 1.0, "temperature of the smooth maximum over negatives").greaterThan(0));

    /** The reference's stand-in for minus infinity inside the LSE. */
    static final double OUTSIDE = -100.0;
    /** A masked output sits this far below every unmasked value, so that exp underflows to exactly 0. */
    private static final double MASKED_GAP = 1000.0;

    private final double tp;
    private final double tn;

    /**
     * @param parameters values by name: {@code tp}, {@code tn}
     * @throws LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public TwoWayLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.tp = parameterValues().getDouble("tp");
        this.tn = parameterValues().getDouble("tn");
    }

    /**
     * @param tp temperature of the positives, &gt; 0
     * @param tn temperature of the negatives, &gt; 0
     */
    public TwoWayLoss(double tp, double tn) {
        this(ParameterSchema.valuesOf("tp", tp, "tn", tn));
    }

    /** @return the paper's setting, tp 4 and tn 1 (the registry defaults) */
    public static TwoWayLoss defaults() {
        return new TwoWayLoss(4.0, 1.0);
    }

    /** @return tp */
    public double getTp() {
        return tp;
    }

    /** @return tn */
    public double getTn() {
        return tn;
    }

    @Override
    protected Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                  boolean gradient) {
        return evaluate(labels, preOutput, activation, mask, gradient, true);
    }

    @Override
    protected Evaluation evaluate(INDArray labels, INDArray x, IActivation activation, INDArray mask,
                                  boolean gradient, boolean rowScores) {
        LossInputs.checkRows(NAME, labels, x);
        MaskKind kind = LossInputs.maskKind(NAME, mask, labels);
        if (!(activation instanceof ActivationIdentity) && !(activation instanceof ActivationSigmoid)) {
            throw new LossConfigurationException(NAME + " is defined on the raw logits and needs the layer's activation"
                    + " to be IDENTITY (the network outputs the logits, as the reference) or SIGMOID (it outputs"
                    + " sigmoid(logits)); got " + LossInputs.describe(activation) + ". For a softmax over exclusive"
                    + " classes use balanced-softmax or ldam.");
        }
        DataType type = x.dataType();
        long n = x.size(0);
        long[] shape = x.shape();
        INDArray y = LossInputs.labelsAs(labels, type);
        INDArray m = outputMask(kind, mask, type, shape);

        // positives [y > 0] and the soft-masked arguments of the two LSEs
        INDArray pos = Nd4j.exec(new Step(y, Nd4j.createUninitialized(type, shape), 0.0));
        INDArray neg = pos.rsub(1.0);
        INDArray argN = x.div(tn).addi(pos.mul(OUTSIDE));
        INDArray argP = x.div(-tp).addi(neg.muli(OUTSIDE));
        INDArray counted = pos;
        INDArray activeRows = null;
        if (m != null) {
            // masked outputs leave the minibatch: far below every unmasked value, exp(.) = 0 exactly
            double low = Math.min(argN.minNumber().doubleValue(), argP.minNumber().doubleValue()) - MASKED_GAP;
            INDArray lowWhereMasked = m.rsub(1.0).muli(low);
            argN.muli(m).addi(lowWhereMasked);
            argP.muli(m).addi(lowWhereMasked);
            counted = pos.muli(m);
            activeRows = m.max(true, 1);
        }
        INDArray countedClasses = counted.max(true, 0); // [1, C]: 1 where the class has a positive
        INDArray countedRows = counted.max(true, 1);    // [N, 1]: 1 where the example has a positive
        double classes = countedClasses.sumNumber().doubleValue();
        double examples = countedRows.sumNumber().doubleValue();

        SmoothMax negCols = SmoothMax.of(argN, 0, tn, gradient);
        SmoothMax posCols = SmoothMax.of(argP, 0, tp, gradient);
        SmoothMax negRows = SmoothMax.of(argN, 1, tn, gradient);
        SmoothMax posRows = SmoothMax.of(argP, 1, tp, gradient);
        INDArray u = negCols.value.addi(posCols.value); // [1, C]
        INDArray v = negRows.value.addi(posRows.value); // [N, 1]
        double total = 0;
        if (classes > 0) {
            total += softplus(u).muli(countedClasses).sumNumber().doubleValue() / classes;
        }
        if (examples > 0) {
            total += softplus(v).muli(countedRows).sumNumber().doubleValue() / examples;
        }

        INDArray grad = null;
        if (gradient) {
            grad = ScratchWorkspace.resultArray(type, shape);
            grad.assign(0.0);
            if (classes > 0) {
                INDArray coef = Transforms.sigmoid(u, true).muli(countedClasses).divi(classes);
                grad.addi(negCols.softmax.subi(posCols.softmax).muliRowVector(coef));
            }
            if (examples > 0) {
                INDArray coef = Transforms.sigmoid(v, true).muli(countedRows).divi(examples);
                grad.addi(negRows.softmax.subi(posRows.softmax).muliColumnVector(coef));
            }
        }
        if (!rowScores) {
            return Evaluation.ofTotal(total, grad, n);
        }
        INDArray shares;
        if (activeRows == null) {
            shares = Nd4j.valueArrayOf(new long[]{n, 1}, total / n, type);
        } else {
            double active = activeRows.sumNumber().doubleValue();
            shares = active > 0 ? activeRows.muli(total / active) : activeRows.assign(0.0);
        }
        return new Evaluation(shares, grad, n);
    }

    /** The mask as a 0/1 {@code [rows, C]} array (a per-row mask broadcast over the outputs), or null. */
    private static INDArray outputMask(MaskKind kind, INDArray mask, DataType type, long[] shape) {
        if (kind == MaskKind.NONE) {
            return null;
        }
        INDArray m = LossInputs.maskAs(mask, kind, type, shape[0]);
        if (!LossInputs.isBinary(m)) {
            throw new LossConfigurationException(NAME + ": mask values must be 0 or 1 (an output is either in the"
                    + " minibatch or not: this loss takes smooth maxima over the whole minibatch, where a fractional"
                    + " weight has no meaning); found values from " + m.minNumber() + " to " + m.maxNumber());
        }
        return kind == MaskKind.PER_EXAMPLE ? Nd4j.zeros(type, shape).addiColumnVector(m) : m;
    }

    /** softplus(a) = max(a, 0) + log1p(exp(-|a|)), a new array. */
    private static INDArray softplus(INDArray a) {
        INDArray tail = Transforms.log1p(Transforms.exp(Transforms.abs(a, true).negi(), false), false);
        return Transforms.relu(a, true).addi(tail);
    }

    /** T * LSE of a over one dimension (a max-shifted sum), and the softmax along it when asked for. */
    private static final class SmoothMax {
        private final INDArray value;
        private final INDArray softmax;

        private SmoothMax(INDArray value, INDArray softmax) {
            this.value = value;
            this.softmax = softmax;
        }

        static SmoothMax of(INDArray a, int dimension, double temperature, boolean wantSoftmax) {
            INDArray max = a.max(true, dimension);
            INDArray e = dimension == 0 ? a.subRowVector(max) : a.subColumnVector(max);
            Transforms.exp(e, false);
            INDArray sum = e.sum(true, dimension);
            INDArray value = Transforms.log(sum, true).addi(max).muli(temperature);
            if (!wantSoftmax) {
                return new SmoothMax(value, null);
            }
            return new SmoothMax(value, dimension == 0 ? e.diviRowVector(sum) : e.diviColumnVector(sum));
        }
    }
}
