package io.github.lossvariants.conformance;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class RowLayoutTest {

    @Test
    void rowsFollowCnnLossLayerOrder() {
        // [N=1, C=2, H=2, W=2]: element (n, c, h, w) at c-order index c*4 + h*2 + w; row = h*2 + w
        double[] flat = {0, 1, 2, 3, 10, 11, 12, 13};
        INDArray rows = ConformanceRunner.toRows(flat, new long[]{1, 2, 2, 2}, DataType.DOUBLE);
        assertArrayEquals(new long[]{4, 2}, rows.shape());
        assertArrayEquals(new double[][]{{0, 10}, {1, 11}, {2, 12}, {3, 13}}, rows.toDoubleMatrix());
        assertArrayEquals(flat, ConformanceRunner.fromRows(rows, new long[]{1, 2, 2, 2}));
    }
}
