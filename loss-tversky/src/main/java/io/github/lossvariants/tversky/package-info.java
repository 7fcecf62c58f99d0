/**
 * Region losses for segmentation, per image behind a CNN (see
 * {@link io.github.lossvariants.api.region.RegionLoss} and
 * {@link io.github.lossvariants.api.region.PerImageLossLayer}):
 * {@link io.github.lossvariants.tversky.TverskyLoss} ({@code tversky}),
 * {@link io.github.lossvariants.tversky.DiceLoss} ({@code dice}),
 * {@link io.github.lossvariants.tversky.FocalTverskyLoss} ({@code focal-tversky}),
 * {@link io.github.lossvariants.tversky.GeneralizedDiceLoss} ({@code generalized-dice}),
 * {@link io.github.lossvariants.tversky.JaccardLoss} ({@code jaccard}),
 * {@link io.github.lossvariants.tversky.LovaszLoss} ({@code lovasz}) and
 * {@link io.github.lossvariants.tversky.MccLoss} ({@code mcc}).
 */
package io.github.lossvariants.tversky;
