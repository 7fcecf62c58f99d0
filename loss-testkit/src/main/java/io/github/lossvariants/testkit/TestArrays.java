package io.github.lossvariants.testkit;

import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Small reproducible test arrays from a {@link Random} (independent of ND4J's global RNG).
 *
 * @since 0.1.0
 */
public final class TestArrays {
    private TestArrays() {
    }

    /**
     * @return {@code [rows, cols]} of N(0, scale^2) values
     */
    public static INDArray gaussian(int rows, int cols, double scale, Random rng, DataType type) {
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextGaussian() * scale;
        }
        return Nd4j.createFromArray(v).reshape('c', new long[]{rows, cols}).castTo(type);
    }

    /**
     * @return {@code [rows, nOut]} of independent 0/1 values, each row holding at least one 1 and,
     * when nOut &gt; 1, at least one 0
     */
    public static INDArray binary(int rows, int nOut, Random rng, DataType type) {
        double[] v = new double[rows * nOut];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < nOut; c++) {
                v[r * nOut + c] = rng.nextBoolean() ? 1.0 : 0.0;
            }
            v[r * nOut + rng.nextInt(nOut)] = 1.0;
            if (nOut > 1) {
                int zero = rng.nextInt(nOut);
                if (v[r * nOut + zero] == 1.0 && sum(v, r * nOut, nOut) == 1.0) {
                    zero = (zero + 1) % nOut;
                }
                v[r * nOut + zero] = 0.0;
            }
        }
        return Nd4j.createFromArray(v).reshape('c', new long[]{rows, nOut}).castTo(type);
    }

    /**
     * @return {@code [rows, nOut]} one-hot rows with uniformly random classes
     */
    public static INDArray oneHot(int rows, int nOut, Random rng, DataType type) {
        double[] v = new double[rows * nOut];
        for (int r = 0; r < rows; r++) {
            v[r * nOut + rng.nextInt(nOut)] = 1.0;
        }
        return Nd4j.createFromArray(v).reshape('c', new long[]{rows, nOut}).castTo(type);
    }

    /**
     * @return one-hot rows for SOFTMAX, 0/1 values otherwise
     */
    public static INDArray labels(Activation act, int rows, int nOut, Random rng, DataType type) {
        return act == Activation.SOFTMAX ? oneHot(rows, nOut, rng, type) : binary(rows, nOut, rng, type);
    }

    private static double sum(double[] v, int from, int n) {
        double s = 0;
        for (int i = from; i < from + n; i++) {
            s += v[i];
        }
        return s;
    }
}
