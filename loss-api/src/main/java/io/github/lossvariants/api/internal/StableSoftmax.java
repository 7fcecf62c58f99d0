package io.github.lossvariants.api.internal;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Log-softmax over dimension 1 that stays finite in FLOAT: ND4J 1.0.0-M2.1's {@code LogSoftMax}
 * op returns {@code -Infinity} in FLOAT where a log-probability is below about -104 (e.g.
 * {@code [[100, -100]]} gives {@code [0, -Infinity]} instead of {@code [0, -200]}), which turns a
 * loss's {@code 0 * log p} into NaN. This computes {@code z - max - log(sum exp(z - max))}.
 *
 * @since 0.1.0
 */
public final class StableSoftmax {
    private StableSoftmax() {
    }

    /**
     * @param z   {@code [rows, C]} logits; read only
     * @param out {@code [rows, C]} receives log-softmax(z) over dimension 1 (may not be {@code z})
     * @return {@code out}
     */
    public static INDArray logSoftmax(INDArray z, INDArray out) {
        INDArray max = z.max(true, 1);
        out.assign(z).subiColumnVector(max);
        INDArray lse = Transforms.exp(out, true).sum(true, 1);
        Transforms.log(lse, false);
        return out.subiColumnVector(lse);
    }
}
