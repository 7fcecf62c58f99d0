package io.github.lossvariants.calibration.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Copies ND4J arrays into Java arrays in one bulk read. {@code INDArray.toDoubleMatrix} reads row
 * by row, one native call each: 12-20 s for an [86016, 11] array of pixel probabilities, against
 * milliseconds for one buffer copy. Internal: not for public use.
 */
public final class HostArrays {
    private HostArrays() {
    }

    /**
     * @param a a 2-D array of any numeric type and order
     * @return its rows as doubles
     */
    public static double[][] rows(INDArray a) {
        if (a.rank() != 2) {
            throw new IllegalArgumentException("expected a 2-D array, got shape " + Arrays.toString(a.shape()));
        }
        int rows = (int) a.size(0);
        int cols = (int) a.size(1);
        double[] flat = flat(a);
        double[][] out = new double[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(flat, r * cols, (r + 1) * cols);
        }
        return out;
    }

    /**
     * @param a an array of any numeric type, rank and order
     * @return its values as doubles in 'c' order
     */
    public static double[] flat(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
