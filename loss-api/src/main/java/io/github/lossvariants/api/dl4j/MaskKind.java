package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.internal.LossInputs;

/**
 * How a DL4J mask applies to the rows a loss receives.
 *
 * @since 0.1.0
 */
public enum MaskKind {
    /** No mask: every element counts. */
    NONE,
    /** A {@code [rows, 1]} column (or a length-{@code rows} vector): one weight per row. */
    PER_EXAMPLE,
    /**
     * An array shaped like the labels: one weight per output element. Softmax losses accept it only
     * when it is constant within each row ({@link LossInputs#requireRowConstantMask}).
     */
    PER_OUTPUT
}
