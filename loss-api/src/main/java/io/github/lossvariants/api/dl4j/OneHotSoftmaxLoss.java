package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.internal.LossInputs;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Base of softmax losses defined only for one-hot labels (one 1 per row; all-zero rows are
 * padding and contribute nothing), such as dual focal and AdaFocal: a subclass writes only each
 * row's terms at its target class ({@link #computeTargetTerms}), computed on the per-row path of
 * {@link SoftmaxElementwiseLoss}. Soft or multi-hot labels are rejected with a
 * {@link io.github.lossvariants.api.LossConfigurationException} naming the first such row.
 *
 * @since 0.1.0
 */
public abstract class OneHotSoftmaxLoss extends SoftmaxElementwiseLoss {
    private static final long serialVersionUID = 1L;

    /**
     * @param name   the registry name
     * @param schema the loss's parameters
     * @param values parameter values by name; missing ones take their defaults
     * @see ParameterizedLoss#ParameterizedLoss(String, ParameterSchema, Map)
     */
    protected OneHotSoftmaxLoss(String name, ParameterSchema schema, Map<String, ?> values) {
        super(name, schema, values);
    }

    @Override
    protected final boolean hasTargetForm() {
        return true;
    }

    /** Reached only when the labels are not one-hot: rejects them. */
    @Override
    protected final void computeTerms(INDArray logProbs, INDArray probs, INDArray labels, INDArray loss,
                                      INDArray dLogProb) {
        LossInputs.requireOneHot(registryName(), labels);
        throw new IllegalStateException(registryName() + ": one-hot labels must take the target-class path");
    }

    @Override
    protected abstract void computeTargetTerms(TargetRows rows, INDArray rowLoss, INDArray dLogPt);
}
