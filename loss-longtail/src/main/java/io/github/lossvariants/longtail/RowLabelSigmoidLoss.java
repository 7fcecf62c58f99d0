package io.github.lossvariants.longtail;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.dl4j.BaseLoss;
import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.internal.LossInputs;
import io.github.lossvariants.api.internal.Masks;
import io.github.lossvariants.api.internal.ScratchWorkspace;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * Base of sigmoid losses whose per-element terms also depend on the other labels of the row: a
 * class-balanced row weight sum_j w_j y_j, distribution-balanced's repeat rate sum_k y_k / n_k.
 * Like DL4J's sigmoid losses they accept any mask, and a per-output (labels-shaped) mask means
 * that the masked labels are unknown: the row-level quantities are computed from the known labels
 * only (y with masked entries set to 0), and the masked elements' terms are multiplied by the mask.
 * So a masked output's label and logit change nothing, and it gets exactly 0 gradient. A per-row
 * mask weights whole rows.
 */
abstract class RowLabelSigmoidLoss extends BaseLoss {
    private static final long serialVersionUID = 1L;

    RowLabelSigmoidLoss(String name, ParameterSchema schema, Map<String, ?> values) {
        super(name, schema, values);
    }

    /**
     * Writes each element's loss and d(loss)/d(logit). All arrays have the same shape and type.
     *
     * @param z     logits; read only
     * @param y     labels in [0, 1]; read only
     * @param known y with the entries a per-output mask zeroes set to 0 (y itself otherwise): what
     *              the row-level quantities are computed from; read only
     * @param loss  output
     * @param grad  output, or null when no gradient is wanted
     */
    abstract void computeTerms(INDArray z, INDArray y, INDArray known, INDArray loss, INDArray grad);

    /** @return a hint shown when the activation is not sigmoid; may be null */
    abstract String activationHint();

    @Override
    protected final Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                        boolean gradient) {
        return evaluate(labels, preOutput, activation, mask, gradient, true);
    }

    @Override
    protected final Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                        boolean gradient, boolean rowScores) {
        String name = registryName();
        LossInputs.checkRows(name, labels, preOutput);
        MaskKind kind = LossInputs.maskKind(name, mask, labels);
        LossInputs.requireSigmoid(name, activation, activationHint());
        DataType type = preOutput.dataType();
        long[] shape = preOutput.shape();
        INDArray y = LossInputs.labelsAs(labels, type);
        INDArray m = LossInputs.maskAs(mask, kind, type, preOutput.size(0));
        INDArray known = y;
        if (kind == MaskKind.PER_OUTPUT) {
            known = Nd4j.exec(new Step(m, Nd4j.createUninitialized(type, shape), 0.0)).muli(y);
        }
        INDArray loss = Nd4j.createUninitialized(type, shape);
        INDArray grad = gradient ? ScratchWorkspace.resultArray(type, shape) : null;
        computeTerms(preOutput, y, known, loss, grad);
        Masks.apply(kind, m, loss, grad);
        if (!rowScores) {
            return Evaluation.ofTotal(loss.sumNumber().doubleValue(), grad, preOutput.size(0));
        }
        return new Evaluation(loss.sum(true, 1), grad, preOutput.size(0));
    }
}
