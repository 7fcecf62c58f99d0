package io.github.lossvariants.testkit;

import io.github.lossvariants.api.dl4j.BaseLoss;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

/**
 * A deliberately wrong softmax cross-entropy: with a per-output mask its gradient is the exact
 * derivative of the masked score, which is not zero at masked outputs, so DL4J's OutputLayer
 * (which zeroes masked pre-activations and uses the gradient unmasked) computes wrong weight
 * gradients. The testkit must flag it. (loss-api's SoftmaxElementwiseLoss behaved like this until
 * it was fixed to zero the gradient at masked outputs; this class keeps the old behaviour on its
 * own so the check stays tested.)
 */
final class SoftmaxExactMaskedCe extends BaseLoss {
    private static final long serialVersionUID = 1L;

    @Override
    protected Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                  boolean gradient) {
        INDArray y = labels.castTo(preOutput.dataType());
        INDArray logP = preOutput.subColumnVector(preOutput.max(true, 1));
        INDArray p = Transforms.exp(logP, true);
        INDArray sum = p.sum(true, 1);
        p.diviColumnVector(sum);
        logP.subiColumnVector(Transforms.log(sum, false));
        INDArray m = mask == null ? null : mask.castTo(preOutput.dataType());
        boolean perRow = m != null && m.size(1) == 1 && preOutput.size(1) != 1;
        INDArray h = y.neg();
        if (m != null) {
            if (perRow) {
                h.muliColumnVector(m);
            } else {
                h.muli(m);
            }
        }
        INDArray rowScores = logP.mul(h).sum(true, 1);
        INDArray grad = gradient ? h.sub(p.mulColumnVector(h.sum(true, 1))) : null;
        return new Evaluation(rowScores, grad, preOutput.size(0));
    }

    @Override
    public String registryName() {
        return "softmax-exact-masked-ce";
    }

    @Override
    public Map<String, Object> parameters() {
        return Map.of();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SoftmaxExactMaskedCe;
    }

    @Override
    public int hashCode() {
        return 11;
    }
}
