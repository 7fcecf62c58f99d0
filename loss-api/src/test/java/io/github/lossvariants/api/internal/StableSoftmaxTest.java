package io.github.lossvariants.api.internal;

import io.github.lossvariants.api.internal.StableSoftmax;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StableSoftmaxTest {
    @Test
    void finiteInFloatWhereNd4jsLogSoftMaxGivesMinusInfinity() {
        for (DataType t : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray z = Nd4j.createFromArray(new double[][]{{100, -100}, {-100, 100}, {1, 2}}).castTo(t);
            INDArray z0 = z.dup();
            INDArray out = StableSoftmax.logSoftmax(z, z.ulike());
            assertEquals(z0, z);
            assertEquals(0.0, out.getDouble(0, 0), 1e-6);
            assertEquals(-200.0, out.getDouble(0, 1), 1e-4);
            assertEquals(-200.0, out.getDouble(1, 0), 1e-4);
            // log-softmax of [1, 2] = [-log(1 + e), 1 - log(1 + e)]
            double lse = Math.log(1 + Math.E);
            assertEquals(-lse, out.getDouble(2, 0), 1e-6);
            assertEquals(1 - lse, out.getDouble(2, 1), 1e-6);
        }
    }
}
