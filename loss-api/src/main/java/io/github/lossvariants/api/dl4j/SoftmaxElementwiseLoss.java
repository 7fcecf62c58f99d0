package io.github.lossvariants.api.dl4j;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

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
        LossInputs.checkRows(name, labels, preOutput);
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
        INDArray h = wantGradient ? Nd4j.createUninitialized(type, shape) : null;
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
}
