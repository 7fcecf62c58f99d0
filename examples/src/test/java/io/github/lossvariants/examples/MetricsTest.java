package io.github.lossvariants.examples;

import io.github.lossvariants.calibration.metrics.ReliabilityDiagram;
import io.github.lossvariants.examples.metrics.BinaryMetrics;
import io.github.lossvariants.examples.metrics.CalibrationBins;
import io.github.lossvariants.examples.metrics.Metric;
import io.github.lossvariants.examples.metrics.Metrics;
import io.github.lossvariants.examples.metrics.MultiLabelMetrics;
import io.github.lossvariants.examples.metrics.Stats;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expected values are computed by hand (in the comments), following scikit-learn's definitions; the
 * comparisons with scikit-learn itself are in {@link SklearnMetricsTest}.
 */
class MetricsTest {
    static final double[] S = {0.9, 0.8, 0.7, 0.6};
    static final double[] Y = {1, 0, 1, 0};

    @Test
    void averagePrecision() {
        // thresholds 0.9: P 1, R .5; 0.8: P .5, R .5; 0.7: P 2/3, R 1 -> .5*1 + 0 + .5*2/3
        assertEquals(0.5 + 1.0 / 3, BinaryMetrics.averagePrecision(S, Y), 1e-12);
        // a tie of a positive and a negative at the top counts as one threshold: P .5 at R 1
        assertEquals(0.5, BinaryMetrics.averagePrecision(new double[]{0.7, 0.7}, new double[]{1, 0}), 1e-12);
        assertEquals(1.0, BinaryMetrics.averagePrecision(new double[]{0.9, 0.1}, new double[]{1, 0}), 1e-12);
    }

    @Test
    void rocAuc() {
        // pairs (pos, neg): (.9,.8) ok, (.9,.6) ok, (.7,.8) wrong, (.7,.6) ok -> 3/4
        assertEquals(0.75, BinaryMetrics.rocAuc(S, Y), 1e-12);
        assertEquals(0.5, BinaryMetrics.rocAuc(new double[]{0.5, 0.5}, new double[]{1, 0}), 1e-12);
        assertEquals(Double.NaN, BinaryMetrics.rocAuc(new double[]{0.5, 0.4}, new double[]{1, 1}));
    }

    @Test
    void thresholdedCounts() {
        long[] c = BinaryMetrics.confusion(new double[]{0.9, 0.5, 0.4, 0.2}, new double[]{1, 0, 1, 0}, 0.5);
        assertArrayEquals(new long[]{1, 1, 1, 1}, c);
        assertEquals(0.5, BinaryMetrics.precision(c));
        assertEquals(0.5, BinaryMetrics.recall(c));
        assertEquals(0.5, BinaryMetrics.f1(c));
        assertEquals(0.5, BinaryMetrics.accuracy(c));
        assertEquals((0.01 + 0.25 + 0.36 + 0.04) / 4, BinaryMetrics.brier(new double[]{0.9, 0.5, 0.4, 0.2},
                new double[]{1, 0, 1, 0}), 1e-12);
    }

    @Test
    void eceUsesEqualWidthBinsClosedOnTheRight() {
        // 0.95 -> bin 14: conf .95, acc .5, gap .45; 0.25 -> bin 3: conf .25, acc 1, gap .75; weights .5 each
        ReliabilityDiagram d = CalibrationBins.equalWidth(new double[]{0.95, 0.95, 0.25, 0.25}, new double[]{1, 0, 1, 1});
        assertEquals(0.6, d.ece(), 1e-12);
        double[][] bins = CalibrationBins.toCellBins(d);
        assertEquals(15, bins.length);
        assertArrayEquals(new double[]{0.95, 0.5, 2}, bins[14], 1e-12);
        assertArrayEquals(new double[]{0.25, 1, 2}, bins[3], 1e-12);
        assertArrayEquals(new double[]{0, 0, 0}, bins[7], 0);
        // 1/15 sits on an edge: (lo, hi] puts it in bin 0 together with 0.0
        assertEquals(2, CalibrationBins.equalWidth(new double[]{0.0, 1.0 / 15}, new double[]{1, 1}).count(0));
    }

    @Test
    void binaryTopLabelTakesTheDecisionAtOneHalf() {
        // p .9 (y 1): conf .9 right; p .2 (y 1): conf .8 wrong; p .5 (y 0): predicted positive, conf .5 wrong
        CalibrationBins.TopLabel t = CalibrationBins.TopLabel.binary(new double[]{0.9, 0.2, 0.5}, new double[]{1, 1, 0});
        assertArrayEquals(new double[]{0.9, 0.8, 0.5}, t.confidence(), 1e-15);
        assertArrayEquals(new double[]{1, 0, 0}, t.correct(), 0);
        // bins 13 (.9, acc 1), 11 (.8, acc 0), 7 (.5, acc 0): (.1 + .8 + .5) / 3
        assertEquals(1.4 / 3, t.ece(), 1e-12);
        // three equal-mass bins of 15 hold one sample each: the same gaps
        assertEquals(1.4 / 3, t.adaptiveEce(), 1e-12);
    }

    @Test
    void multiLabelEceIsTheMacroMeanOfThePositiveClassEce() {
        double[][] p = {{0.9, 0.1}, {0.7, 0.3}};
        double[][] y = {{1, 0}, {0, 1}};
        // label 0: bins 13 (.9, pos 1 -> gap .1) and 10 (.7, pos 0 -> gap .7), weights .5: .4;
        // label 1: bins 1 (.1, pos 0 -> .1) and 4 (.3, pos 1 -> .7): .4
        assertArrayEquals(new double[]{0.4, 0.4}, CalibrationBins.perLabelEce(p, y), 1e-12);
        assertEquals(0.4, CalibrationBins.multiLabelEce(p, y), 1e-12);
        // pooled: four pairs in four bins, gaps .1 .7 .1 .7
        assertEquals(0.4, CalibrationBins.pooled(p, y).ece(), 1e-12);
    }

    static final double[][] P = {{0.9, 0.1, 0.5}, {0.2, 0.8, 0.3}};
    static final double[][] L = {{1, 0, 1}, {1, 0, 0}};

    @Test
    void rankingMetrics() {
        // sample 1: relevant labels ranked 1 and 2, both precision 1 -> AP 1; sample 2: relevant label ranked 3 -> 1/3
        assertEquals((1 + 1.0 / 3) / 2, MultiLabelMetrics.rankingAveragePrecision(P, L), 1e-12);
        // top labels: 0 (relevant), 1 (irrelevant)
        assertEquals(0.5, MultiLabelMetrics.oneError(P, L), 1e-12);
        // labels scoring >= the lowest relevant score: 2 and 3
        assertEquals(2.5, MultiLabelMetrics.coverage(P, L), 1e-12);
        // sample 1: 0 of 2 pairs misordered; sample 2: 2 of 2
        assertEquals(0.5, MultiLabelMetrics.rankingLoss(P, L), 1e-12);
        // decisions at 0.5: sample 1 all right, sample 2 two wrong of 3
        assertEquals(2.0 / 6, MultiLabelMetrics.hammingLoss(P, L), 1e-12);
        // pooled tp 2, fp 1, fn 1 -> 4/6
        assertEquals(4.0 / 6, MultiLabelMetrics.microF1(P, L), 1e-12);
        // label 0: tp1 fn1 -> 2/3; label 1: fp1 -> 0; label 2: tp1 -> 1
        assertEquals((2.0 / 3 + 0 + 1) / 3, MultiLabelMetrics.macroF1(P, L), 1e-12);
        // label 0 AP: scores .9 (pos), .2 (pos) -> 1; label 1 has no positive (left out); label 2: .5 pos top -> 1
        assertEquals(1.0, MultiLabelMetrics.macroMap(P, L), 1e-12);
    }

    @Test
    void pairedDifferenceUsesStudentT() {
        // t quantiles from SciPy 1.10 (scipy.stats.t.ppf(0.975, df)), not from the code under test
        assertEquals(12.706204736432095, Stats.t975(1), 1e-9);
        assertEquals(4.302652729911275, Stats.t975(2), 1e-9);
        assertEquals(2.7764451051977987, Stats.t975(4), 1e-9);
        assertEquals(Double.NaN, Stats.t975(0));
        double[] d = Stats.pairedDifference(new double[]{1, 2, 3}, new double[]{0, 0, 0});
        double h = 4.302652729911275 / Math.sqrt(3);
        assertArrayEquals(new double[]{2, 2 - h, 2 + h}, d, 1e-9);
        assertEquals(1.0, Stats.std(new double[]{1, 2, 3}), 1e-12);
        assertEquals(Double.NaN, Stats.pairedDifference(new double[]{1}, new double[]{0})[1]);
    }

    @Test
    void metricsKnowTheirDirectionAndFormat() {
        assertTrue(Metrics.ECE.lowerIsBetter());
        assertTrue(Metrics.ECE.better(1, 2));
        assertTrue(Metrics.PR_AUC.better(0.6, 0.5));
        assertFalse(Metrics.TEMPERATURE.ranked());
        assertFalse(Metrics.TEMPERATURE.better(2, 1));
        assertEquals("3.5", Metrics.MINORITY_FOUND.format(3.5));
        assertEquals("0.571", Metrics.PR_AUC.format(0.5714));
        assertEquals("-", Metrics.PR_AUC.format(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Metric("x", Metric.Direction.NONE, "%d", ""));
        assertThrows(IllegalArgumentException.class, () -> Metric.higherIsBetter(" ", ""));
    }
}
