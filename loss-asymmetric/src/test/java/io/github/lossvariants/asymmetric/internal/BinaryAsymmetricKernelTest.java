package io.github.lossvariants.asymmetric.internal;

import io.github.lossvariants.api.internal.LossInputs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 0/1-label kernel against the general kernel (an independent derivation of the same
 * formula): equal loss and gradient, element by element, for every exponent and clip case it
 * accepts, at ordinary and extreme logits (both clamps active), detached or not.
 */
class BinaryAsymmetricKernelTest {

    static Stream<Arguments> cases() {
        List<Arguments> l = new ArrayList<>();
        for (double gn : new double[]{0, 1, 1.5, 2, 3, 4, 6}) {
            for (double gp : new double[]{0, 0.5, 1, 2}) {
                for (double clip : new double[]{0, 1e-9, 0.05, 0.3}) {
                    for (boolean detach : new boolean[]{false, true}) {
                        l.add(Arguments.of(gn, gp, clip, detach));
                    }
                }
            }
        }
        return l.stream();
    }

    @ParameterizedTest(name = "gammaNeg={0} gammaPos={1} clip={2} detach={3}")
    @MethodSource("cases")
    void agreesWithTheGeneralKernel(double gn, double gp, double clip, boolean detach) {
        SplittableRandom r = new SplittableRandom(7);
        int rows = 40;
        int cols = 6;
        double[][] x = new double[rows][cols];
        double[][] y = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                // ordinary logits, and in the last rows extreme ones that activate both log clamps
                x[i][j] = i < rows - 8 ? r.nextDouble(-8, 8) : r.nextDouble(-60, 60);
                y[i][j] = r.nextInt(3) == 0 ? 1 : 0;
            }
        }
        x[0][0] = 0;
        x[1][1] = -25;
        y[1][1] = 1;
        x[2][2] = 25;
        y[2][2] = 0;
        INDArray xs = Nd4j.createFromArray(x);
        INDArray ys = Nd4j.createFromArray(y);
        assertTrue(LossInputs.isBinary(ys));
        assertTrue(BinaryAsymmetricKernel.supports(gn));
        INDArray loss = xs.ulike();
        INDArray grad = xs.ulike();
        BinaryAsymmetricKernel.compute(xs, ys, loss, grad, gn, gp, clip, detach);
        INDArray lossRef = xs.ulike();
        INDArray gradRef = xs.ulike();
        AsymmetricKernel.computeGeneral(xs, ys, lossRef, gradRef, gn, gp, clip, detach);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                String at = " at [" + i + ", " + j + "], x = " + x[i][j] + ", y = " + y[i][j];
                assertClose(lossRef.getDouble(i, j), loss.getDouble(i, j), "loss" + at);
                assertClose(gradRef.getDouble(i, j), grad.getDouble(i, j), "gradient" + at);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void softLabelsAndSmallNegativeExponentsTakeTheGeneralKernel() {
        assertFalse(LossInputs.isBinary(Nd4j.createFromArray(new float[][]{{0, 1, 0.5f}})));
        assertTrue(LossInputs.isBinary(Nd4j.createFromArray(new float[][]{{0, 1, 1}})));
        assertFalse(LossInputs.isBinary(Nd4j.createFromArray(new float[][]{{0, 1, 2}})));
        assertFalse(LossInputs.isBinary(Nd4j.createFromArray(new float[][]{{0, 1, -1}})));
        assertFalse(BinaryAsymmetricKernel.supports(0.5));
    }

    private static void assertClose(double expected, double actual, String what) {
        assertTrue(Double.isFinite(actual), what + " is " + actual);
        assertEquals(expected, actual, 1e-12 + 1e-10 * Math.abs(expected), what);
    }
}
