package io.github.lossvariants.testkit;

import io.github.lossvariants.api.dl4j.BaseLoss;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

/**
 * Cross-entropy whose gradient under a per-output mask is the exact derivative of the masked
 * score, which is not zero at masked outputs (softmax couples them). DL4J's OutputLayer zeroes
 * masked pre-activations and uses the gradient unmasked, so it computes wrong weight gradients:
 * the testkit must flag it. (loss-api's SoftmaxElementwiseLoss had this defect until the testkit
 * found it.)
 */
final class SoftmaxExactMaskedCe extends BaseLoss {
    private static final long serialVersionUID = 1L;

    @Override
    protected Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                  boolean gradient) {
        INDArray logP = preOutput.subColumnVector(preOutput.max(true, 1));
        INDArray p = Transforms.exp(logP, true);
        INDArray sum = p.sum(true, 1);
        p.diviColumnVector(sum);
        logP.subiColumnVector(Transforms.log(sum, false));
        INDArray y = labels.castTo(preOutput.dataType());
        INDArray m = mask == null ? null : mask.castTo(preOutput.dataType());
        INDArray loss = logP.mul(y).negi();
        INDArray h = y.neg();
        if (m != null) {
            if (m.size(1) == 1) {
                loss.muliColumnVector(m);
                h.muliColumnVector(m);
            } else {
                loss.muli(m);
                h.muli(m);
            }
        }
        INDArray grad = gradient ? h.sub(p.mulColumnVector(h.sum(true, 1))) : null;
        return new Evaluation(loss.sum(true, 1), grad, preOutput.size(0));
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
