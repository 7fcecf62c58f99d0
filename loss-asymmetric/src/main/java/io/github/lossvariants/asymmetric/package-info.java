/**
 * Asymmetric losses for imbalanced multi-label classification and binary segmentation:
 * {@link io.github.lossvariants.asymmetric.AsymmetricLoss} ({@code asymmetric}, ASL) and the
 * asymmetric unified focal loss ({@code unified-focal}).
 *
 * @since 0.1.0
 */
package io.github.lossvariants.asymmetric;
