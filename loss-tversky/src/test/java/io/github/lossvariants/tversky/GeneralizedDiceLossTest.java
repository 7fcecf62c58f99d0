package io.github.lossvariants.tversky;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.region.RegionOptions;
import io.github.lossvariants.testkit.LossChecks;
import io.github.lossvariants.tversky.GeneralizedDiceLoss.WeightType;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneralizedDiceLossTest {
    private static final IActivation SIGMOID = new ActivationSigmoid();
    private static final IActivation SOFTMAX = new ActivationSoftmax();

    @BeforeAll
    static void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** MONAI's loss per group (image, or minibatch with batch=true) on the unmasked positions. */
    private static double reference(INDArray z, INDArray y, INDArray rowMask, boolean softmax, String weightType,
                                    int[] classes, int groups) {
        int per = (int) (z.size(0) / groups);
        double total = 0;
        for (int g = 0; g < groups; g++) {
            double[][] zg = rows(z, g * per, (g + 1) * per, rowMask);
            double[][] p = softmax ? References.softmax(zg) : References.sigmoid(zg);
            total += References.generalizedDice(p, rows(y, g * per, (g + 1) * per, rowMask), weightType, 1e-5, classes);
        }
        return total;
    }

    @Test
    void matchesMonaiWithAbsentClassesOptionsAndMasks() {
        Random r = new Random(21);
        int n = 3;
        int positions = 5;
        int rows = n * positions;
        for (boolean softmax : new boolean[]{true, false}) {
            for (WeightType type : WeightType.values()) {
                for (boolean batch : new boolean[]{false, true}) {
                    INDArray z = gaussian(r, rows, 4, 2.0);
                    // class 3 is rare: absent from most images
                    INDArray y = softmax ? oneHot(r, rows, 3) : binary(r, rows, 3, 0.4);
                    y = Nd4j.hstack(y, Nd4j.zeros(DataType.DOUBLE, rows, 1));
                    y.putScalar(2, 3, 1.0);
                    if (softmax) {
                        y.getRow(2).assign(Nd4j.createFromArray(0.0, 0.0, 0.0, 1.0));
                    }
                    INDArray mask = binary(r, rows, 1, 0.8);
                    mask.putScalar(0, 0, 1.0);
                    IActivation act = softmax ? SOFTMAX : SIGMOID;
                    int groups = batch ? 1 : n;
                    RegionOptions o = RegionOptions.defaults().withRowsPerExample(positions).withBatch(batch);
                    String what = (softmax ? "softmax " : "sigmoid ") + type + " batch=" + batch;
                    GeneralizedDiceLoss all = new GeneralizedDiceLoss(type, 1e-5, o);
                    String w = type.parameterValue();
                    assertEquals(reference(z, y, null, softmax, w, new int[]{0, 1, 2, 3}, groups),
                            all.computeScore(y, z, act, null, false), 1e-12, what);
                    assertEquals(reference(z, y, mask, softmax, w, new int[]{0, 1, 2, 3}, groups),
                            all.computeScore(y, z, act, mask, false), 1e-12, what + " masked");
                    assertEquals(reference(z, y, mask, softmax, w, new int[]{1, 2, 3}, groups),
                            all.withOptions(o.withIncludeBackground(false)).computeScore(y, z, act, mask, false), 1e-12,
                            what + " without background");
                    assertEquals(reference(z, y, null, softmax, w, new int[]{0, 3}, groups),
                            all.withOptions(o.withClasses(0, 3)).computeScore(y, z, act, null, false), 1e-12,
                            what + " classes 0, 3");
                }
            }
        }
    }

    /** MONAI's rule by hand: an absent class takes the largest finite weight of its image; none left: 0. */
    @Test
    void absentClassesByHand() {
        // one image of 2 pixels, 3 sigmoid channels with p = 0.5 everywhere; G = (2, 1, 0)
        INDArray z = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        INDArray y = Nd4j.createFromArray(new double[][]{{1, 1, 0}, {1, 0, 0}});
        GeneralizedDiceLoss square = new GeneralizedDiceLoss(WeightType.SQUARE, 1e-5,
                RegionOptions.defaults().withRowsPerExample(2));
        // w = (1/4, 1, max = 1); TP = (1, 0.5, 0), P = (1, 1, 1), G = (2, 1, 0)
        double num = 2 * (0.25 * 1 + 1 * 0.5 + 1 * 0) + 1e-5;
        double den = 0.25 * 3 + 1 * 2 + 1 * 1 + 1e-5;
        assertEquals(1 - num / den, square.computeScore(y, z, SIGMOID, null, false), 1e-15);
        // every class absent: weights 0, loss 0 and no gradient
        INDArray none = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        assertEquals(0.0, square.computeScore(none, z, SIGMOID, null, false), 0.0);
        assertEquals(0.0, square.computeGradient(none, z, SIGMOID, null).amaxNumber().doubleValue(), 0.0);
        // uniform weights: the soft Dice of the counts pooled over the classes
        GeneralizedDiceLoss uniform = new GeneralizedDiceLoss(WeightType.UNIFORM, 1e-5, square.getOptions());
        assertEquals(1 - (2 * 1.5 + 1e-5) / (3 + 3 + 1e-5), uniform.computeScore(y, z, SIGMOID, null, false), 1e-15);
    }

    @Test
    void finiteDifferences() {
        Random r = new Random(8);
        int rows = 12;
        for (boolean softmax : new boolean[]{true, false}) {
            for (WeightType type : WeightType.values()) {
                INDArray z = gaussian(r, rows, 3, 1.5);
                INDArray y = softmax ? oneHot(r, rows, 3) : binary(r, rows, 3, 0.3);
                IActivation act = softmax ? SOFTMAX : SIGMOID;
                RegionOptions o = RegionOptions.defaults().withRowsPerExample(4);
                LossChecks.assertGradientMatchesFiniteDifferences(new GeneralizedDiceLoss(type, 1e-5, o), y, z, act, null);
                INDArray rowMask = binary(r, rows, 1, 0.7);
                LossChecks.assertGradientMatchesFiniteDifferences(new GeneralizedDiceLoss(type, 1e-5, o.withBatch(true)), y, z, act, rowMask);
                if (!softmax) {
                    LossChecks.assertGradientMatchesFiniteDifferences(new GeneralizedDiceLoss(type, 1e-5, o.withIncludeBackground(false)), y, z,
                            act, binary(r, rows, 3, 0.7));
                }
            }
        }
    }

    @Test
    void classWeightsAreRejectedAndSpecsRoundTrip() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> new GeneralizedDiceLoss(
                WeightType.SQUARE, 1e-5, RegionOptions.defaults().withClassWeights(1, 2)));
        assertTrue(e.getMessage().contains("classWeights"), e.getMessage());
        LossRegistry registry = LossRegistry.discover();
        e = assertThrows(LossConfigurationException.class,
                () -> registry.create("generalized-dice(classWeights=[1, 2])"));
        assertTrue(e.getMessage().contains("classWeights"), e.getMessage());
        e = assertThrows(LossConfigurationException.class, () -> registry.create("generalized-dice(weightType=cubic)"));
        assertTrue(e.getMessage().contains("square") && e.getMessage().contains("uniform"), e.getMessage());
        GeneralizedDiceLoss l = (GeneralizedDiceLoss) registry.create("generalized-dice(weightType=simple, batch=true)");
        assertEquals(WeightType.SIMPLE, l.getWeightType());
        assertTrue(l.getOptions().isBatch());
        assertEquals(l, registry.create(l.spec()));
        assertEquals(new GeneralizedDiceLoss(), registry.create("generalized-dice"));
    }
}
