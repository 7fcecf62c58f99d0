package io.github.lossvariants.testkit;

import io.github.lossvariants.api.dl4j.SoftmaxElementwiseLoss;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Cross-entropy on loss-api's SoftmaxElementwiseLoss as of this writing: with a per-output mask its
 * gradient is the exact derivative of the masked score, which is not zero at masked outputs, so
 * DL4J's OutputLayer (which zeroes masked pre-activations and uses the gradient unmasked) computes
 * wrong weight gradients. The testkit must flag it.
 */
final class SoftmaxExactMaskedCe extends SoftmaxElementwiseLoss {
    private static final long serialVersionUID = 1L;

    @Override
    protected void computeTerms(INDArray logProbs, INDArray probs, INDArray labels, INDArray loss, INDArray dLogProb) {
        loss.assign(logProbs.mul(labels).negi());
        if (dLogProb != null) {
            dLogProb.assign(labels.neg());
        }
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
