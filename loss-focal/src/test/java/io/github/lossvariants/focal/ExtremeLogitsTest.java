package io.github.lossvariants.focal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logits of +-100 (and +-30, 0) in float and double, gamma 0 and in (0, 1) where the naive derivative
 * of (1 - p_t)^gamma is infinite: scores and gradients are finite and equal the analytic limits.
 */
class ExtremeLogitsTest {

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            for (double gamma : new double[]{0, 0.1, 0.5, 0.9, 1, 2}) {
                b.add(Arguments.of(type, gamma));
            }
        }
        return b.build();
    }

    private static void assertAllFinite(INDArray a, String what) {
        for (double v : a.dup().data().asDouble()) {
            assertTrue(Double.isFinite(v), what + " has a non-finite entry: " + a);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void sigmoidFocalIsFiniteAndMatchesTheLimits(DataType type, double gamma) {
        // columns: (z, y) = (100, 1), (100, 0), (-100, 1), (-100, 0), (100, 0.3), (-100, 0.3), (30, 1), (0, 1)
        INDArray z = Nd4j.createFromArray(new double[][]{{100, 100, -100, -100, 100, -100, 30, 0}}).castTo(type);
        INDArray y = Nd4j.createFromArray(new double[][]{{1, 0, 1, 0, 0.3, 0.3, 1, 1}}).castTo(type);
        double alpha = 0.25;
        FocalLoss loss = new FocalLoss(gamma, alpha);
        Pair<Double, INDArray> r = loss.computeGradientAndScore(y, z, new ActivationSigmoid(), null, false);
        INDArray elementScores = Nd4j.create(type, 1, 8);
        for (int j = 0; j < 8; j++) {
            elementScores.putScalar(0, j, loss.computeScore(y.getColumns(j), z.getColumns(j), new ActivationSigmoid(),
                    null, false));
        }
        assertTrue(Double.isFinite(r.getFirst()), "score " + r.getFirst());
        assertAllFinite(r.getSecond(), "gradient");
        assertAllFinite(elementScores, "element scores");
        double tol = type == DataType.DOUBLE ? 1e-9 : 1e-4;
        // y=1, z=100: p_t -> 1, loss and gradient vanish
        assertEquals(0, elementScores.getDouble(0, 0), tol);
        assertEquals(0, r.getSecond().getDouble(0, 0), tol);
        // y=0, z=100: CE = 100, 1 - p_t = 1: loss (1-alpha)*100, gradient (1-alpha)
        assertEquals((1 - alpha) * 100, elementScores.getDouble(0, 1), 100 * tol);
        assertEquals(1 - alpha, r.getSecond().getDouble(0, 1), tol);
        // y=1, z=-100: loss alpha*100, gradient -alpha
        assertEquals(alpha * 100, elementScores.getDouble(0, 2), 100 * tol);
        assertEquals(-alpha, r.getSecond().getDouble(0, 2), tol);
        // y=0, z=-100: vanish
        assertEquals(0, elementScores.getDouble(0, 3), tol);
        assertEquals(0, r.getSecond().getDouble(0, 3), tol);
        // soft y=0.3, z=100: CE = 70, 1 - p_t = 0.7, alpha_t = 0.3*0.25 + 0.7*0.75 = 0.6
        double at = 0.3 * alpha + 0.7 * (1 - alpha);
        assertEquals(at * Math.pow(0.7, gamma) * 70, elementScores.getDouble(0, 4), 100 * tol);
        // dL/dz = at*[F*(p-y) + gamma*F*(1-2y)*CE*r], p -> 1, r = p(1-p)/0.7 -> 0
        assertEquals(at * Math.pow(0.7, gamma) * 0.7, r.getSecond().getDouble(0, 4), tol);
        // soft y=0.3, z=-100: CE = 30, 1 - p_t = 0.3
        assertEquals(at * Math.pow(0.3, gamma) * 30, elementScores.getDouble(0, 5), 100 * tol);
        assertEquals(at * Math.pow(0.3, gamma) * -0.3, r.getSecond().getDouble(0, 5), tol);
        // y=1, z=0: p = 1/2, CE = log 2, F = 2^-gamma, r = 1/2:
        // dL/dz = alpha*2^-gamma*(-1/2 - gamma*log(2)/2)
        assertEquals(alpha * Math.pow(2, -gamma) * Math.log(2), elementScores.getDouble(0, 7), tol);
        assertEquals(alpha * Math.pow(2, -gamma) * (-0.5 - gamma * Math.log(2) / 2), r.getSecond().getDouble(0, 7), tol);
        // nothing mutated
        assertEquals(Nd4j.createFromArray(new double[][]{{100, 100, -100, -100, 100, -100, 30, 0}}).castTo(type), z);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void softmaxFocalIsFiniteAndMatchesTheLimits(DataType type, double gamma) {
        // row 0: target has logit 100 (certain and right); row 1: target has -100, another class 100 (certain and wrong);
        // row 2: all equal
        INDArray z = Nd4j.createFromArray(new double[][]{{100, -100, 0}, {-100, 100, 0}, {0, 0, 0}}).castTo(type);
        INDArray y = Nd4j.createFromArray(new double[][]{{1, 0, 0}, {1, 0, 0}, {0, 0, 1}}).castTo(type);
        double[] w = {2, 1, 0.5};
        SoftmaxFocalLoss loss = new SoftmaxFocalLoss(gamma, w);
        INDArray rows = loss.computeScoreArray(y, z, new ActivationSoftmax(), null);
        INDArray g = loss.computeGradient(y, z, new ActivationSoftmax(), null);
        assertAllFinite(rows, "row scores");
        assertAllFinite(g, "gradient");
        double tol = type == DataType.DOUBLE ? 1e-9 : 1e-4;
        assertEquals(0, rows.getDouble(0, 0), tol);
        for (int c = 0; c < 3; c++) {
            assertEquals(0, g.getDouble(0, c), tol);
        }
        // row 1: log p_0 = -200, (1 - p_0)^gamma = 1: loss 2*200; h_0 = -2, dz = h - p*sum(h) = (-2, 2, 0)
        assertEquals(400, rows.getDouble(1, 0), 400 * tol);
        assertEquals(-2, g.getDouble(1, 0), tol);
        assertEquals(2, g.getDouble(1, 1), tol);
        assertEquals(0, g.getDouble(1, 2), tol);
        // row 2: p = 1/3: loss 0.5*(2/3)^gamma*log 3
        assertEquals(0.5 * Math.pow(2.0 / 3, gamma) * Math.log(3), rows.getDouble(2, 0), tol);
    }
}
