package io.github.lossvariants.api.dl4j;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The log-softmax handed to subclasses is exact for logits far apart. ND4J's LogSoftMax op returns
 * -inf in float for logits 100 apart (it computes log(softmax)), which made every softmax loss
 * NaN (-inf * 0) there.
 */
class SoftmaxLogProbStabilityTest {

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void crossEntropyIsExactForLogitsFarApart(DataType type) {
        INDArray z = Nd4j.createFromArray(new double[][]{{100, -100, 0}, {-100, 100, 0}, {10, -100, 0}, {1000, -1000, 0}})
                .castTo(type);
        INDArray y = Nd4j.createFromArray(new double[][]{{0, 1, 0}, {1, 0, 0}, {0, 0, 1}, {0, 1, 0}}).castTo(type);
        Pair<Double, INDArray> r = new SoftmaxCrossEntropyTestLoss().computeGradientAndScore(y, z, new ActivationSoftmax(),
                null, false);
        INDArray rows = new SoftmaxCrossEntropyTestLoss().computeScoreArray(y, z, new ActivationSoftmax(), null);
        double tol = type == DataType.DOUBLE ? 1e-12 : 1e-5;
        assertEquals(200, rows.getDouble(0, 0), 200 * tol);
        assertEquals(200, rows.getDouble(1, 0), 200 * tol);
        // -log p_2 = log(e^10 + e^-100 + 1) = 10 + log1p(e^-10 + e^-110)
        assertEquals(10 + Math.log1p(Math.exp(-10) + Math.exp(-110)), rows.getDouble(2, 0), 10 * tol);
        assertEquals(2000, rows.getDouble(3, 0), 2000 * tol);
        assertEquals(2410 + Math.log1p(Math.exp(-10) + Math.exp(-110)), r.getFirst(), 2410 * tol);
        // dL/dz = p - y
        assertEquals(-1, r.getSecond().getDouble(0, 1), tol);
        assertEquals(1, r.getSecond().getDouble(0, 0), tol);
        assertEquals(Math.exp(-10) / (1 + Math.exp(-10) + Math.exp(-110)) - 1, r.getSecond().getDouble(2, 2), tol);
    }
}
