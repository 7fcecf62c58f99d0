package io.github.lossvariants.api.internal;

import io.github.lossvariants.api.dl4j.MaskKind;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Applies a checked mask to result arrays the loss owns. Internal: not for public use. */
public final class Masks {
    private Masks() {
    }

    /** Multiplies each non-null target in place by the mask (per row or per output). */
    public static void apply(MaskKind kind, INDArray mask, INDArray... targets) {
        if (kind == MaskKind.NONE) {
            return;
        }
        for (INDArray t : targets) {
            if (t == null) {
                continue;
            }
            if (kind == MaskKind.PER_EXAMPLE) {
                t.muliColumnVector(mask);
            } else {
                t.muli(mask);
            }
        }
    }
}
