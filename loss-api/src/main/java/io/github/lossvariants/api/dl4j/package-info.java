/**
 * DL4J plumbing for loss authors: the base classes a loss extends
 * ({@link io.github.lossvariants.api.dl4j.ParameterizedLoss} for identity and JSON,
 * {@link io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss},
 * {@link io.github.lossvariants.api.dl4j.SoftmaxElementwiseLoss},
 * {@link io.github.lossvariants.api.dl4j.OneHotSoftmaxLoss}, {@link io.github.lossvariants.api.dl4j.BaseLoss}),
 * {@link io.github.lossvariants.api.dl4j.RowGroupedLoss} for losses whose example spans several rows,
 * the mask kinds, and {@link io.github.lossvariants.api.dl4j.SavedModels}, which restores saved models
 * with messages that name the cause.
 *
 * @since 0.1.0
 */
package io.github.lossvariants.api.dl4j;
