package io.github.lossvariants.focal.internal;

import io.github.lossvariants.api.ParameterSpec;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The parameters the losses of {@code loss-focal} share (each loss's {@code SCHEMA} lists its own),
 * and numeric guards. Internal: not for public use.
 */
public final class FocalParameters {
    private FocalParameters() {
    }

    /** {@code focal} and {@code softmax-focal}: the focusing exponent. */
    public static final ParameterSpec GAMMA = ParameterSpec.ofDouble("gamma", 2.0,
            "focusing exponent on (1 - p_t); 0 gives plain cross-entropy, larger values down-weight easy examples more")
            .atLeast(0);

    /** {@code focal}: weight of positive targets; absent means no class balancing. */
    public static final ParameterSpec ALPHA = ParameterSpec.ofDouble("alpha", null,
            "weight of positive targets, 1 - alpha for negatives; absent = no class balancing (RetinaNet/torchvision use 0.25)")
            .between(0, 1);

    /** {@code softmax-focal}: one positive weight per class. */
    public static final ParameterSpec CLASS_WEIGHTS = ParameterSpec.ofDoubleArray("classWeights", null,
            "one weight per class multiplying that class's term; length must equal nOut; absent = all 1")
            .greaterThan(0);

    /** @return the smallest positive normal number of the type: guards divisions without changing normal values */
    public static double tiny(DataType type) {
        switch (type) {
            case DOUBLE:
                return Double.MIN_NORMAL;
            case HALF:
                return 6.103515625e-5;
            default:
                return Float.MIN_NORMAL;
        }
    }
}
