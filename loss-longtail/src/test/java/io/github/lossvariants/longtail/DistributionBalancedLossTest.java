package io.github.lossvariants.longtail;

import io.github.lossvariants.api.LossConfigurationException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code distribution-balanced} against the paper's formula written as loops (rows without
 * positives, soft labels, per-output masks as unknown labels, logits of +-100), and its errors.
 */
class DistributionBalancedLossTest {
    private static final IActivation SIGMOID = new ActivationSigmoid();
    private static final double[] COUNTS = {300, 80, 20, 5};
    private static final double TRAIN = 500;

    /** Per element, by the formula of the class Javadoc; known = labels the mask leaves (1) or hides (0). */
    static double element(DistributionBalancedLoss l, double x, double y, int j, double[] row, double[] known) {
        double negScale = l.getNegScale();
        double b = -Math.log(TRAIN / COUNTS[j] - 1) * l.getInitBias() / negScale;
        double k = y + negScale * (1 - y);
        double z = k * (x + b);
        double repeat = 0;
        for (int c = 0; c < row.length; c++) {
            repeat += known[c] * row[c] / COUNTS[c];
        }
        double ratio = repeat == 0 ? Double.POSITIVE_INFINITY : (1 / COUNTS[j]) / repeat;
        double r = 1 / (1 + Math.exp(-l.getMapBeta() * (ratio - l.getMapGamma()))) + l.getMapAlpha();
        double w = r * (y + (1 - y) / negScale);
        double bce = Math.max(z, 0) - y * z + Math.log1p(Math.exp(-Math.abs(z)));
        double q = -Math.expm1(-bce);
        return l.getBalanceParam() * Math.pow(q, l.getGamma()) * w * bce;
    }

    private static void assertMatchesFormula(DistributionBalancedLoss loss, double[][] x, double[][] y, double[][] m) {
        double[] perRow = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] known = new double[x[i].length];
            for (int j = 0; j < known.length; j++) {
                known[j] = m == null || m[i][j] != 0 ? 1 : 0;
            }
            for (int j = 0; j < x[i].length; j++) {
                perRow[i] += (m == null ? 1 : m[i][j]) * element(loss, x[i][j], y[i][j], j, y[i], known);
            }
        }
        INDArray mask = m == null ? null : Nd4j.createFromArray(m);
        double[] actual = loss.computeScoreArray(Nd4j.createFromArray(y), Nd4j.createFromArray(x), SIGMOID, mask)
                .toDoubleVector();
        for (int i = 0; i < perRow.length; i++) {
            assertEquals(perRow[i], actual[i], 1e-12 * Math.max(1, perRow[i]), "row " + i);
        }
    }

    @Test
    void matchesTheFormula() {
        Random rng = new Random(21);
        double[][] y = {{1, 0, 0, 1}, {0, 0, 0, 0}, {0, 1, 1, 0}, {0.3, 0, 0.8, 0}, {0, 0, 0, 1}};
        double[][] m = {{1, 1, 0, 1}, {1, 1, 1, 1}, {1, 0, 1, 1}, {1, 1, 1, 1}, {0, 0, 0, 0}};
        List<Map<String, Object>> settings = List.of(Map.of(), Map.of("gamma", 0.5, "negScale", 5.0, "mapGamma", 0.3),
                Map.of("gamma", 0.0, "initBias", 0.0, "mapAlpha", 1.0));
        for (Map<String, Object> p : settings) {
            Map<String, Object> all = new HashMap<>(p);
            all.put("classCounts", COUNTS);
            all.put("trainNum", TRAIN);
            DistributionBalancedLoss loss = new DistributionBalancedLoss(all);
            double[][] x = new double[5][4];
            for (double[] row : x) {
                for (int j = 0; j < 4; j++) {
                    row[j] = 3 * rng.nextGaussian();
                }
            }
            assertMatchesFormula(loss, x, y, null);
            assertMatchesFormula(loss, x, y, m);
            double[][] extreme = {{100, -100, 100, -100}, {-100, 100, 100, -100}, {100, 100, -100, -100},
                    {-100, -100, 100, 100}, {100, -100, -100, 100}};
            assertMatchesFormula(loss, extreme, y, null);
        }
    }

    @Test
    void aRowWithoutPositivesGetsTheLimitWeight() {
        // r = 1 + mapAlpha for every label: with gamma 0, initBias 0, negScale 1, balanceParam 1 the loss is
        // (1 + mapAlpha) * BCE(x, 0) = 1.1 * softplus(x)
        DistributionBalancedLoss loss = new DistributionBalancedLoss(Map.of("classCounts", COUNTS, "trainNum", TRAIN,
                "gamma", 0.0, "initBias", 0.0, "negScale", 1.0, "balanceParam", 1.0));
        double[][] x = {{0.5, -1, 2, 0}};
        double expected = 0;
        for (double v : x[0]) {
            expected += 1.1 * Math.log1p(Math.exp(v));
        }
        assertEquals(expected, loss.computeScore(Nd4j.zeros(DataType.DOUBLE, 1, 4), Nd4j.createFromArray(x), SIGMOID,
                null, false), 1e-13);
    }

    @Test
    void countsMustFitTheOutputAndTrainNum() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> new DistributionBalancedLoss(new double[]{10, 600}, 600));
        assertTrue(e.getMessage().contains("classCounts[1] = 600.0 is not below trainNum = 600.0"), e.getMessage());
        DistributionBalancedLoss loss = new DistributionBalancedLoss(new double[]{10, 20, 30}, 100);
        e = assertThrows(LossConfigurationException.class, () -> loss.computeScore(Nd4j.zeros(DataType.FLOAT, 2, 4),
                Nd4j.zeros(DataType.FLOAT, 2, 4), SIGMOID, null, false));
        assertTrue(e.getMessage().startsWith("distribution-balanced: classCounts has 3 entries [10.0, 20.0, 30.0] but"
                + " the output has 4 classes (nOut = 4)"), e.getMessage());
        assertArrayEquals(new double[]{10, 20, 30}, loss.getClassCounts(), 0.0);
    }
}
