package io.github.lossvariants.onednn;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A short training run of the U-Net of {@link TestNets} on a learnable segmentation task (a bright and a
 * dark rectangle per image, two foreground classes) reaches the same foreground Dice with the oneDNN
 * helpers as without. Both runs start from the same parameters and see the same batches; they differ
 * only by float rounding, which grows over the steps, so the final metrics are compared to 0.02 (Dice)
 * after both have learnt the task (Dice above 0.8 from about 0.3 at the start).
 */
class TrainingWithHelpersTest {
    private static final int STEPS = 60;
    private static final int BATCH = 8;

    @Test
    void reachesTheSameDiceWithHelpersAsWithout() {
        assumeTrue(OneDnnHelpers.unavailableReason().isEmpty(), () -> OneDnnHelpers.unavailableReason().orElse(""));
        String loss = "0.01*ce + dice(includeBackground=false)";
        ComputationGraph off = TestNets.init(TestNets.unet(loss, CNN2DFormat.NCHW));
        ComputationGraph on = TestNets.init(TestNets.unet(loss, CNN2DFormat.NCHW));
        on.setParams(off.params().dup());
        assertEquals(8, OneDnnHelpers.enable(on).enabledLayers().size());

        MultiDataSet test = rectangles(64, 1000);
        double before = foregroundDice(off, test);
        for (int step = 0; step < STEPS; step++) {
            MultiDataSet batch = rectangles(BATCH, step);
            off.fit(batch);
            on.fit(batch);
        }
        double diceOff = foregroundDice(off, test);
        double diceOn = foregroundDice(on, test);
        assertTrue(diceOff > 0.8 && diceOff > before + 0.3,
                "the task must be learnt for the comparison to mean anything: Dice " + before + " -> " + diceOff);
        assertEquals(diceOff, diceOn, 0.02, "foreground Dice without helpers " + diceOff + ", with helpers " + diceOn);
        assertEquals(off.score(), on.score(), 0.05 * off.score(), "last training score");
    }

    /** @return images with a bright (class 1) and a dark (class 2) rectangle on noise, one-hot labels */
    static MultiDataSet rectangles(int n, long seed) {
        Random r = new Random(seed);
        INDArray x = Nd4j.zeros(DataType.FLOAT, n, 1, TestNets.H, TestNets.W);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, TestNets.CLASSES, TestNets.H, TestNets.W);
        for (int i = 0; i < n; i++) {
            int[][] cls = new int[TestNets.H][TestNets.W];
            for (int c = 1; c <= 2; c++) {
                int h0 = r.nextInt(TestNets.H - 2);
                int w0 = r.nextInt(TestNets.W - 2);
                int h1 = h0 + 2 + r.nextInt(TestNets.H - h0 - 1);
                int w1 = w0 + 2 + r.nextInt(TestNets.W - w0 - 1);
                for (int h = h0; h < Math.min(h1, TestNets.H); h++) {
                    for (int w = w0; w < Math.min(w1, TestNets.W); w++) {
                        cls[h][w] = c;
                    }
                }
            }
            for (int h = 0; h < TestNets.H; h++) {
                for (int w = 0; w < TestNets.W; w++) {
                    double v = cls[h][w] == 1 ? 1 : cls[h][w] == 2 ? -1 : 0;
                    x.putScalar(new long[]{i, 0, h, w}, v + 0.2 * r.nextGaussian());
                    y.putScalar(new long[]{i, cls[h][w], h, w}, 1);
                }
            }
        }
        return new MultiDataSet(x, y);
    }

    /** @return the mean over the two foreground classes of Dice = 2|P and G| / (|P| + |G|), pixels by arg max */
    static double foregroundDice(ComputationGraph net, MultiDataSet data) {
        INDArray predicted = net.outputSingle(false, data.getFeatures(0)).argMax(1);
        INDArray truth = data.getLabels(0).argMax(1);
        double sum = 0;
        for (int c = 1; c <= 2; c++) {
            INDArray p = predicted.eq(c).castTo(DataType.DOUBLE);
            INDArray g = truth.eq(c).castTo(DataType.DOUBLE);
            double both = p.mul(g).sumNumber().doubleValue();
            sum += 2 * both / (p.sumNumber().doubleValue() + g.sumNumber().doubleValue());
        }
        return sum / 2;
    }
}
