/**
 * Region losses (Dice, Tversky and relatives) whose value per (example, class) is a function of
 * soft counts over an example's spatial positions: the base class
 * {@link io.github.lossvariants.api.region.RegionLoss}, the options they share
 * ({@link io.github.lossvariants.api.region.RegionOptions}) and
 * {@link io.github.lossvariants.api.region.PerImageLossLayer}, a {@code CnnLossLayer} that tells a loss
 * the image size of every batch.
 *
 * @since 0.1.0
 */
package io.github.lossvariants.api.region;
