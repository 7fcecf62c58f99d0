package io.github.lossvariants.calibration.internal;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row-wise helpers on {@code [rows, classes]} arrays. Internal class, not for public use.
 */
public final class Rows {
    private Rows() {
    }

    /** @return a {@code [rows, classes]} array of the input's type with a single 1 per row at the row's argmax (first on ties) */
    public static INDArray argMaxOneHot(INDArray x) {
        INDArray idx = Nd4j.argMax(x, 1);
        INDArray out = Nd4j.exec(new OneHot(idx, (int) x.size(1), -1, 1.0, 0.0, x.dataType()))[0];
        return out.reshape(x.size(0), x.size(1));
    }
}
