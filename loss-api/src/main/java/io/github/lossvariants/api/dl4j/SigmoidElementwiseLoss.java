package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.internal.LossInputs;
import io.github.lossvariants.api.internal.Masks;
import io.github.lossvariants.api.internal.ScratchWorkspace;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * Base of losses that are a sum of independent per-element terms on sigmoid outputs (binary and
 * multi-label): a subclass writes only each element's loss and its derivative with respect to the
 * logit, computed together from the logits in log space. This class checks shapes, activation and
 * data types, applies per-row or per-output masks to both, and sums rows.
 *
 * @since 0.1.0
 */
public abstract class SigmoidElementwiseLoss extends BaseLoss {
    private static final long serialVersionUID = 1L;

    /**
     * @param name   the registry name
     * @param schema the loss's parameters
     * @param values parameter values by name; missing ones take their defaults
     * @see ParameterizedLoss#ParameterizedLoss(String, ParameterSchema, Map)
     */
    protected SigmoidElementwiseLoss(String name, ParameterSchema schema, Map<String, ?> values) {
        super(name, schema, values);
    }

    /**
     * Writes per-element loss and dL/dz. All arrays have the same shape and data type.
     *
     * @param logits read only
     * @param labels read only, in [0, 1]
     * @param loss   output: each element's loss
     * @param grad   output: each element's d(loss)/d(logit); null when no gradient is wanted
     */
    protected abstract void computeTerms(INDArray logits, INDArray labels, INDArray loss, INDArray grad);

    /** @return a hint shown when the activation is not sigmoid, e.g. which loss to use instead; may be null */
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
        LossInputs.requireSigmoid(name, activation, activationHint());
        DataType type = preOutput.dataType();
        INDArray y = LossInputs.labelsAs(labels, type);
        INDArray loss = Nd4j.createUninitialized(type, preOutput.shape());
        INDArray grad = wantGradient ? ScratchWorkspace.resultArray(type, preOutput.shape()) : null;
        computeTerms(preOutput, y, loss, grad);
        INDArray m = LossInputs.maskAs(mask, kind, type, preOutput.size(0));
        Masks.apply(kind, m, loss, grad);
        if (!wantRowScores) {
            return Evaluation.ofTotal(loss.sumNumber().doubleValue(), grad, preOutput.size(0));
        }
        return new Evaluation(loss.sum(true, 1), grad, preOutput.size(0));
    }
}
