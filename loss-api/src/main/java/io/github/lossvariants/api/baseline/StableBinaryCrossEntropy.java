package io.github.lossvariants.api.baseline;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Unclipped binary cross-entropy from the logits, {@code w * (max(z, 0) - y*z + log1p(exp(-|z|)))}
 * with gradient {@code w * (sigmoid(z) - y)}: what {@link BinaryCrossEntropyLoss} computes for
 * {@code clipEps = 0}, where DL4J's {@code LossBinaryXENT} takes {@code log(sigmoid(z))} and
 * returns NaN once the sigmoid saturates (|z| beyond about 17 in float, 37 in double). Created per
 * call by {@link BinaryCrossEntropyLoss}; not a registered loss.
 */
final class StableBinaryCrossEntropy extends SigmoidElementwiseLoss {
    private static final long serialVersionUID = 1L;

    private final INDArray weightsRow;

    /**
     * @param weights    the bce's weights, or null
     * @param weightsRow the same as a {@code [1, nOut]} row in the call's data type, or null
     */
    StableBinaryCrossEntropy(double[] weights, INDArray weightsRow) {
        super(BinaryCrossEntropyLoss.NAME, BinaryCrossEntropyLoss.SCHEMA,
                ParameterSchema.valuesOf("weights", weights, "clipEps", 0.0));
        this.weightsRow = weightsRow;
    }

    @Override
    protected void computeTerms(INDArray z, INDArray y, INDArray loss, INDArray grad) {
        INDArray t = Transforms.abs(z, true).negi();
        Transforms.exp(t, false);
        Transforms.log1p(t, false);
        loss.assign(z);
        Transforms.relu(loss, false);
        loss.subi(y.mul(z)).addi(t);
        if (grad != null) {
            grad.assign(z);
            Transforms.sigmoid(grad, false);
            grad.subi(y);
        }
        if (weightsRow != null) {
            loss.muliRowVector(weightsRow);
            if (grad != null) {
                grad.muliRowVector(weightsRow);
            }
        }
    }
}
