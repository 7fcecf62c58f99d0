package io.github.lossvariants.calibration.metrics;

import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.EvaluationCalibration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fixtures of CALIBRATION.md section 6 (torchmetrics docstrings, edge convention, AdaECE pitfall) and hand values. */
class CalibrationMetricsTest {
    static final double[][] P = {{.25, .20, .55}, {.55, .05, .40}, {.10, .30, .60}, {.90, .05, .05}};
    static final int[] Y = {0, 1, 2, 0};

    static INDArray probs() {
        return Nd4j.createFromArray(P);
    }

    static INDArray oneHot() {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 4, 3);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, Y[i], 1.0);
        }
        return y;
    }

    @Test
    void torchmetricsMulticlassDocstringBothConventions() {
        for (BinEdges e : BinEdges.values()) {
            ReliabilityDiagram d = CalibrationMetrics.topLabelDiagram(probs(), oneHot(), 3, e);
            assertEquals(0.2000, d.ece(), 5e-5, e.name());
            assertEquals(0.2082, d.l2(), 5e-5, e.name());
            assertEquals(0.2333, d.mce(), 5e-5, e.name());
            assertEquals(0.2000, CalibrationMetrics.ece(probs(), oneHot(), 3, e), 5e-5);
            assertEquals(0.2333, CalibrationMetrics.mce(probs(), oneHot(), 3, e), 5e-5);
        }
        // class indices give the same as one-hot labels
        INDArray idx = Nd4j.createFromArray(new double[]{0, 1, 2, 0});
        assertEquals(CalibrationMetrics.ece(probs(), oneHot(), 3, BinEdges.UPPER_INCLUSIVE),
                CalibrationMetrics.ece(probs(), idx, 3, BinEdges.UPPER_INCLUSIVE), 0.0);
    }

    @Test
    void reliabilityDiagramData() {
        ReliabilityDiagram d = CalibrationMetrics.topLabelDiagram(probs(), oneHot(), 3, BinEdges.UPPER_INCLUSIVE);
        assertEquals(3, d.bins());
        assertArrayEquals(new long[]{0, 3, 1}, new long[]{d.count(0), d.count(1), d.count(2)});
        assertEquals((.55 + .55 + .60) / 3, d.confidence(1), 1e-15);
        assertEquals(1.0 / 3, d.accuracy(1), 1e-15);
        assertEquals(0.9, d.confidence(2), 1e-15);
        assertEquals(1.0, d.accuracy(2), 0.0);
        assertEquals(0.0, d.confidence(0), 0.0);
        assertEquals(1.0, d.totalWeight(), 1e-15);
        assertEquals(1.0 / 3, d.upper(0), 1e-15);
        // torchmetrics' convention has the extra bin for confidence 1.0
        assertEquals(4, CalibrationMetrics.topLabelDiagram(probs(), oneHot(), 3, BinEdges.LOWER_INCLUSIVE).bins());
    }

    @Test
    void torchmetricsBinaryDocstring() {
        INDArray p = Nd4j.createFromArray(new double[]{.25, .25, .55, .75, .75});
        INDArray t = Nd4j.createFromArray(new double[]{0, 0, 1, 1, 1});
        for (BinEdges e : BinEdges.values()) {
            ReliabilityDiagram d = CalibrationMetrics.binaryDiagram(p, t, 2, e);
            assertEquals(0.2900, d.ece(), 5e-5, e.name());
            assertEquals(0.2918, d.l2(), 5e-5, e.name());
            assertEquals(0.3167, d.mce(), 5e-5, e.name());
        }
    }

    @Test
    void edgeConventionIsTestedOnBothSidesOfAnEdge() {
        double[] conf = {0.40, 0.41};
        double[] correct = {1, 0};
        // (lo, hi]: 0.40 closes bin (0.2, 0.4], 0.41 opens (0.4, 0.6]
        ReliabilityDiagram upper = Binning.equalWidth(conf, correct, 5, BinEdges.UPPER_INCLUSIVE);
        assertEquals(0.505, upper.ece(), 1e-12);
        assertEquals(1, upper.count(1));
        assertEquals(1, upper.count(2));
        // [lo, hi): both in [0.4, 0.6)
        ReliabilityDiagram lower = Binning.equalWidth(conf, correct, 5, BinEdges.LOWER_INCLUSIVE);
        assertEquals(0.095, lower.ece(), 1e-12);
        assertEquals(2, lower.count(2));
        // confidence exactly 1.0: last bin with (lo, hi], the extra bin with [lo, hi)
        ReliabilityDiagram one = Binning.equalWidth(new double[]{1.0, 0.95}, new double[]{1, 0}, 5,
                BinEdges.LOWER_INCLUSIVE);
        assertEquals(1, one.count(5));
        assertEquals(1, one.count(4));
        assertEquals(0.95 / 2, one.ece(), 1e-12);
        ReliabilityDiagram oneUpper = Binning.equalWidth(new double[]{1.0, 0.95}, new double[]{1, 0}, 5,
                BinEdges.UPPER_INCLUSIVE);
        assertEquals(2, oneUpper.count(4));
        assertEquals(Math.abs(0.975 - 0.5), oneUpper.ece(), 1e-12);
    }

    @Test
    void adaptiveEceKeepsTheLowestConfidenceSample() {
        double[] conf = {0.3, 0.5, 0.7, 0.9};
        double[] correct = {0, 1, 1, 1};
        ReliabilityDiagram reference = Binning.equalMass(conf, correct, 2, false);
        assertEquals(0.75, reference.totalWeight(), 1e-15, "the reference code's pitfall");
        ReliabilityDiagram ours = Binning.equalMass(conf, correct, 2, true);
        assertEquals(1.0, ours.totalWeight(), 1e-15);
        // edges interp(linspace(0,4,3), arange(4), sorted) = [0.3, 0.7 (x=2), 0.9]
        assertArrayEquals(new double[]{0.3, 0.7, 0.9}, ours.edges(), 1e-15);
        // [0.3, 0.7] holds 0.3, 0.5, 0.7 (the reference's (0.3, 0.7] loses 0.3); (0.7, 0.9] holds 0.9
        assertEquals(3, ours.count(0));
        assertEquals(1, ours.count(1));
        assertEquals(2, reference.count(0));
        // bin 0: conf 0.5, acc 2/3, weight 3/4 ; bin 1: conf 0.9, acc 1, weight 1/4
        assertEquals(0.75 * (2.0 / 3 - 0.5) + 0.25 * 0.1, ours.ece(), 1e-12);
        INDArray p = Nd4j.createFromArray(new double[][]{{.3, .7}, {.5, .5}, {.7, .3}, {.9, .1}});
        assertTrue(CalibrationMetrics.adaptiveEce(p, Nd4j.createFromArray(new double[]{0, 0, 0, 0}), 2) >= 0);
    }

    @Test
    void classwiseEceMatchesAnIndependentLoopAndDl4jEvaluationCalibration() {
        int bins = 3;
        double expected = 0;
        for (int c = 0; c < 3; c++) {
            double[] cnt = new double[bins];
            double[] sc = new double[bins];
            double[] sa = new double[bins];
            for (int i = 0; i < 4; i++) {
                double v = P[i][c];
                int b = Math.max(0, (int) Math.ceil(v * bins) - 1);
                cnt[b]++;
                sc[b] += v;
                sa[b] += Y[i] == c ? 1 : 0;
            }
            for (int b = 0; b < bins; b++) {
                expected += Math.abs(sc[b] - sa[b]) / 4 / 3;
            }
        }
        assertEquals(expected, CalibrationMetrics.classwiseEce(probs(), oneHot(), bins, BinEdges.UPPER_INCLUSIVE), 1e-12);
        EvaluationCalibration ec = new EvaluationCalibration(bins, 10);
        ec.eval(oneHot(), probs());
        assertEquals(expected, CalibrationMetrics.classwiseEce(ec), 1e-6);
    }

    @Test
    void classwiseEceAveragesOverAllColumnsIncludingAbsentClasses() {
        // class 2 never occurs; it still counts in the mean (no K = max(label)+1 pitfall)
        INDArray p = Nd4j.createFromArray(new double[][]{{.8, .1, .1}, {.2, .7, .1}});
        INDArray y = Nd4j.createFromArray(new double[]{0, 1});
        double c0 = (Math.abs(.8 - 1) + Math.abs(.2 - 0)) / 2; // two different bins of 5
        double c1 = (Math.abs(.1 - 0) + Math.abs(.7 - 1)) / 2;
        double c2 = Math.abs(.1 - 0); // both 0.1 in bin (0, 0.2]: |0.1 - 0| * 2/2
        assertEquals((c0 + c1 + c2) / 3, CalibrationMetrics.classwiseEce(p, y, 5, BinEdges.UPPER_INCLUSIVE), 1e-12);
    }

    @Test
    void brierAndNllHandValues() {
        assertEquals((0.905 + 1.365 + 0.26 + 0.015) / 4, CalibrationMetrics.brier(probs(), oneHot()), 1e-12);
        double nll = -(Math.log(.25) + Math.log(.05) + Math.log(.60) + Math.log(.90)) / 4;
        assertEquals(nll, CalibrationMetrics.nll(probs(), oneHot()), 1e-12);
        INDArray zero = Nd4j.createFromArray(new double[][]{{1.0, 0.0}});
        assertEquals(-Math.log(CalibrationMetrics.NLL_FLOOR),
                CalibrationMetrics.nll(zero, Nd4j.createFromArray(new double[]{1})), 1e-9);
    }

    @Test
    void multiLabelPerLabelAndMacro() {
        // column 0 is the torchmetrics binary fixture; column 1 is perfectly calibrated in 2 bins
        INDArray p = Nd4j.createFromArray(new double[][]{{.25, .25}, {.25, .75}, {.55, .75}, {.75, .25}, {.75, .75}});
        INDArray y = Nd4j.createFromArray(new double[][]{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {1, 1}});
        MultiLabelCalibration m = CalibrationMetrics.multiLabelEce(p, y, 2, BinEdges.UPPER_INCLUSIVE);
        // column 1: bin [0,.5]: .25,.25 with targets 0,0 -> gap .25 (w .4); bin (.5,1]: .75 x3, targets 1,1,1 -> gap .25 (w .6)
        assertEquals(0.29, m.perLabel()[0], 1e-12);
        assertEquals(0.25, m.perLabel()[1], 1e-12);
        assertEquals((0.29 + 0.25) / 2, m.macro(), 1e-12);
    }

    @Test
    void segmentationEceDropsBackgroundPixels() {
        // [1, 3, 2, 2]: pixel labels (row-major h,w): 0, 1, 2, 1 ; background (class 0) pixel dropped
        double[][] pix = {{.7, .2, .1}, {.1, .8, .1}, {.2, .5, .3}, {.3, .6, .1}};
        int[] lab = {0, 1, 2, 1};
        INDArray p = Nd4j.zeros(DataType.DOUBLE, 1, 3, 2, 2);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 1, 3, 2, 2);
        for (int i = 0; i < 4; i++) {
            for (int c = 0; c < 3; c++) {
                p.putScalar(new long[]{0, c, i / 2, i % 2}, pix[i][c]);
            }
            y.putScalar(new long[]{0, lab[i], i / 2, i % 2}, 1.0);
        }
        // kept: (.8 correct), (.5 wrong), (.6 correct); 15 bins (lo, hi]: .8 -> bin 11, .5 -> bin 7, .6 -> bin 8
        double expected = (Math.abs(.8 - 1) + Math.abs(.5 - 0) + Math.abs(.6 - 1)) / 3;
        assertEquals(expected, CalibrationMetrics.segmentationEce(p, y), 1e-12);
        INDArray mask = Nd4j.ones(DataType.DOUBLE, 1, 1, 2, 2);
        mask.putScalar(new long[]{0, 0, 1, 0}, 0.0); // drop the wrong pixel
        ReliabilityDiagram d = CalibrationMetrics.segmentationDiagram(p, y, mask, 0, 15, BinEdges.UPPER_INCLUSIVE);
        assertEquals((Math.abs(.8 - 1) + Math.abs(.6 - 1)) / 2, d.ece(), 1e-12);
        assertEquals(2, d.totalWeight() * d.total(), 1e-12);
    }

    @Test
    void badInputsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CalibrationMetrics.ece(Nd4j.createFromArray(new double[][]{{2.0, -1.0}}),
                        Nd4j.createFromArray(new double[]{0})));
        assertTrue(e.getMessage().contains("not logits"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CalibrationMetrics.ece(probs(),
                Nd4j.createFromArray(new double[]{0, 1, 3, 0})));
    }
}
