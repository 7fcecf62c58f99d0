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
 * A per-output mask multiplies l and h before that step, and the gradient afterwards: masked
 * outputs get exactly zero gradient, as DL4J requires (its layers multiply the pre-activations by a
 * labels-shaped mask and do not mask the loss gradient); unmasked outputs get the exact derivative
 * of the masked score.
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
        INDArray m = LossInputs.maskAs(mask, kind, type, preOutput.size(0));
        Masks.apply(kind, m, loss, h);
        INDArray grad = null;
        if (wantGradient) {
            INDArray hSum = h.sum(true, 1);
            grad = h.subi(p.muliColumnVector(hSum));
            if (kind == MaskKind.PER_OUTPUT) {
                // DL4J multiplies the output layer's pre-activations by a labels-shaped mask and uses
                // the loss gradient as it is: masked outputs must get exactly zero.
                grad.muli(m);
            }
        }
        if (!wantRowScores) {
            return Evaluation.ofTotal(loss.sumNumber().doubleValue(), grad, preOutput.size(0));
        }
        return new Evaluation(loss.sum(true, 1), grad, preOutput.size(0));
    }
}
