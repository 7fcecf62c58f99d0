package io.github.lossvariants.examples;

import io.github.lossvariants.examples.metrics.BinaryMetrics;
import io.github.lossvariants.examples.metrics.Calibration;
import io.github.lossvariants.examples.metrics.MultiLabelMetrics;
import io.github.lossvariants.examples.metrics.Stats;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Expected values are computed by hand (in the comments), following scikit-learn's definitions. */
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
        assertEquals(0.6, Calibration.ece(new double[]{0.95, 0.95, 0.25, 0.25}, new double[]{1, 0, 1, 1}), 1e-12);
        // 1/15 sits on an edge: (lo, hi] puts it in bin 0 together with 0.0
        double[][] bins = Calibration.reliability(new double[]{0.0, 1.0 / 15}, new double[]{1, 1}, 15);
        assertEquals(2, bins[0][2]);
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
        double[] d = Stats.pairedDifference(new double[]{1, 2, 3}, new double[]{0, 0, 0});
        double h = 4.303 / Math.sqrt(3);
        assertArrayEquals(new double[]{2, 2 - h, 2 + h}, d, 1e-12);
        assertEquals(1.0, Stats.std(new double[]{1, 2, 3}), 1e-12);
        assertEquals(Double.NaN, Stats.pairedDifference(new double[]{1}, new double[]{0})[1]);
    }
}
