package io.github.lossvariants.focal;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.dl4j.LossInputs;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * Puts one of DL4J's own losses behind the {@link LossFunction} contract: the caller's
 * {@code preOutput} is copied before DL4J's code sees it (DL4J's built-ins write into it, see
 * DL4J-INTEGRATION.md section 2), shapes and masks are checked with clear messages, and the DL4J
 * loss is created per call from this immutable configuration, so no {@code INDArray} outlives a
 * workspace.
 */
abstract class GuardedDl4jLoss implements LossFunction {
    private static final long serialVersionUID = 1L;

    /**
     * @param type the data type of the call's preOutput
     * @return a new DL4J loss for one call
     */
    protected abstract ILossFunction delegate(DataType type);

    /** @return the per-output weights, or null */
    protected abstract double[] weights();

    /** @return a row vector {@code [1, n]} of the weights in the given type, or null when there are none */
    protected final INDArray weightsRow(DataType type) {
        double[] w = weights();
        return w == null ? null : Nd4j.createFromArray(w).castTo(type).reshape(1, w.length);
    }

    private INDArray checkedLabels(INDArray labels, INDArray preOutput, INDArray mask) {
        String name = registryName();
        LossInputs.checkRows(name, labels, preOutput);
        LossInputs.maskKind(name, mask, labels);
        double[] w = weights();
        if (w != null && w.length != preOutput.size(1)) {
            throw new LossConfigurationException(name + ": weights has " + w.length + " entries but the output has "
                    + preOutput.size(1) + " columns (nOut = " + preOutput.size(1) + "); give exactly one weight per output");
        }
        return LossInputs.labelsAs(labels, preOutput.dataType());
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        INDArray y = checkedLabels(labels, preOutput, mask);
        return delegate(preOutput.dataType()).computeScore(y, preOutput.dup(), activationFn, mask, average);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray y = checkedLabels(labels, preOutput, mask);
        return delegate(preOutput.dataType()).computeScoreArray(y, preOutput.dup(), activationFn, mask);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray y = checkedLabels(labels, preOutput, mask);
        return delegate(preOutput.dataType()).computeGradient(y, preOutput.dup(), activationFn, mask);
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        INDArray y = checkedLabels(labels, preOutput, mask);
        return delegate(preOutput.dataType()).computeGradientAndScore(y, preOutput.dup(), activationFn, mask, average);
    }

    @Override
    public String name() {
        return spec();
    }

    @Override
    public String toString() {
        return spec();
    }
}
