package io.github.lossvariants.calibration;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/** Small deterministic test inputs. */
final class TestArrays {
    private TestArrays() {
    }

    static double[][] logits(int rows, int cols, double scale, long seed) {
        Random r = new Random(seed);
        double[][] z = new double[rows][cols];
        for (double[] row : z) {
            for (int k = 0; k < cols; k++) {
                row[k] = scale * r.nextGaussian();
            }
        }
        return z;
    }

    static double[][] oneHot(int rows, int cols, long seed) {
        Random r = new Random(seed);
        double[][] y = new double[rows][cols];
        for (double[] row : y) {
            row[r.nextInt(cols)] = 1;
        }
        return y;
    }

    static double[][] binary(int rows, int cols, long seed) {
        Random r = new Random(seed);
        double[][] y = new double[rows][cols];
        for (double[] row : y) {
            for (int k = 0; k < cols; k++) {
                row[k] = r.nextBoolean() ? 1 : 0;
            }
        }
        return y;
    }

    static INDArray arr(double[][] a, DataType t) {
        return Nd4j.createFromArray(a).castTo(t);
    }
}
