/**
 * The baselines every comparison needs, {@code bce} ({@link io.github.lossvariants.api.baseline.BinaryCrossEntropyLoss})
 * and {@code ce} ({@link io.github.lossvariants.api.baseline.CrossEntropyLoss}): DL4J's own
 * {@code LossBinaryXENT} and {@code LossMCXENT} behind this project's contract (never writing into
 * their inputs, clear errors for wrong activations, shapes and masks). They live in {@code loss-api}
 * so that every variant module can combine with them, e.g. {@code ce + dice}.
 *
 * @since 0.2.0
 */
package io.github.lossvariants.api.baseline;
