/**
 * Long-tail and imbalanced multi-label losses for Deeplearning4j:
 * {@link io.github.lossvariants.longtail.ClassBalancedLoss} ({@code class-balanced}),
 * {@link io.github.lossvariants.longtail.LdamLoss} ({@code ldam}) with the deferred re-weighting
 * listener {@link io.github.lossvariants.longtail.DeferredReweighting},
 * {@link io.github.lossvariants.longtail.BalancedSoftmaxLoss} ({@code balanced-softmax}, logit
 * adjustment), {@link io.github.lossvariants.longtail.PolyLoss} ({@code poly}),
 * {@link io.github.lossvariants.longtail.PolyFocalLoss} ({@code poly-focal}),
 * {@link io.github.lossvariants.longtail.DistributionBalancedLoss} ({@code distribution-balanced})
 * and {@link io.github.lossvariants.longtail.TwoWayLoss} ({@code two-way}); class counts from a
 * {@code DataSetIterator} with {@link io.github.lossvariants.longtail.ClassCounts}.
 */
package io.github.lossvariants.longtail;
