package io.github.lossvariants.testkit;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.dl4j.BaseLoss;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

/**
 * Softmax cross-entropy that accepts a labels-shaped mask differing within a row and returns the
 * exact derivative of the masked score, which is not zero at a masked class when other classes of
 * its row are unmasked (softmax couples them). Right behind CnnLossLayer (unmasked activations),
 * wrong behind OutputLayer (which zeroes masked pre-activations and uses the gradient unmasked); the
 * opposite choice (zero there) is wrong behind CnnLossLayer, and a loss cannot tell which layer
 * calls it. Such masks must be rejected: the testkit must flag this loss. With masks constant
 * within rows it is correct. (loss-api's losses accepted such masks until this was decided.)
 */
final class SoftmaxExactMaskedCe extends BaseLoss {
    private static final long serialVersionUID = 1L;

    SoftmaxExactMaskedCe() {
        super("softmax-exact-masked-ce", ParameterSchema.empty(), Map.of());
    }

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
}
