/**
 * Region losses for segmentation: {@link io.github.lossvariants.tversky.TverskyLoss} ({@code tversky}),
 * {@link io.github.lossvariants.tversky.DiceLoss} ({@code dice}) and
 * {@link io.github.lossvariants.tversky.FocalTverskyLoss} ({@code focal-tversky}), per image behind a
 * CNN (see {@link io.github.lossvariants.api.region.RegionLoss}).
 */
package io.github.lossvariants.tversky;
