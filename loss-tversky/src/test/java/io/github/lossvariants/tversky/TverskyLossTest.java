package io.github.lossvariants.tversky;

import io.github.lossvariants.api.CompoundLoss;
import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.region.RegionLoss;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.testkit.LossChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TverskyLossTest {
    private static final IActivation SIGMOID = new ActivationSigmoid();
    private static final IActivation SOFTMAX = new ActivationSoftmax();
    private static final double LN3 = Math.log(3);

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static INDArray m(double[][] v) {
        return Nd4j.createFromArray(v);
    }

    private static double tverskyLoss(double tp, double fp, double fn, double a, double b, double s) {
        return 1 - (tp + s) / (tp + a * fp + b * fn + s);
    }

    /** One image of two pixels, one sigmoid channel: p = 0.75 on a foreground pixel, 0.25 on background. */
    @Test
    void handValueSigmoid() {
        INDArray z = m(new double[][]{{LN3}, {-LN3}, {LN3}, {LN3}});
        INDArray y = m(new double[][]{{1}, {0}, {0}, {1}});
        // image 0: TP = .75, FP = .25, FN = .25; image 1: TP = .75, FP = .75, FN = .25
        TverskyLoss t = new TverskyLoss(0.2, 0.6, 1e-5, RegionOptions.defaults().withRowsPerExample(2));
        double l0 = tverskyLoss(.75, .25, .25, .2, .6, 1e-5);
        double l1 = tverskyLoss(.75, .75, .25, .2, .6, 1e-5);
        INDArray rows = t.computeScoreArray(y, z, SIGMOID, null);
        assertEquals(l0 / 2, rows.getDouble(0), 1e-12);
        assertEquals(l0 / 2, rows.getDouble(1), 1e-12);
        assertEquals(l1 / 2, rows.getDouble(3), 1e-12);
        assertEquals(l0 + l1, t.computeScore(y, z, SIGMOID, null, false), 1e-12);
        assertEquals((l0 + l1) / 2, t.computeScore(y, z, SIGMOID, null, true), 1e-12);
        // dice = tversky(0.5, 0.5): 1 - (2TP + 2s)/(sum p + sum g + 2s)
        DiceLoss d = new DiceLoss(1e-5, RegionOptions.defaults().withRowsPerExample(2));
        double d0 = 1 - (2 * .75 + 2e-5) / (1.0 + 1 + 2e-5);
        double d1 = 1 - (2 * .75 + 2e-5) / (1.5 + 1 + 2e-5);
        assertEquals(d0 + d1, d.computeScore(y, z, SIGMOID, null, false), 1e-12);
        // batch: pooled TP = 1.5, FP = 1, FN = .5
        TverskyLoss tb = t.withOptions(t.getOptions().withBatch(true));
        double lb = tverskyLoss(1.5, 1, .5, .2, .6, 1e-5);
        assertEquals(lb, tb.computeScore(y, z, SIGMOID, null, false), 1e-12);
        assertEquals(lb / 4, tb.computeScoreArray(y, z, SIGMOID, null).getDouble(2), 1e-12);
        // focal tversky, gamma 2: sqrt(1 - TI)
        FocalTverskyLoss f = new FocalTverskyLoss(0.2, 0.6, 1e-5, 2, t.getOptions());
        assertEquals(Math.sqrt(l0) + Math.sqrt(l1), f.computeScore(y, z, SIGMOID, null, false), 1e-12);
    }

    /** Softmax over 2 classes with p = (.75, .25) or (.25, .75); background exclusion, class subset and weights. */
    @Test
    void classOptions() {
        INDArray z = m(new double[][]{{LN3, 0}, {0, LN3}, {LN3, 0}});
        INDArray y = m(new double[][]{{1, 0}, {1, 0}, {0, 1}});
        // class 0: p = .75, .25, .75, g = 1, 1, 0 -> TP = 1, FP = .75, FN = 1
        // class 1: p = .25, .75, .25, g = 0, 0, 1 -> TP = .25, FP = 1, FN = .75
        double l0 = tverskyLoss(1, .75, 1, .5, .5, 1e-5);
        double l1 = tverskyLoss(.25, 1, .75, .5, .5, 1e-5);
        RegionOptions o = RegionOptions.defaults().withRowsPerExample(3);
        assertEquals((l0 + l1) / 2, new DiceLoss(1e-5, o).computeScore(y, z, SOFTMAX, null, false), 1e-12);
        assertEquals(l1, new DiceLoss(1e-5, o.withIncludeBackground(false)).computeScore(y, z, SOFTMAX, null, false), 1e-12);
        assertEquals(l0, new DiceLoss(1e-5, o.withClasses(0)).computeScore(y, z, SOFTMAX, null, false), 1e-12);
        assertEquals((1 * l0 + 3 * l1) / 4, new DiceLoss(1e-5, o.withClassWeights(1, 3))
                .computeScore(y, z, SOFTMAX, null, false), 1e-12);
        // classes [0, 1] with includeBackground=false leaves class 1
        assertEquals(l1, new DiceLoss(1e-5, o.withClasses(0, 1).withIncludeBackground(false))
                .computeScore(y, z, SOFTMAX, null, false), 1e-12);
    }

    @Test
    void masksRemovePixels() {
        INDArray z = m(new double[][]{{LN3}, {-LN3}, {2.0}, {LN3}});
        INDArray y = m(new double[][]{{1}, {0}, {1}, {1}});
        INDArray mask = m(new double[][]{{1}, {1}, {0}, {1}});
        // image 0 as before; image 1 keeps only its last pixel: TP = .75, FP = 0, FN = .25
        TverskyLoss t = new TverskyLoss(0.2, 0.6, 1e-5, RegionOptions.defaults().withRowsPerExample(2));
        double expected = tverskyLoss(.75, .25, .25, .2, .6, 1e-5) + tverskyLoss(.75, 0, .25, .2, .6, 1e-5);
        assertEquals(expected, t.computeScore(y, z, SIGMOID, mask, false), 1e-12);
        assertEquals(expected, t.computeScore(y, z, SIGMOID, mask.dup(), false), 1e-12); // per-output form, C = 1
        // the masked pixel gets no gradient (sigmoid: channels are independent)
        assertEquals(0.0, t.computeGradient(y, z, SIGMOID, mask).getDouble(2), 0.0);
        // a fully masked image: loss 0, finite gradient, also for focal tversky
        INDArray allOut = m(new double[][]{{1}, {1}, {0}, {0}});
        FocalTverskyLoss f = new FocalTverskyLoss(0.2, 0.6, 1e-5, 4.0 / 3, t.getOptions());
        assertEquals(Math.pow(tverskyLoss(.75, .25, .25, .2, .6, 1e-5), 0.75),
                f.computeScore(y, z, SIGMOID, allOut, false), 1e-12);
        INDArray g = f.computeGradient(y, z, SIGMOID, allOut);
        assertFinite(g);
        assertEquals(0.0, g.getDouble(3), 0.0);
        // an all-zero mask everywhere: 0 loss, no NaN
        assertEquals(0.0, t.computeScore(y, z, SIGMOID, Nd4j.zeros(4, 1), false), 0.0);
    }

    /** batch=true: the pooled loss is spread over the rows with an unmasked output; masked rows get 0. */
    @Test
    void batchSharesSkipMaskedRows() {
        INDArray z = m(new double[][]{{LN3, 0}, {0, LN3}, {LN3, 0}, {0, 0}});
        INDArray y = m(new double[][]{{1, 0}, {1, 0}, {0, 1}, {0, 1}});
        TverskyLoss t = new TverskyLoss(0.3, 0.7, 1e-5, RegionOptions.defaults().withRowsPerExample(2).withBatch(true));
        INDArray rowMask = m(new double[][]{{1}, {0}, {1}, {1}});
        double pooled = t.computeScore(y, z, SIGMOID, rowMask, false);
        INDArray rows = t.computeScoreArray(y, z, SIGMOID, rowMask);
        assertEquals(0.0, rows.getDouble(1), 0.0);
        for (int r : new int[]{0, 2, 3}) {
            assertEquals(pooled / 3, rows.getDouble(r), 1e-15);
        }
        assertEquals(pooled / 2, t.computeScore(y, z, SIGMOID, rowMask, true), 1e-15); // 2 examples of 2 rows
        // per-output mask (sigmoid): a row counts when any of its outputs is unmasked
        INDArray outMask = m(new double[][]{{1, 0}, {0, 0}, {0, 1}, {1, 1}});
        INDArray outRows = t.computeScoreArray(y, z, SIGMOID, outMask);
        double outPooled = t.computeScore(y, z, SIGMOID, outMask, false);
        assertEquals(0.0, outRows.getDouble(1), 0.0);
        assertEquals(outPooled / 3, outRows.getDouble(0), 1e-15);
        assertEquals(outPooled, outRows.sumNumber().doubleValue(), 1e-15);
        // everything masked: 0 everywhere
        assertEquals(0.0, t.computeScoreArray(y, z, SIGMOID, Nd4j.zeros(DataType.DOUBLE, 4, 1)).amaxNumber()
                .doubleValue(), 0.0);
    }

    @Test
    void perOutputMaskSoftmaxMasksWholePixelsAndRejectsSingleChannels() {
        Random r = new Random(3);
        INDArray z = Nd4j.rand(DataType.DOUBLE, 8, 3).subi(0.5).muli(4);
        INDArray y = oneHot(r, 8, 3);
        RegionOptions o = RegionOptions.defaults().withRowsPerExample(4);
        TverskyLoss t = new TverskyLoss(0.3, 0.7, 1e-5, o);
        // masking one channel of the pixels (here channel 2 everywhere): softmax couples the channels of
        // a pixel, so this is rejected; leaving a class out of the loss is the classes option instead
        INDArray channel = Nd4j.ones(DataType.DOUBLE, 8, 3);
        channel.getColumn(2).assign(0);
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> t.computeScore(y, z, SOFTMAX, channel, false));
        assertTrue(e.getMessage().startsWith("tversky: a per-output (labels-shaped) mask must be constant within each"
                + " row for a softmax output, but row 0 has mask values [1.0, 1.0, 0.0]"), e.getMessage());
        assertTrue(e.getMessage().contains("[N, 1, H, W]"), e.getMessage());
        assertThrows(LossConfigurationException.class, () -> t.computeGradient(y, z, SOFTMAX, channel));
        // the same channel mask is fine with sigmoid (independent channels): the class's counts are 0
        t.computeGradient(y, z, SIGMOID, channel);
        // whole pixels masked in every channel ([N, C, H, W] segmentation masks): the per-pixel mask
        INDArray pixels = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}, {1}, {0}, {0}, {1}, {1}});
        INDArray wholePixels = Nd4j.ones(DataType.DOUBLE, 8, 3).muliColumnVector(pixels);
        assertEquals(t.computeScore(y, z, SOFTMAX, pixels, false), t.computeScore(y, z, SOFTMAX, wholePixels, false),
                0.0);
        assertEquals(t.computeScoreArray(y, z, SOFTMAX, pixels), t.computeScoreArray(y, z, SOFTMAX, wholePixels));
        INDArray g = t.computeGradient(y, z, SOFTMAX, wholePixels);
        assertEquals(t.computeGradient(y, z, SOFTMAX, pixels), g);
        assertEquals(0.0, g.getRow(1).norm1Number().doubleValue(), 0.0);
        LossChecks.assertGradientMatchesFiniteDifferences(t, y, z, SOFTMAX, wholePixels);
        // ... and equals the loss on the unmasked pixels alone (image 0: pixels 0, 2, 3; image 1: 6, 7)
        double expected = new TverskyLoss(0.3, 0.7, 1e-5, o.withRowsPerExample(3)).computeScore(
                y.getRows(0, 2, 3), z.getRows(0, 2, 3), SOFTMAX, null, false)
                + new TverskyLoss(0.3, 0.7, 1e-5, o.withRowsPerExample(2)).computeScore(
                y.getRows(6, 7), z.getRows(6, 7), SOFTMAX, null, false);
        assertEquals(expected, t.computeScore(y, z, SOFTMAX, wholePixels, false), 1e-12);
    }

    @Test
    void finiteDifferences() {
        Random r = new Random(7);
        INDArray z = Nd4j.rand(DataType.DOUBLE, 6, 3).subi(0.5).muli(6);
        INDArray yMulti = Nd4j.rand(DataType.DOUBLE, 6, 3).gt(0.6).castTo(DataType.DOUBLE);
        INDArray yOne = oneHot(r, 6, 3);
        INDArray rowMask = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}, {1}, {1}, {0}});
        INDArray outMask = Nd4j.rand(DataType.DOUBLE, 6, 3).gt(0.3).castTo(DataType.DOUBLE);
        // softmax: labels-shaped masks must be constant within each pixel (row); a fractional weight too
        INDArray outMaskRows = Nd4j.ones(DataType.DOUBLE, 6, 3).muliColumnVector(
                Nd4j.createFromArray(new double[][]{{1}, {0}, {0.5}, {1}, {0}, {1}}));
        RegionOptions o = RegionOptions.defaults().withRowsPerExample(3);
        RegionLoss[] losses = {
                new TverskyLoss(0.3, 0.7, 1e-5, o),
                new TverskyLoss(0.3, 0.7, 1e-5, o.withBatch(true)),
                new DiceLoss(1e-5, o.withIncludeBackground(false).withClassWeights(1, 2, 0.5)),
                new DiceLoss(1e-5, o.withClasses(2, 0)),
                new FocalTverskyLoss(0.4, 0.6, 1e-5, 4.0 / 3, o),
                new FocalTverskyLoss(0.4, 0.6, 1e-5, 0.5, o.withBatch(true)),
        };
        INDArray[] masks = {null, rowMask, outMask};
        INDArray[] softmaxMasks = {null, rowMask, outMaskRows};
        for (int i = 0; i < losses.length; i++) {
            LossChecks.assertGradientMatchesFiniteDifferences(losses[i], yMulti, z, SIGMOID, masks[i % 3]);
            LossChecks.assertGradientMatchesFiniteDifferences(losses[i], yOne, z, SOFTMAX, softmaxMasks[(i + 1) % 3]);
        }
    }

    @Test
    void focalTverskyFiniteAtPerfectPrediction() {
        // |logit| = 40: p = 1 - 4e-18, TI = 1 up to rounding; gradient must stay finite
        INDArray y = m(new double[][]{{1, 0}, {0, 1}, {0, 1}, {1, 0}});
        INDArray z = y.mul(80).subi(40);
        FocalTverskyLoss f = new FocalTverskyLoss(0.5, 0.5, 1e-5, 4.0 / 3, RegionOptions.defaults().withRowsPerExample(2));
        for (IActivation a : new IActivation[]{SIGMOID, SOFTMAX}) {
            INDArray g = f.computeGradient(y, z, a, null);
            assertFinite(g);
            assertEquals(0.0, f.computeScore(y, z, a, null, false), 1e-6);
        }
        // near TI = 1 but not at it, finite differences still agree
        LossChecks.assertGradientMatchesFiniteDifferences(f, y, y.mul(6).subi(3), SIGMOID, null);
    }

    @Test
    void extremeLogitsFloatAndDouble() {
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray y = Nd4j.createFromArray(new double[][]{{1, 0}, {0, 1}, {1, 0}, {0, 1}}).castTo(dt);
            INDArray z = Nd4j.createFromArray(new double[][]{{100, -100}, {100, -100}, {-100, 100}, {100, -100}}).castTo(dt);
            for (RegionLoss l : new RegionLoss[]{new DiceLoss(1e-5, RegionOptions.defaults().withRowsPerExample(2)),
                    FocalTverskyLoss.of(0.3, 0.7, 4.0 / 3).withRowsPerExample(2)}) {
                for (IActivation a : new IActivation[]{SIGMOID, SOFTMAX}) {
                    double s = l.computeScore(y, z, a, null, false);
                    INDArray g = l.computeGradient(y, z, a, null);
                    assertTrue(Double.isFinite(s), l + " " + a + " " + dt);
                    assertEquals(dt, g.dataType());
                    assertFinite(g);
                }
            }
        }
    }

    @Test
    void inputsAreNotMutated() {
        INDArray z = Nd4j.rand(DataType.DOUBLE, 6, 2);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 6, 2).gt(0.5).castTo(DataType.DOUBLE);
        INDArray mask = Nd4j.rand(DataType.DOUBLE, 6, 2).gt(0.2).castTo(DataType.DOUBLE);
        INDArray z0 = z.dup(), y0 = y.dup(), m0 = mask.dup();
        FocalTverskyLoss f = FocalTverskyLoss.of(0.3, 0.7, 2).withRowsPerExample(3);
        f.computeGradientAndScore(y, z, SIGMOID, mask, false);
        // softmax: whole pixels ([rows, C] constant within rows, a view of a column mask)
        INDArray rows = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}, {1}, {1}, {0}});
        INDArray wholePixels = Nd4j.ones(DataType.DOUBLE, 6, 2).muliColumnVector(rows);
        INDArray w0 = wholePixels.dup();
        f.computeGradientAndScore(y, z, SOFTMAX, wholePixels, false);
        f.computeScoreArray(y, z, SOFTMAX, wholePixels);
        assertEquals(w0, wholePixels);
        // a rejected (partial-row) mask is not written either
        INDArray partial = wholePixels.dup();
        partial.putScalar(0, 1, 0.0);
        INDArray p0 = partial.dup();
        assertThrows(LossConfigurationException.class, () -> f.computeScoreArray(y, z, SOFTMAX, partial));
        assertEquals(p0, partial);
        assertEquals(z0, z);
        assertEquals(y0, y);
        assertEquals(m0, mask);
    }

    @Test
    void clearErrors() {
        INDArray z = Nd4j.rand(DataType.DOUBLE, 6, 2);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 6, 2);
        DiceLoss d = new DiceLoss(1e-5, RegionOptions.defaults().withRowsPerExample(4));
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> d.computeScore(y, z, SIGMOID, null, false));
        assertTrue(e.getMessage().contains("6 rows") && e.getMessage().contains("rowsPerExample = 4"), e.getMessage());
        e = assertThrows(LossConfigurationException.class,
                () -> new DiceLoss().computeScore(y, z, new ActivationReLU(), null, false));
        assertTrue(e.getMessage().contains("SIGMOID") && e.getMessage().contains("relu"), e.getMessage());
        e = assertThrows(LossConfigurationException.class, () -> new DiceLoss(1e-5,
                RegionOptions.defaults().withClassWeights(1, 2, 3)).computeScore(y, z, SIGMOID, null, false));
        assertTrue(e.getMessage().contains("3 weights") && e.getMessage().contains("2 channels"), e.getMessage());
        e = assertThrows(LossConfigurationException.class, () -> new DiceLoss(1e-5,
                RegionOptions.defaults().withClasses(5)).computeScore(y, z, SIGMOID, null, false));
        assertTrue(e.getMessage().contains("channel 5"), e.getMessage());
        e = assertThrows(LossConfigurationException.class, () -> new TverskyLoss(-1, 0.5, 1e-5, null));
        assertTrue(e.getMessage().contains("alpha=-1"), e.getMessage());
        e = assertThrows(LossConfigurationException.class, () -> new DiceLoss(0, null));
        assertTrue(e.getMessage().contains("smooth"), e.getMessage());
        e = assertThrows(LossConfigurationException.class, () -> RegionOptions.defaults().withRowsPerExample(0));
        assertTrue(e.getMessage().contains("rowsPerExample"), e.getMessage());
        e = assertThrows(LossConfigurationException.class, () -> LossRegistry.discover().create("dice(alpha=0.3)"));
        assertTrue(e.getMessage().contains("alpha"), e.getMessage());
        e = assertThrows(LossConfigurationException.class, () -> LossRegistry.discover().create("tversky(classes=[1,1])"));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void registryNamesDefaultsAndSpecs() {
        LossRegistry reg = LossRegistry.discover();
        LossFunction dice = reg.create("dice");
        assertEquals(new DiceLoss(), dice);
        assertTrue(dice.spec().startsWith("dice(smooth="), dice.spec());
        assertEquals(dice, reg.create(dice.spec()));
        TverskyLoss t = (TverskyLoss) reg.create("tversky");
        assertEquals(0.5, t.getAlpha());
        assertEquals(0.5, t.getBeta());
        assertEquals(1e-5, t.getSmooth());
        FocalTverskyLoss f = (FocalTverskyLoss) reg.create("focal-tversky(gamma=4/3, beta=0.7, alpha=0.3, classes=[1,2],"
                + " classWeights=[1,2,3], includeBackground=false, batch=true, rowsPerExample=64)");
        assertEquals(4.0 / 3, f.getGamma(), 1e-15);
        assertEquals(64, f.rowsPerExample());
        assertEquals(f, reg.create(f.spec()));
        assertEquals(f, reg.create("focal-tversky", f.parameters()));
        Map<String, Object> p = f.parameters();
        assertEquals(java.util.List.of("alpha", "beta", "smooth", "gamma", "batch", "includeBackground", "classes",
                "classWeights", "rowsPerExample"), java.util.List.copyOf(p.keySet()));
        assertSame(f, f.withRowsPerExample(64));
        assertNotSame(f, f.withRowsPerExample(32));
        assertEquals(32, f.withRowsPerExample(32).rowsPerExample());
    }

    @Test
    void compoundPassesGroupingToParts() {
        CompoundLoss c = CompoundLoss.of(new LossMCXENT(), new DiceLoss());
        assertEquals(1, c.rowsPerExample());
        CompoundLoss g = c.withRowsPerExample(16);
        assertEquals(16, g.rowsPerExample());
        assertEquals(16, ((DiceLoss) g.getLosses().get(1)).rowsPerExample());
        assertSame(c.getLosses().get(0), g.getLosses().get(0));
        assertSame(g, g.withRowsPerExample(16));
    }

    static void assertFinite(INDArray g) {
        for (long i = 0; i < g.length(); i++) {
            assertTrue(Double.isFinite(g.getDouble(i)), "element " + i + " is " + g.getDouble(i));
        }
    }

    static INDArray oneHot(Random r, int rows, int classes) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, rows, classes);
        for (int i = 0; i < rows; i++) {
            y.putScalar(i, r.nextInt(classes), 1.0);
        }
        return y;
    }
}
