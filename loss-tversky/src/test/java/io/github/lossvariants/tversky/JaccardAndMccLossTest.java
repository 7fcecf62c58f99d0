package io.github.lossvariants.tversky;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.testkit.LossChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static io.github.lossvariants.tversky.LovaszLossTest.binary;
import static io.github.lossvariants.tversky.LovaszLossTest.gaussian;
import static io.github.lossvariants.tversky.LovaszLossTest.oneHot;
import static io.github.lossvariants.tversky.LovaszLossTest.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JaccardAndMccLossTest {
    private static final IActivation SIGMOID = new ActivationSigmoid();
    private static final IActivation SOFTMAX = new ActivationSoftmax();

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private interface ClassLoss {
        double of(double[] p, double[] g);
    }

    /** Mean over classes (weighted, subset) of a per-class reference, summed over the groups. */
    private static double reference(ClassLoss f, INDArray z, INDArray y, INDArray rowMask, boolean softmax, int groups,
                                    int[] classes, double[] weights) {
        int per = (int) (z.size(0) / groups);
        double total = 0;
        for (int g = 0; g < groups; g++) {
            double[][] zg = rows(z, g * per, (g + 1) * per, rowMask);
            double[][] yg = rows(y, g * per, (g + 1) * per, rowMask);
            double[][] p = softmax ? References.softmax(zg) : References.sigmoid(zg);
            double sum = 0;
            double weightSum = 0;
            for (int k = 0; k < classes.length; k++) {
                double w = weights == null ? 1 : weights[classes[k]];
                sum += w * f.of(References.column(p, classes[k]), References.column(yg, classes[k]));
                weightSum += w;
            }
            total += sum / weightSum;
        }
        return total;
    }

    @Test
    void matchMonaiAndSmpPerClassWithOptionsAndMasks() {
        Random r = new Random(31);
        int n = 3;
        int positions = 6;
        int rows = n * positions;
        for (boolean softmax : new boolean[]{true, false}) {
            for (boolean batch : new boolean[]{false, true}) {
                INDArray z = gaussian(r, rows, 3, 2.0);
                INDArray y = softmax ? oneHot(r, rows, 3) : binary(r, rows, 3, 0.4);
                INDArray mask = binary(r, rows, 1, 0.8);
                IActivation act = softmax ? SOFTMAX : SIGMOID;
                int groups = batch ? 1 : n;
                RegionOptions o = RegionOptions.defaults().withRowsPerExample(positions).withBatch(batch);
                String what = (softmax ? "softmax" : "sigmoid") + " batch=" + batch;
                ClassLoss jaccard = (p, g) -> References.jaccard(p, g, 1e-5);
                ClassLoss mcc = (p, g) -> References.mcc(p, g, 1e-5);
                int[] all = {0, 1, 2};
                assertEquals(reference(jaccard, z, y, mask, softmax, groups, all, null),
                        new JaccardLoss(1e-5, o).computeScore(y, z, act, mask, false), 1e-12, "jaccard " + what);
                assertEquals(reference(jaccard, z, y, null, softmax, groups, new int[]{1, 2}, new double[]{0, 1, 3}),
                        new JaccardLoss(1e-5, o.withIncludeBackground(false).withClassWeights(0, 1, 3))
                                .computeScore(y, z, act, null, false), 1e-12, "jaccard weighted " + what);
                assertEquals(reference(mcc, z, y, mask, softmax, groups, all, null),
                        new MccLoss(1e-5, o).computeScore(y, z, act, mask, false), 1e-12, "mcc " + what);
                assertEquals(reference(mcc, z, y, null, softmax, groups, new int[]{2}, null),
                        new MccLoss(1e-5, o.withClasses(2)).computeScore(y, z, act, null, false), 1e-12,
                        "mcc class 2 " + what);
            }
        }
    }

    /** The soft IoU is the Tversky index with alpha = beta = 1 and half the smoothing. */
    @Test
    void jaccardIsTverskyWithUnitWeights() {
        Random r = new Random(2);
        INDArray z = gaussian(r, 8, 2, 2.0);
        INDArray y = oneHot(r, 8, 2);
        RegionOptions o = RegionOptions.defaults().withRowsPerExample(4);
        assertEquals(new TverskyLoss(1, 1, 0.5, o).computeScore(y, z, SOFTMAX, null, false),
                new JaccardLoss(1.0, o).computeScore(y, z, SOFTMAX, null, false), 1e-15);
    }

    @Test
    void mccEdgeCases() {
        MccLoss mcc = new MccLoss(1e-5, RegionOptions.defaults().withRowsPerExample(4));
        INDArray y = Nd4j.createFromArray(new double[][]{{1}, {0}, {0}, {1}, {0}, {0}, {0}, {0}});
        // image 0 perfect; image 1 all background predicted background: MCC of (TP, TN) = (0, 4) is
        // (eps (n + eps) - eps^2) / sqrt((2 eps)(2 eps)(n + 2 eps)^2), about 1/2 with eps, loss 1/2
        INDArray z = Nd4j.createFromArray(new double[][]{{40}, {-40}, {-40}, {40}, {-40}, {-40}, {-40}, {-40}});
        INDArray perRow = mcc.computeScoreArray(y, z, SIGMOID, null);
        double image0 = perRow.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)).sumNumber().doubleValue();
        double image1 = perRow.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 8)).sumNumber().doubleValue();
        // a perfect image: 1 - MCC is eps-small (smp's value), not exactly 0
        double[] perfect = {1, 0, 0, 1};
        assertEquals(References.mcc(perfect, perfect, 1e-5), image0, 1e-12);
        assertTrue(image0 > 0 && image0 < 2e-5, "perfect image " + image0);
        assertEquals(References.mcc(new double[4], new double[4], 1e-5), image1, 1e-9);
        assertEquals(0.5, image1, 1e-5);
        // a fully masked image adds nothing (0, not the 1 of its empty counts) and gets no gradient
        INDArray mask = Nd4j.createFromArray(new double[][]{{1}, {1}, {1}, {1}, {0}, {0}, {0}, {0}});
        assertEquals(image0, mcc.computeScore(y, z, SIGMOID, mask, false), 1e-12);
        INDArray g = mcc.computeGradient(y, z, SIGMOID, mask);
        for (int i = 4; i < 8; i++) {
            assertEquals(0.0, g.getDouble(i, 0), 0.0);
        }
        // every pixel of image 0 wrong: MCC -1, loss 2
        assertEquals(2.0, mcc.computeScore(y.rsub(1.0), z, SIGMOID, mask, false), 1e-4);
    }

    @Test
    void finiteDifferences() {
        Random r = new Random(9);
        int rows = 12;
        RegionOptions o = RegionOptions.defaults().withRowsPerExample(4);
        for (boolean softmax : new boolean[]{true, false}) {
            INDArray z = gaussian(r, rows, 3, 1.5);
            INDArray y = softmax ? oneHot(r, rows, 3) : binary(r, rows, 3, 0.3);
            // an image without any positive of channel 1 (sigmoid): G = 0, the MCC's B = 2 eps
            if (!softmax) {
                for (int i = 4; i < 8; i++) {
                    y.putScalar(i, 1, 0.0);
                }
            }
            IActivation act = softmax ? SOFTMAX : SIGMOID;
            INDArray rowMask = binary(r, rows, 1, 0.7);
            for (RegionOptions options : new RegionOptions[]{o, o.withBatch(true)}) {
                LossChecks.assertGradientMatchesFiniteDifferences(new JaccardLoss(1e-5, options), y, z, act, null);
                LossChecks.assertGradientMatchesFiniteDifferences(new JaccardLoss(1e-5, options), y, z, act, rowMask);
                LossChecks.assertGradientMatchesFiniteDifferences(new MccLoss(1e-5, options), y, z, act, null);
                LossChecks.assertGradientMatchesFiniteDifferences(new MccLoss(1e-5, options), y, z, act, rowMask);
            }
            if (!softmax) {
                LossChecks.assertGradientMatchesFiniteDifferences(new MccLoss(0.1, o.withClassWeights(1, 2, 3)), y, z, act,
                        binary(r, rows, 3, 0.7));
            }
        }
    }

    @Test
    void specsRoundTrip() {
        LossRegistry registry = LossRegistry.discover();
        for (String spec : new String[]{"jaccard", "jaccard(smooth=0.5, batch=true, includeBackground=false)", "mcc",
                "mcc(eps=0.001, batch=true)"}) {
            assertEquals(registry.create(spec), registry.create(registry.create(spec).spec()), spec);
        }
        assertEquals(new JaccardLoss(), registry.create("jaccard"));
        assertEquals(new MccLoss(), registry.create("mcc"));
        assertTrue(((MccLoss) registry.create("mcc(batch=true)")).getOptions().isBatch());
    }
}
