package io.github.lossvariants.longtail.internal;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ParameterSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * The parameters the losses of {@code loss-longtail} share (each loss's {@code SCHEMA} lists its
 * own), the class-count check every loss with per-class constants runs, and numeric guards.
 * Internal: not for public use.
 */
public final class LongTailParameters {
    private LongTailParameters() {
    }

    /** Training examples per class (single-label losses). */
    public static final ParameterSpec CLASS_COUNTS = ParameterSpec.ofDoubleArray("classCounts", null,
            "training examples per class, one per output (length = nOut), each > 0; get them with"
                    + " ClassCounts.of(trainingIterator)").greaterThan(0).required();

    /** Focusing exponent of the focal terms. */
    public static final ParameterSpec GAMMA = ParameterSpec.ofDouble("gamma", 2.0,
            "focusing exponent on (1 - p_t); 0 removes the focal factor").atLeast(0);

    /**
     * Checks that a per-class parameter has one entry per output.
     *
     * @param loss      the loss's registry name
     * @param parameter the parameter's name
     * @param values    its values
     * @param classes   the output width (nOut)
     * @throws LossConfigurationException naming the loss, the parameter, both lengths and the fix
     */
    public static void requireOnePerClass(String loss, String parameter, double[] values, long classes) {
        if (values.length != classes) {
            throw new LossConfigurationException(loss + ": " + parameter + " has " + values.length + " entries "
                    + shortList(values) + " but the output has " + classes + " classes (nOut = " + classes
                    + "); give exactly one value per class, in the order of the output columns");
        }
    }

    /** @return the values as a {@code [1, n]} row in the given type */
    public static INDArray row(double[] values, DataType type) {
        return Nd4j.createFromArray(values).castTo(type).reshape(1, values.length);
    }

    /** @return the values as an {@code [n, 1]} column in the given type */
    public static INDArray column(double[] values, DataType type) {
        return Nd4j.createFromArray(values).castTo(type).reshape(values.length, 1);
    }

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

    private static String shortList(double[] values) {
        if (values.length <= 12) {
            return Arrays.toString(values);
        }
        return Arrays.toString(Arrays.copyOf(values, 12)).replace("]", ", ...]");
    }
}
