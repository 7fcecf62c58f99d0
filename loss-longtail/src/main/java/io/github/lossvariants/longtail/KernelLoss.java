package io.github.lossvariants.longtail;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.dl4j.BaseLoss;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Arrays;
import java.util.Map;

/**
 * A loss that is an existing element-wise kernel (a weighted softmax cross-entropy, weighted sigmoid
 * focal terms) evaluated on logits that the loss may first adjust: class-balanced (no adjustment),
 * balanced softmax (x + tau log n), LDAM (s (x - m y), so the gradient is s times the kernel's).
 * The kernel brings the shape, mask, label and activation handling of its base class, and carries
 * this loss's name, schema and values, so its messages name this loss. It runs inside this loss's
 * scratch workspace (nested calls open none), and this loss exports the result.
 */
abstract class KernelLoss extends BaseLoss {
    private static final long serialVersionUID = 1L;

    KernelLoss(String name, ParameterSchema schema, Map<String, ?> values) {
        super(name, schema, values);
    }

    /** @return the kernel evaluated on {@link #kernelLogits} */
    abstract ILossFunction kernel();

    /**
     * Checks the output width against the loss's per-class parameters (a clear error naming both).
     *
     * @param classes the number of output columns
     */
    abstract void checkClasses(long classes);

    /**
     * @param labels    the caller's labels; read only
     * @param preOutput the caller's logits; read only
     * @return the logits the kernel reads: {@code preOutput} itself (the default) or a new array
     */
    INDArray kernelLogits(INDArray labels, INDArray preOutput) {
        return preOutput;
    }

    /** @return d(kernel logits)/d(preOutput), a constant: 1 by default */
    double gradientScale() {
        return 1.0;
    }

    @Override
    protected final Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                        boolean gradient) {
        return evaluate(labels, preOutput, activation, mask, gradient, true);
    }

    @Override
    protected final Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                        boolean gradient, boolean rowScores) {
        // labels and logits that are not non-empty 2-D arrays of equal shape: the kernel rejects them,
        // naming the shapes (the class count check and the logit adjustment would fail first, less
        // clearly: ND4J's "Cannot perform operation addRowVector on empty array")
        boolean rows = preOutput != null && labels != null && preOutput.rank() == 2 && !preOutput.isEmpty()
                && Arrays.equals(labels.shape(), preOutput.shape());
        if (rows) {
            checkClasses(preOutput.size(1));
        }
        INDArray z = rows ? kernelLogits(labels, preOutput) : preOutput;
        ILossFunction k = kernel();
        // the kernel validates its inputs (null, shapes, values) before z is used here
        if (gradient) {
            Pair<Double, INDArray> both = k.computeGradientAndScore(labels, z, activation, mask, false);
            INDArray g = both.getSecond();
            double scale = gradientScale();
            return Evaluation.ofTotal(both.getFirst(), scale == 1.0 ? g : g.muli(scale), z.size(0));
        }
        if (rowScores) {
            INDArray scores = k.computeScoreArray(labels, z, activation, mask);
            return new Evaluation(scores, null, z.size(0));
        }
        double total = k.computeScore(labels, z, activation, mask, false);
        return Evaluation.ofTotal(total, null, z.size(0));
    }
}
