package io.github.lossvariants.examples;

import io.github.lossvariants.calibration.scaling.TemperatureScaling;
import io.github.lossvariants.examples.metrics.SigmoidTemperature;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Temperature scaling of sigmoid outputs as the benchmarks use it; expected values from the formulas. */
class CalibrationScalingTest {

    /** Labels drawn from sigmoid(z / trueT): the NLL-optimal temperature of a large sample is close to trueT. */
    static double[][][] sample(int n, int labels, double trueT, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] z = new double[n][labels];
        double[][] y = new double[n][labels];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < labels; j++) {
                z[i][j] = 3 * rnd.nextGaussian();
                y[i][j] = rnd.nextDouble() < 1 / (1 + Math.exp(-z[i][j] / trueT)) ? 1 : 0;
            }
        }
        return new double[][][]{z, y};
    }

    static double nll(double[][] z, double[][] y, double t) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < z.length; i++) {
            for (int j = 0; j < z[i].length; j++) {
                double a = z[i][j] / t;
                // -log sigmoid(a) = log1p(exp(-a)); -log(1 - sigmoid(a)) = log1p(exp(a)), in the stable form
                double x = y[i][j] > 0.5 ? -a : a;
                s += Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
                n++;
            }
        }
        return s / n;
    }

    @Test
    void scaledProbabilitiesAreTheSigmoidOfTheScaledLogitAndTheNllIsTheBinaryOne() {
        double[][] z = {{-40, -2, 0}, {0.5, 3, 40}};
        double[][] y = {{1, 0, 1}, {0, 1, 0}};
        TemperatureScaling t = new TemperatureScaling(2.5);
        double[][] p = SigmoidTemperature.probabilities(z, t);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(1 / (1 + Math.exp(-z[i][j] / 2.5)), p[i][j], 1e-15);
            }
        }
        // logits of +-40 are beyond float saturation and beyond 1 - p in double: the NLL stays exact
        assertEquals(nll(z, y, 2.5), SigmoidTemperature.nll(z, y, t), 1e-12);
        assertEquals(nll(z, y, 1), SigmoidTemperature.nll(z, y, SigmoidTemperature.IDENTITY), 1e-12);
    }

    @Test
    void theFittedTemperatureMinimisesTheNllAndFindsTheGeneratingOne() {
        double[][][] s = sample(4000, 3, 2.0, 7);
        double t = SigmoidTemperature.fit(s[0], s[1]).temperature();
        assertEquals(2.0, t, 0.15, "labels drawn from sigmoid(z / 2)");
        double best = nll(s[0], s[1], t);
        assertTrue(best < nll(s[0], s[1], t * 1.01) && best < nll(s[0], s[1], t / 1.01), "T = " + t + " is a minimum");
    }

    @Test
    void crossFittingScalesEachFoldWithTheTemperatureOfTheOther() {
        // fold 0 rows come from T = 0.5, fold 1 rows from T = 3: each fold is scaled with the other's fit
        double[][][] a = sample(1500, 2, 0.5, 1);
        assertTrue(SigmoidTemperature.fit(a[0], a[1]).temperature() < 0.7, "the folds need different temperatures");
        double[][][] b = sample(1500, 2, 3.0, 2);
        double[][] z = new double[3000][];
        double[][] y = new double[3000][];
        int[] fold = SigmoidTemperature.alternatingFolds(3000);
        for (int i = 0; i < 1500; i++) {
            z[2 * i] = a[0][i];
            y[2 * i] = a[1][i];
            z[2 * i + 1] = b[0][i];
            y[2 * i + 1] = b[1][i];
        }
        SigmoidTemperature.Scaled scaled = SigmoidTemperature.crossFitted(z, y, fold);
        double t0 = SigmoidTemperature.fit(a[0], a[1]).temperature();
        double t1 = SigmoidTemperature.fit(b[0], b[1]).temperature();
        assertEquals((t0 + t1) / 2, scaled.temperature(), 1e-12);
        assertArrayEquals(SigmoidTemperature.probabilities(new double[][]{a[0][5]}, new TemperatureScaling(t1))[0],
                scaled.probabilities()[10], 1e-15, "a fold-0 row is scaled with fold 1's temperature");
        assertArrayEquals(SigmoidTemperature.probabilities(new double[][]{b[0][5]}, new TemperatureScaling(t0))[0],
                scaled.probabilities()[11], 1e-15, "a fold-1 row is scaled with fold 0's temperature");
        double expectedNll = (nll(a[0], a[1], t1) + nll(b[0], b[1], t0)) / 2;
        assertEquals(expectedNll, scaled.nll(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> SigmoidTemperature.crossFitted(z, y, new int[3000]),
                "one empty fold");
    }

    @Test
    void stratifiedFoldsSplitEachClassInHalves() {
        double[] y = {1, 0, 0, 1, 1, 0, 1, 0, 0};
        assertArrayEquals(new int[]{0, 0, 1, 1, 0, 0, 1, 1, 0}, SigmoidTemperature.stratifiedFolds(y));
        assertArrayEquals(new int[]{0, 1, 0, 1, 0}, SigmoidTemperature.alternatingFolds(5));
    }
}
