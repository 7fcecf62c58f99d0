package io.github.lossvariants.focal.internal;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;

/**
 * Parameter schemas of the losses in {@code loss-focal}, shared by the providers (registry path)
 * and the loss constructors (Java and JSON paths), so that every path rejects the same values with
 * the same message. Internal: not for public use.
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

    /** {@code bce} and {@code ce}: per-output weights handed to DL4J's loss. */
    public static final ParameterSpec WEIGHTS = ParameterSpec.ofDoubleArray("weights", null,
            "one weight per output column (DL4J's weights); length must equal nOut; absent = all 1")
            .atLeast(0);

    /** {@code bce}: DL4J's probability clipping. */
    public static final ParameterSpec CLIP_EPS = ParameterSpec.ofDouble("clipEps", 1e-5,
            "DL4J LossBinaryXENT clipping: probabilities are clipped to [clipEps, 1 - clipEps]; 0 = no clipping")
            .atLeast(0).lessThan(0.5);

    /** Schema of {@code focal}. */
    public static final ParameterSchema FOCAL = ParameterSchema.of(GAMMA, ALPHA);
    /** Schema of {@code softmax-focal}. */
    public static final ParameterSchema SOFTMAX_FOCAL = ParameterSchema.of(GAMMA, CLASS_WEIGHTS);
    /** Schema of {@code bce}. */
    public static final ParameterSchema BCE = ParameterSchema.of(WEIGHTS, CLIP_EPS);
    /** Schema of {@code ce}. */
    public static final ParameterSchema CE = ParameterSchema.of(WEIGHTS);

    /**
     * Validates one real value against its spec (the schema rejects NaN and infinities).
     *
     * @return the value
     * @throws LossConfigurationException with the schema's message
     */
    public static double check(String loss, ParameterSpec spec, double value) {
        spec.validate(loss, value);
        return value;
    }

    /**
     * Validates an optional list of reals (null allowed: absent) and returns a defensive copy.
     *
     * @return a copy, or null when absent
     * @throws LossConfigurationException with the schema's message
     */
    public static double[] check(String loss, ParameterSpec spec, double[] values) {
        if (values == null) {
            return null;
        }
        spec.validate(loss, values);
        for (int i = 0; i < values.length; i++) {
            if (Double.isInfinite(values[i])) {
                throw new LossConfigurationException("loss '" + loss + "': invalid value for parameter " + spec.name()
                        + ": element " + i + " is " + values[i] + ", every element must be a finite number "
                        + spec.rangeText());
            }
        }
        return values.clone();
    }

    /** @return the smallest positive normal number of the type: guards divisions without changing normal values */
    public static double tiny(org.nd4j.linalg.api.buffer.DataType type) {
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
