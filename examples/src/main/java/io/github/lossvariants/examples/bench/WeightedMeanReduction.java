package io.github.lossvariants.examples.bench;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * PyTorch's reduction of a class-weighted loss, for the mnist-lt experiment {@code ldam with
 * drw(weightedMean=true)}: {@code cross_entropy(weight=w)} with mean reduction divides the weighted
 * sum over the minibatch by the sum of the targets' weights, Σ_i w_(y_i), not by N. This wrapper
 * multiplies the score and gradient of a loss whose rows are weighted by w (e.g. {@code ldam} with
 * DRW weights) by N / Σ_i w_(y_i); DL4J then divides by N, so a minibatch's loss is the reference's
 * Σ_i w_(y_i) L_i / Σ_i w_(y_i). The factor depends on the labels only (a constant in the gradient)
 * and couples the rows of a minibatch. Not a library loss: app-only, never saved, no masks.
 */
final class WeightedMeanReduction implements ILossFunction {
    private static final long serialVersionUID = 1L;
    private final ILossFunction inner;
    private final double[] classWeights;

    /**
     * @param inner        the class-weighted loss
     * @param classWeights its weights, one per class (one-hot labels select them)
     */
    WeightedMeanReduction(ILossFunction inner, double[] classWeights) {
        this.inner = inner;
        this.classWeights = classWeights.clone();
    }

    /** @return N / Σ_i w_(y_i) of the minibatch */
    private double factor(INDArray labels, INDArray mask) {
        if (mask != null) {
            throw new IllegalArgumentException("WeightedMeanReduction (an app experiment) takes no masks");
        }
        INDArray w = Nd4j.createFromArray(classWeights).reshape(classWeights.length, 1);
        double sum = labels.castTo(DataType.DOUBLE).mmul(w).sumNumber().doubleValue();
        return labels.size(0) / sum;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        return factor(labels, mask) * inner.computeScore(labels, preOutput, activationFn, mask, average);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return inner.computeScoreArray(labels, preOutput, activationFn, mask).muli(factor(labels, mask));
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return inner.computeGradient(labels, preOutput, activationFn, mask).muli(factor(labels, mask));
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        double f = factor(labels, mask);
        Pair<Double, INDArray> p = inner.computeGradientAndScore(labels, preOutput, activationFn, mask, average);
        return new Pair<>(f * p.getFirst(), p.getSecond().muli(f));
    }

    @Override
    public String name() {
        return "weighted-mean(" + inner.name() + ")";
    }

    @Override
    public String toString() {
        return name();
    }
}
