package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.LossFunction;

/**
 * A loss whose per-example value is not a sum over rows (Dice, Tversky and other region losses)
 * and that therefore needs to know how DL4J's layer flattened each example into rows.
 * {@code CnnLossLayer} turns {@code [N, C, H, W]} activations into {@code [N*H*W, C]} rows, row
 * {@code n*H*W + h*W + w}, so each image owns {@code H*W} consecutive rows ({@code D*H*W} for
 * {@code Cnn3DLossLayer}).
 *
 * <p>Such a loss returns from {@code computeScoreArray} each example's loss spread evenly over its
 * rows, so that DL4J's per-row sums (and {@code scoreExamples}) give the per-example values.
 *
 * @since 0.1.0
 */
public interface RowGroupedLoss extends LossFunction {

    /**
     * @return the number of consecutive rows that form one example; 1 when every row is an example
     */
    long rowsPerExample();

    /**
     * @param rowsPerExample rows per example, {@code >= 1} (e.g. {@code H*W} behind a CnnLossLayer)
     * @return an equal loss configured for that grouping (this instance if unchanged)
     */
    RowGroupedLoss withRowsPerExample(long rowsPerExample);
}
