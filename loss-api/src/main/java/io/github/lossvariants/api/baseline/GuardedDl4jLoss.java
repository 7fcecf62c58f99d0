package io.github.lossvariants.api.baseline;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.dl4j.ParameterizedLoss;
import io.github.lossvariants.api.internal.LossInputs;
import io.github.lossvariants.api.internal.ScratchWorkspace;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Map;

/**
 * Puts one of DL4J's own losses behind the {@link io.github.lossvariants.api.LossFunction} contract: the caller's
 * {@code preOutput} is copied before DL4J's code sees it (DL4J's built-ins write into it, see
 * DL4J-INTEGRATION.md section 2), shapes and masks are checked with clear messages, per-row masks
 * are applied here (DL4J mistakes a {@code [1, 1]} row mask for a per-output one), and the DL4J
 * loss is created per call from this immutable configuration, so no {@code INDArray} outlives a
 * workspace.
 */
abstract class GuardedDl4jLoss extends ParameterizedLoss {
    private static final long serialVersionUID = 1L;

    GuardedDl4jLoss(String name, ParameterSchema schema, Map<String, ?> values) {
        super(name, schema, values);
    }

    /**
     * @param type the data type of the call's preOutput
     * @param nOut the number of outputs (columns)
     * @return a new DL4J loss for one call
     */
    protected abstract ILossFunction delegate(DataType type, long nOut);

    /**
     * @param preOutput the caller's pre-activations (read only)
     * @return the array handed to DL4J's loss, which may write into it: a copy by default
     */
    protected INDArray ownedPreOutput(INDArray preOutput) {
        return preOutput.dup();
    }

    /**
     * @param activation the layer's activation
     * @return true when this loss couples the outputs of a row under that activation (softmax
     * cross-entropy): a per-output mask must then be constant within each row and is applied as a
     * per-row mask; false by default
     */
    protected boolean couplesRowOutputs(IActivation activation) {
        return false;
    }

    /** @return the per-output weights, or null */
    protected abstract double[] weights();

    /**
     * Rejects an activation the loss is not defined for, with a message naming it and the
     * alternative (DL4J's own loss accepts any activation and silently returns infinite scores for
     * e.g. a softmax cross-entropy behind a sigmoid).
     *
     * @param activation the layer's activation
     * @param mask       the mask (already classified as allowed by {@link LossInputs#maskKind})
     */
    protected abstract void checkActivationAndMask(IActivation activation, INDArray mask);

    /** @return a row vector {@code [1, n]} of the weights in the given type, or null when there are none */
    protected final INDArray weightsRow(DataType type) {
        double[] w = weights();
        return w == null ? null : Nd4j.createFromArray(w).castTo(type).reshape(1, w.length);
    }

    private INDArray checkedLabels(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
        String name = registryName();
        LossInputs.checkRows(name, labels, preOutput);
        LossInputs.maskKind(name, mask, labels);
        checkActivationAndMask(activation, mask);
        double[] w = weights();
        if (w != null && w.length != preOutput.size(1)) {
            throw new LossConfigurationException(name + ": weights has " + w.length + " entries but the output has "
                    + preOutput.size(1) + " columns (nOut = " + preOutput.size(1) + "); give exactly one weight per output");
        }
        return LossInputs.labelsAs(labels, preOutput.dataType());
    }

    /**
     * @return the per-row mask as a {@code [rows, 1]} column in the data type, or null when the mask
     * is absent or per-output. Per-row masks are applied here rather than by DL4J, whose
     * {@code LossUtil} takes a {@code [1, 1]} mask (minibatch 1) for a per-output one. When
     * {@link #couplesRowOutputs} a per-output mask must be constant within each row
     * ({@link LossInputs#requireRowConstantMask}, a clear error otherwise) and becomes this column.
     */
    private INDArray rowMask(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
        MaskKind kind = LossInputs.maskKind(registryName(), mask, labels);
        if (kind == MaskKind.PER_OUTPUT && couplesRowOutputs(activation)) {
            return LossInputs.rowConstantMaskAsColumn(registryName(), mask, preOutput.dataType());
        }
        return kind == MaskKind.PER_EXAMPLE ? LossInputs.maskAs(mask, kind, preOutput.dataType(), preOutput.size(0)) : null;
    }

    private static INDArray delegateMask(INDArray mask, INDArray rowMask) {
        return rowMask == null ? mask : null;
    }

    private static INDArray masked(INDArray owned, INDArray rowMask) {
        return rowMask == null || owned == null ? owned : owned.muliColumnVector(rowMask);
    }

    // Each entry point runs in the thread's scratch workspace (DL4J's loss allocates several
    // input-sized temporaries per call) and copies what it returns out to the caller's workspace;
    // HALF inputs are computed in FLOAT (DL4J's losses overflow in HALF) and the results converted back.

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        try (ScratchWorkspace ws = ScratchWorkspace.open()) {
            INDArray z = ws.preOutput(preOutput);
            return total(scoreArray(ws.input(labels), z, activationFn, ws.input(mask)), average);
        }
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        try (ScratchWorkspace ws = ScratchWorkspace.open()) {
            INDArray z = ws.preOutput(preOutput);
            return ws.export(scoreArray(ws.input(labels), z, activationFn, ws.input(mask)));
        }
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        try (ScratchWorkspace ws = ScratchWorkspace.open()) {
            INDArray z = ws.preOutput(preOutput);
            return ws.export(gradient(ws.input(labels), z, activationFn, ws.input(mask)));
        }
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        try (ScratchWorkspace ws = ScratchWorkspace.open()) {
            INDArray z = ws.preOutput(preOutput);
            INDArray y = ws.input(labels);
            INDArray m = ws.input(mask);
            double score = total(scoreArray(y, z, activationFn, m), average);
            return new Pair<>(score, ws.export(gradient(y, z, activationFn, m)));
        }
    }

    private static double total(INDArray scores, boolean average) {
        double sum = scores.sumNumber().doubleValue();
        return average ? sum / scores.size(0) : sum;
    }

    private INDArray scoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray y = checkedLabels(labels, preOutput, activationFn, mask);
        INDArray rows = rowMask(labels, preOutput, activationFn, mask);
        return masked(delegate(preOutput.dataType(), preOutput.size(1)).computeScoreArray(y, ownedPreOutput(preOutput), activationFn,
                delegateMask(mask, rows)), rows);
    }

    /**
     * The gradient, masked once: DL4J's {@code LossBinaryXENT} applies a per-output mask both to
     * dL/da and to the gradient, which squares fractional weights (0.5 gives 0.25 of the gradient
     * while the score is weighted by 0.5), so a per-output mask is applied here instead, to the
     * unmasked gradient.
     */
    private INDArray gradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray y = checkedLabels(labels, preOutput, activationFn, mask);
        INDArray rows = rowMask(labels, preOutput, activationFn, mask);
        INDArray g = delegate(preOutput.dataType(), preOutput.size(1)).computeGradient(y, ownedPreOutput(preOutput),
                activationFn, null);
        if (rows == null && mask != null) {
            return g.muli(LossInputs.maskAs(mask, MaskKind.PER_OUTPUT, preOutput.dataType(), preOutput.size(0)));
        }
        return masked(g, rows);
    }
}
