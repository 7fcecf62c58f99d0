/**
 * Focal losses for Deeplearning4j: {@link io.github.lossvariants.focal.FocalLoss} ({@code focal},
 * sigmoid), {@link io.github.lossvariants.focal.SoftmaxFocalLoss} ({@code softmax-focal}), and the
 * guarded DL4J baselines {@link io.github.lossvariants.focal.BinaryCrossEntropyLoss} ({@code bce})
 * and {@link io.github.lossvariants.focal.CrossEntropyLoss} ({@code ce}).
 */
package io.github.lossvariants.focal;
