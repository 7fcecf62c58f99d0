package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.internal.LossInputs;
import io.github.lossvariants.api.internal.Masks;
import io.github.lossvariants.api.internal.ScratchWorkspace;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

/**
 * Base of losses on softmax outputs (exclusive classes over dimension 1). This class computes
 * log p = log-softmax(z) (max-shifted: finite for any finite logits) and p once; a subclass
 * writes each element's loss term l_ik (whose row sum is the example's loss) and
 * h_ik = dL_i/d(log p_ik). The chain rule through the softmax is then done here for every subclass:
 * <pre>  dL/dz_ij = h_ij - p_ij * sum_k h_ik</pre>
 * A mask multiplies l and h of each row before that step. A per-output (labels-shaped) mask must
 * be constant within each row ({@link LossInputs#requireRowConstantMask}; a mask that differs within
 * a row is rejected, because softmax couples the classes of a row) and is then used as the
 * equivalent per-row mask. A masked row has h = 0 and so exactly zero gradient, which is both the
 * exact derivative of the masked score (what {@code CnnLossLayer} needs) and the zero that
 * {@code OutputLayer} needs (it zeroes the masked pre-activations and uses the gradient unmasked).
 *
 * @since 0.1.0
 */
public abstract class SoftmaxElementwiseLoss extends BaseLoss {
    private static final long serialVersionUID = 1L;

    /**
     * @param name   the registry name
     * @param schema the loss's parameters
     * @param values parameter values by name; missing ones take their defaults
     * @see ParameterizedLoss#ParameterizedLoss(String, ParameterSchema, Map)
     */
    protected SoftmaxElementwiseLoss(String name, ParameterSchema schema, Map<String, ?> values) {
        super(name, schema, values);
    }

    /**
     * Writes per-element loss terms and their derivatives with respect to log p. All arrays have
     * the same {@code [rows, classes]} shape and data type.
     *
     * @param logProbs log-softmax of the logits; read only
     * @param probs    softmax of the logits; read only
     * @param labels   targets (one-hot or soft), read only
     * @param loss     output: loss terms; each row sums to that example's loss
     * @param dLogProb output: dL/d(log p); null when no gradient is wanted
     */
    protected abstract void computeTerms(INDArray logProbs, INDArray probs, INDArray labels, INDArray loss,
                                         INDArray dLogProb);

    /**
     * Whether, for a one-hot label row, this loss depends on the target class t only: l_ik = 0 and
     * h_ik = 0 for every k != t. Such a loss also implements {@link #computeTargetTerms}, and when
     * every label row is one-hot (or all zero: padding) the per-element terms are skipped:
     * log p_t = (z_t - max) - log sum_k exp(z_k - max) is formed per row, and the gradient is
     * <pre>  dL/dz_ij = h_it * (y_ij - p_ij)</pre>
     * (the general chain rule with a single non-zero h per row), written in three passes. The
     * default is false.
     *
     * @return true when {@link #computeTargetTerms} is implemented
     */
    protected boolean hasTargetForm() {
        return false;
    }

    /**
     * The terms of {@link #computeTerms} at the target class of one-hot rows: writes each row's
     * loss l_it and h_it = dL_i/d(log p_it). Called only when {@link #hasTargetForm()} is true and
     * every label row is one-hot or all zero (rows that are all zero and masked rows are zeroed
     * afterwards, whatever is written for them). A loss whose rows also depend on one other class
     * (dual focal's runner-up) declares it with {@link TargetRows#setSecondClass}. Losses defined
     * only for one-hot labels extend {@link OneHotSoftmaxLoss}.
     *
     * @param rows    the per-row inputs; read only
     * @param rowLoss output: l_it, {@code [rows, 1]}
     * @param dLogPt  output: h_it, {@code [rows, 1]}; null when no gradient is wanted
     */
    protected void computeTargetTerms(TargetRows rows, INDArray rowLoss, INDArray dLogPt) {
        throw new UnsupportedOperationException(registryName() + " has no target form");
    }

    /** What {@link #computeTargetTerms} gets for one-hot rows; {@code [rows, 1]} columns unless stated. */
    protected static final class TargetRows {
        private final INDArray logPt;
        private final INDArray pt;
        private final INDArray labels;
        private final INDArray exp;
        private final INDArray expSum;
        private INDArray secondClass;
        private INDArray dLogPSecond;

        private TargetRows(INDArray logPt, INDArray pt, INDArray labels, INDArray exp, INDArray expSum) {
            this.logPt = logPt;
            this.pt = pt;
            this.labels = labels;
            this.exp = exp;
            this.expSum = expSum;
        }

        /** @return log p of each row's target class (finite); read only */
        public INDArray logPt() {
            return logPt;
        }

        /** @return p of each row's target class; read only */
        public INDArray pt() {
            return pt;
        }

        /** @return the one-hot (or all-zero) {@code [rows, classes]} labels; read only */
        public INDArray labels() {
            return labels;
        }

        /** @return {@code [rows, classes]} exp(z - max_k z_k), the unnormalised probabilities; read only */
        public INDArray exp() {
            return exp;
        }

        /** @return the row sums of {@link #exp()}: p = exp / expSum; read only */
        public INDArray expSum() {
            return expSum;
        }

        /**
         * Declares one more class per row that the loss depends on, with h at that class.
         *
         * @param oneHot      {@code [rows, classes]}, at most one 1 per row, 0 elsewhere
         * @param dLogPSecond h at that class, {@code [rows, 1]} (0 for rows without one)
         */
        public void setSecondClass(INDArray oneHot, INDArray dLogPSecond) {
            this.secondClass = oneHot;
            this.dLogPSecond = dLogPSecond;
        }
    }

    /** @return a hint shown when the activation is not softmax; may be null */
    protected String activationHint() {
        return null;
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
        LossInputs.checkRowsAndLogits(name, labels, preOutput); // one-hot rows need no other label check
        MaskKind kind = LossInputs.maskKind(name, mask, labels);
        LossInputs.requireSoftmax(name, activation, activationHint());
        DataType type = preOutput.dataType();
        INDArray m;
        if (kind == MaskKind.PER_OUTPUT) {
            // whole rows only; then it is a per-row mask
            m = LossInputs.rowConstantMaskAsColumn(name, mask, type);
            kind = MaskKind.PER_EXAMPLE;
        } else {
            m = LossInputs.maskAs(mask, kind, type, preOutput.size(0));
        }
        INDArray y = LossInputs.labelsAs(labels, type);
        if (hasTargetForm()) {
            INDArray present = LossInputs.oneHotRowSums(y);
            if (present != null) {
                return evaluateOneHot(y, m == null ? present : present.muli(m), preOutput, wantGradient,
                        wantRowScores);
            }
        }
        LossInputs.checkLabels(name, labels);
        long[] shape = preOutput.shape();
        // log p = (z - max) - log(sum exp(z - max)); the sum is >= 1, so its log is finite. ND4J's
        // LogSoftMax op computes log(softmax) and returns -inf (float: for logits ~100 apart; double:
        // ~1000 apart) and loses accuracy before that, so it is not used.
        INDArray logP = Nd4j.createUninitialized(type, shape);
        Nd4j.exec(new BroadcastSubOp(preOutput, preOutput.max(true, 1), logP, 0));
        INDArray p = Nd4j.exec(new Exp(logP, Nd4j.createUninitialized(type, shape)));
        INDArray sum = p.sum(true, 1);
        p.diviColumnVector(sum);
        logP.subiColumnVector(Transforms.log(sum, false));
        INDArray loss = Nd4j.createUninitialized(type, shape);
        INDArray h = wantGradient ? ScratchWorkspace.resultArray(type, shape) : null;
        computeTerms(logP, p, y, loss, h);
        Masks.apply(kind, m, loss, h);
        INDArray grad = null;
        if (wantGradient) {
            // No zeroing of masked outputs afterwards: the mask weights whole rows, so a masked row has
            // h = 0 and gets 0 - p * 0 = 0 exactly, and a weight w gives w * (exact unmasked gradient).
            // (Multiplying by the mask again would square fractional weights.)
            INDArray hSum = h.sum(true, 1);
            grad = h.subi(p.muliColumnVector(hSum));
        }
        if (!wantRowScores) {
            return Evaluation.ofTotal(loss.sumNumber().doubleValue(), grad, preOutput.size(0));
        }
        return new Evaluation(loss.sum(true, 1), grad, preOutput.size(0));
    }

    /**
     * One-hot rows: per-row terms at the target class only.
     *
     * @param y      one-hot (or all-zero) label rows
     * @param weight {@code [rows, 1]}: 0 for all-zero or masked rows, else the row's mask value (1 without a mask)
     */
    private Evaluation evaluateOneHot(INDArray y, INDArray weight, INDArray z, boolean wantGradient,
                                      boolean wantRowScores) {
        DataType type = z.dataType();
        long[] shape = z.shape();
        INDArray shifted = Nd4j.createUninitialized(type, shape);
        Nd4j.exec(new BroadcastSubOp(z, z.max(true, 1), shifted, 0));
        // z_t - max = sum_k y_k (z_k - max): exact for a one-hot row (0 for an all-zero row)
        INDArray logPt = Nd4j.getExecutioner().exec(new Dot(shifted, y, 1)).reshape(z.size(0), 1);
        INDArray e = Transforms.exp(shifted, false);
        INDArray sum = e.sum(true, 1);
        logPt.subi(Transforms.log(sum, true));
        INDArray pt = Transforms.exp(logPt, true);
        INDArray rowLoss = Nd4j.createUninitialized(type, logPt.shape());
        INDArray hT = wantGradient ? rowLoss.ulike() : null;
        TargetRows rows = new TargetRows(logPt, pt, y, e, sum);
        computeTargetTerms(rows, rowLoss, hT);
        rowLoss.muli(weight);
        INDArray grad = null;
        if (wantGradient) {
            hT.muli(weight);
            // h_t (y - p) (+ h_s (J - p) for a second class J) = h_t y (+ h_s J) - ((h_t (+ h_s)) / sum) e
            INDArray hAll = hT;
            if (rows.secondClass != null) {
                rows.dLogPSecond.muli(weight);
                hAll = hT.add(rows.dLogPSecond);
            }
            grad = ScratchWorkspace.resultArray(type, shape);
            INDArray buffer = Nd4j.createUninitialized(type, shape);
            Nd4j.exec(new BroadcastMulOp(e, hAll.div(sum).negi(), grad, 0));
            Nd4j.exec(new BroadcastMulOp(y, hT, buffer, 0));
            grad.addi(buffer);
            if (rows.secondClass != null) {
                Nd4j.exec(new BroadcastMulOp(rows.secondClass, rows.dLogPSecond, buffer, 0));
                grad.addi(buffer);
            }
        }
        if (!wantRowScores) {
            return Evaluation.ofTotal(rowLoss.sumNumber().doubleValue(), grad, z.size(0));
        }
        return new Evaluation(rowLoss, grad, z.size(0));
    }
}
