package io.github.lossvariants.calibration.scaling;

import io.github.lossvariants.calibration.metrics.BinEdges;
import io.github.lossvariants.calibration.metrics.CalibrationMetrics;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Post-hoc scaling on a deliberately over-confident model: labels are drawn from softmax(z) (so z is
 * perfectly calibrated) and the "model" reports 3z.
 */
class PostHocScalingTest {
    static final double OVERCONFIDENCE = 3.0;

    /** rows of {true logits..., label} */
    static double[][][] synthetic(int n, int k, long seed) {
        Random r = new Random(seed);
        double[][] z = new double[n][k];
        double[][] y = new double[n][k];
        for (int i = 0; i < n; i++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                z[i][c] = 1.2 * r.nextGaussian();
                m = Math.max(m, z[i][c]);
            }
            double s = 0;
            double[] p = new double[k];
            for (int c = 0; c < k; c++) {
                p[c] = Math.exp(z[i][c] - m);
                s += p[c];
            }
            double u = r.nextDouble() * s;
            int label = k - 1;
            for (int c = 0; c < k; c++) {
                u -= p[c];
                if (u <= 0) {
                    label = c;
                    break;
                }
            }
            y[i][label] = 1;
        }
        return new double[][][]{z, y};
    }

    static INDArray softmax(INDArray z) {
        return Nd4j.exec(new SoftMax(z.dup(), z.ulike(), 1))[0];
    }

    @Test
    void temperatureScalingRemovesOverconfidence() {
        double[][][] val = synthetic(3000, 5, 1);
        double[][][] test = synthetic(3000, 5, 2);
        INDArray valLogits = Nd4j.createFromArray(val[0]).muli(OVERCONFIDENCE);
        INDArray testLogits = Nd4j.createFromArray(test[0]).muli(OVERCONFIDENCE);
        INDArray valY = Nd4j.createFromArray(val[1]);
        INDArray testY = Nd4j.createFromArray(test[1]);

        TemperatureScaling ts = TemperatureScaling.fit(valLogits, valY);
        assertEquals(OVERCONFIDENCE, ts.temperature(), 0.3, "T recovers the over-confidence factor");

        INDArray before = softmax(testLogits);
        INDArray after = ts.calibrateLogits(testLogits);
        double eceBefore = CalibrationMetrics.ece(before, testY);
        double eceAfter = CalibrationMetrics.ece(after, testY);
        assertTrue(eceBefore > 0.10, "the model is over-confident: ECE " + eceBefore);
        assertTrue(eceAfter < 0.03 && eceAfter < eceBefore / 4, "ECE " + eceBefore + " -> " + eceAfter);
        assertTrue(CalibrationMetrics.nll(after, testY) < CalibrationMetrics.nll(before, testY));
        // the argmax never changes
        assertEquals(Nd4j.argMax(before, 1), Nd4j.argMax(after, 1));

        // T minimises the validation NLL
        double best = TemperatureScaling.nll(valLogits, valY, ts.temperature());
        assertTrue(best <= TemperatureScaling.nll(valLogits, valY, ts.temperature() * 1.01));
        assertTrue(best <= TemperatureScaling.nll(valLogits, valY, ts.temperature() / 1.01));

        // fitting from the network's probabilities gives the same T and the same calibrated output
        TemperatureScaling fromProbs = TemperatureScaling.fitOnProbabilities(softmax(valLogits), valY);
        assertEquals(ts.temperature(), fromProbs.temperature(), 1e-6);
        INDArray viaProbs = fromProbs.calibrateProbabilities(before);
        assertTrue(viaProbs.sub(after).amaxNumber().doubleValue() < 1e-6);
    }

    @Test
    void temperatureFitIsNearOneForACalibratedModel() {
        double[][][] val = synthetic(4000, 4, 3);
        TemperatureScaling ts = TemperatureScaling.fit(Nd4j.createFromArray(val[0]), Nd4j.createFromArray(val[1]));
        assertEquals(1.0, ts.temperature(), 0.1);
    }

    @Test
    void plattScalingPerLabelRemovesOverconfidence() {
        int n = 3000;
        int labels = 3;
        Random r = new Random(7);
        double[][][] sets = new double[2][][];
        double[][][] ys = new double[2][][];
        for (int s = 0; s < 2; s++) {
            double[][] z = new double[n][labels];
            double[][] y = new double[n][labels];
            for (int i = 0; i < n; i++) {
                for (int l = 0; l < labels; l++) {
                    double t = 1.5 * r.nextGaussian() - 0.5 * l;
                    y[i][l] = r.nextDouble() < 1 / (1 + Math.exp(-t)) ? 1 : 0;
                    z[i][l] = 4 * t + 1.0; // over-confident and shifted
                }
            }
            sets[s] = z;
            ys[s] = y;
        }
        INDArray valZ = Nd4j.createFromArray(sets[0]);
        INDArray testZ = Nd4j.createFromArray(sets[1]);
        PlattScaling platt = PlattScaling.fit(valZ, Nd4j.createFromArray(ys[0]));
        for (int l = 0; l < labels; l++) {
            // P = 1/(1+exp(A f + B)) with f = 4t + 1 recovers sigmoid(t): A ~ -1/4, B ~ 1/4
            assertEquals(-0.25, platt.slopes()[l], 0.04, "A of label " + l);
            assertEquals(0.25, platt.offsets()[l], 0.12, "B of label " + l);
        }
        INDArray testY = Nd4j.createFromArray(ys[1]);
        double before = CalibrationMetrics.multiLabelEce(Transforms.sigmoid(testZ, true), testY).macro();
        INDArray calibrated = platt.calibrateLogits(testZ);
        double after = CalibrationMetrics.multiLabelEce(calibrated, testY).macro();
        assertTrue(before > 0.08, "over-confident: " + before);
        assertTrue(after < 0.03 && after < before / 3, "macro ECE " + before + " -> " + after);
        INDArray viaProbs = platt.calibrateProbabilities(Transforms.sigmoid(testZ, true));
        assertTrue(viaProbs.sub(calibrated).amaxNumber().doubleValue() < 1e-9);
    }

    @Test
    void plattFitIsTheOptimumOfTheSmoothedTargetLogLoss() {
        double[] f = {-2, -1, -0.5, 0.2, 0.4, 1, 1.5, 3, -0.1, 0.8};
        double[] y = {0, 0, 1, 0, 1, 1, 0, 1, 0, 1};
        double[] ab = PlattScaling.fitOne(f, y);
        // independent check: the gradient of sum_i [-t_i log P_i - (1-t_i) log(1-P_i)] vanishes at (A, B)
        double np = 5;
        double nn = 5;
        double ga = 0;
        double gb = 0;
        for (int i = 0; i < f.length; i++) {
            double t = y[i] == 1 ? (np + 1) / (np + 2) : 1 / (nn + 2);
            double p = 1 / (1 + Math.exp(ab[0] * f[i] + ab[1]));
            // d/dA of the loss = sum (t - p) f ; d/dB = sum (t - p)
            ga += (t - p) * f[i];
            gb += t - p;
        }
        assertEquals(0.0, ga, 1e-7);
        assertEquals(0.0, gb, 1e-7);
        assertTrue(ab[0] < 0, "a useful score has A < 0");
    }

    @Test
    void eceGridFixtureUnaffectedByConventionForScaledOutputs() {
        double[][][] val = synthetic(500, 3, 9);
        INDArray p = softmax(Nd4j.createFromArray(val[0]));
        INDArray y = Nd4j.createFromArray(val[1]);
        // continuous confidences never sit on an edge, so the two conventions agree
        assertEquals(CalibrationMetrics.ece(p, y, 15, BinEdges.UPPER_INCLUSIVE),
                CalibrationMetrics.ece(p, y, 15, BinEdges.LOWER_INCLUSIVE), 1e-12);
        assertEquals(DataType.DOUBLE, p.dataType());
    }
}
