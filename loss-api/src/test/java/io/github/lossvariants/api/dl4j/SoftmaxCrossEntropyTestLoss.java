package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.ParameterSchema;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/** Test loss: softmax cross-entropy, l_c = -y_c log p_c, h_c = -y_c. */
final class SoftmaxCrossEntropyTestLoss extends SoftmaxElementwiseLoss {
    private static final long serialVersionUID = 1L;

    SoftmaxCrossEntropyTestLoss() {
        super("softmax-ce-test", ParameterSchema.empty(), Map.of());
    }

    @Override
    protected void computeTerms(INDArray logProbs, INDArray probs, INDArray labels, INDArray loss, INDArray dLogProb) {
        loss.assign(logProbs).muli(labels).negi();
        if (dLogProb != null) {
            dLogProb.assign(labels).negi();
        }
    }
}
