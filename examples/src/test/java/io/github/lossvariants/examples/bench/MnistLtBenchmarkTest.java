package io.github.lossvariants.examples.bench;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.examples.data.Mnist;
import io.github.lossvariants.longtail.DeferredReweighting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parts of mnist-lt that decide its numbers: the profile, the metrics, the schedules, the counted parameters. */
class MnistLtBenchmarkTest {
    private static final LossRegistry REGISTRY = LossRegistry.discover();

    @Test
    void theProfileIsTheReferencesCounts() {
        int[] n = MnistLtBenchmark.profile(10);
        assertArrayEquals(new int[]{5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50}, n);
        assertEquals(12406, Arrays.stream(n).sum());
        assertArrayEquals(new int[]{3, 7}, MnistLtBenchmark.groupBounds(10), "many 0-2, medium 3-6, few 7-9");
    }

    @Test
    void metricsOfAHandCountedExample() {
        // labels 0, 0, 1, 2; argmax 0, 1, 1, 1: tp = [1, 1, 0], fp = [0, 2, 0], fn = [1, 0, 1]
        double[][] logits = {{2, 1, 0}, {0, 3, 1}, {0, 1, -1}, {0, 5, 4}};
        MnistLtBenchmark.Evaluation e = MnistLtBenchmark.evaluation(logits, new int[]{0, 0, 1, 2}, 3);
        assertArrayEquals(new double[]{50, 100, 0}, e.recall(), 1e-12);
        assertArrayEquals(new double[]{2.0 / 3, 0.5, 0}, e.f1(), 1e-12);
        assertEquals(50, e.top1(), 1e-12);
        assertEquals((2.0 / 3 + 0.5) / 3, e.macroF1(), 1e-12);
        assertEquals(75, e.meanRecall(0, 2), 1e-12);
    }

    @Test
    void drwSchedules() {
        DeferredReweighting d = MnistLtBenchmark.drw("drw", 20);
        assertEquals(15, d.getEpoch(), "the reference's epoch 15 of 20");
        assertEquals(0.9999, d.getBeta());
        assertEquals(3, MnistLtBenchmark.drw("drw", 4).getEpoch());
        d = MnistLtBenchmark.drw("drw(epoch=3, beta=0.99)", 20);
        assertEquals(3, d.getEpoch());
        assertEquals(0.99, d.getBeta());
        assertEquals(0.5, MnistLtBenchmark.drw("drw( beta = 0.5 )", 20).getBeta());
        assertMessage("unknown setting 'epochs=3'", () -> MnistLtBenchmark.drw("drw(epochs=3)", 20));
        assertMessage("unknown schedule 'warmup'", () -> MnistLtBenchmark.drw("warmup", 20));
        assertMessage("'epoch=x' is not a number", () -> MnistLtBenchmark.drw("drw(epoch=x)", 20));
        assertMessage("beta must lie in [0, 1]", () -> MnistLtBenchmark.drw("drw(beta=2)", 20));
    }

    @Test
    void theWeightedMeanExperimentDividesByTheMinibatchsTargetWeights() {
        assertTrue(MnistLtBenchmark.drwSchedule("drw(weightedMean=true)", 20).weightedMean());
        assertFalse(MnistLtBenchmark.drwSchedule("drw(epoch=2)", 20).weightedMean());
        assertMessage("unknown setting 'weightedMean=yes'", () -> MnistLtBenchmark.drw("drw(weightedMean=yes)", 20));
        // labels 0, 1, 1 with weights [0.5, 2]: sum of the targets' weights 4.5, N = 3, factor 3 / 4.5
        ILossFunction ce = REGISTRY.create("ce");
        INDArray labels = Nd4j.createFromArray(new double[][]{{1, 0}, {0, 1}, {0, 1}});
        INDArray logits = Nd4j.createFromArray(new double[][]{{0.3, -1}, {2, 1}, {0, 0.5}});
        IActivation softmax = Activation.SOFTMAX.getActivationFunction();
        WeightedMeanReduction mean = new WeightedMeanReduction(ce, new double[]{0.5, 2});
        double f = 3 / 4.5;
        assertArrayEquals(ce.computeScoreArray(labels, logits, softmax, null).mul(f).toDoubleVector(),
                mean.computeScoreArray(labels, logits, softmax, null).toDoubleVector(), 1e-12);
        assertArrayEquals(ce.computeGradient(labels, logits, softmax, null).mul(f).toDoubleMatrix()[1],
                mean.computeGradient(labels, logits, softmax, null).toDoubleMatrix()[1], 1e-12);
        assertEquals(f * ce.computeScore(labels, logits, softmax, null, true),
                mean.computeGradientAndScore(labels, logits, softmax, null, true).getFirst(), 1e-12);
    }

    @Test
    void lossLabelsSplitTheSpecFromTheSchedule() {
        assertEquals(new LossLabel("ldam", "drw(epoch=3)"), LossLabel.parse(" ldam with drw(epoch=3) "));
        assertEquals(new LossLabel("0.5*ce + poly(epsilon=2)", null), LossLabel.parse("0.5*ce + poly(epsilon=2)"));
        assertNull(LossLabel.parse("focal-with-weights").schedule(), "'with' inside a name is not a separator");
        assertMessage("expected SPEC or SPEC with SCHEDULE", () -> LossLabel.parse("ldam with "));
        assertMessage("expected SPEC or SPEC with SCHEDULE", () -> LossLabel.parse("ldam with drw with drw"));
    }

    @Test
    void theOutputActivationIsTheOneTheLossAccepts() {
        assertEquals(Activation.SOFTMAX, MnistLtBenchmark.outputActivation(REGISTRY.create("ce"), 3));
        assertEquals(Activation.SOFTMAX, MnistLtBenchmark.outputActivation(
                REGISTRY.create("balanced-softmax(classCounts=[3, 2, 1])"), 3));
        assertEquals(Activation.SIGMOID, MnistLtBenchmark.outputActivation(
                REGISTRY.create("class-balanced(baseLoss=focal, classCounts=[3, 2, 1])"), 3));
        assertEquals(Activation.SOFTMAX, MnistLtBenchmark.outputActivation(
                REGISTRY.create("class-balanced(baseLoss=softmax, classCounts=[3, 2, 1])"), 3));
    }

    /** The shared MNIST files, quick settings: the counts every loss gets are those of the training set built. */
    @Test
    void classCountsComeFromTheLongTailedTrainingSet() {
        MnistLtBenchmark b = new MnistLtBenchmark();
        b.prepare(new RunSettings(true, null, null, sharedData(), null, false));
        assertTrue(b.dataSummary().contains("train 12406 images, per class [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]"),
                b.dataSummary());
        assertTrue(b.dataSummary().contains("validation 1000 images"), b.dataSummary());
        assertTrue(b.dataSummary().contains("test 10000 images"), b.dataSummary());
        Map<String, Object> fill = b.dataParameters();
        LossFunction loss = REGISTRY.createFilling("balanced-softmax", fill);
        assertEquals(List.of(5000.0, 2997.0, 1796.0, 1077.0, 645.0, 387.0, 232.0, 139.0, 83.0, 50.0),
                loss.parameters().get("classCounts"));
        assertEquals(REGISTRY.create("ldam(maxMargin=0.3, classCounts=[1, 1, 1, 1, 1, 1, 1, 1, 1, 1])"),
                REGISTRY.createFilling("ldam(maxMargin=0.3, classCounts=[1, 1, 1, 1, 1, 1, 1, 1, 1, 1])", fill),
                "counts the spec gives win");
    }

    /** Any IDX files, compressed or not: here 3 classes of 2x2 images, too few for the profile. */
    @Test
    void uncompressedIdxFilesAreReadAndTooFewImagesAreAClearError(@TempDir Path dir) throws IOException {
        int[] labels = {0, 1, 2, 0, 1, 2};
        writeIdx(dir.resolve("train-images-idx3-ubyte"), dir.resolve("train-labels-idx1-ubyte"), labels);
        writeIdx(dir.resolve("t10k-images-idx3-ubyte"), dir.resolve("t10k-labels-idx1-ubyte"), labels);
        Mnist read = Mnist.read(dir, true);
        assertEquals(6, read.labels().length);
        assertEquals(4, read.images()[0].length);
        MnistLtBenchmark b = new MnistLtBenchmark();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> b.prepare(new RunSettings(true, null, null, dir, dir, false)));
        assertTrue(e.getMessage().contains("class 0 has 2 training images, the long-tailed profile needs 5000"), e.getMessage());
    }

    private static void writeIdx(Path images, Path labelsFile, int[] labels) throws IOException {
        ByteArrayOutputStream im = new ByteArrayOutputStream();
        try (DataOutputStream o = new DataOutputStream(im)) {
            o.writeInt(0x803);
            o.writeInt(labels.length);
            o.writeInt(2);
            o.writeInt(2);
            for (int i = 0; i < labels.length * 4; i++) {
                o.writeByte(i % 256);
            }
        }
        Files.write(images, im.toByteArray());
        ByteArrayOutputStream lb = new ByteArrayOutputStream();
        try (DataOutputStream o = new DataOutputStream(lb)) {
            o.writeInt(0x801);
            o.writeInt(labels.length);
            for (int l : labels) {
                o.writeByte(l);
            }
        }
        Files.write(labelsFile, lb.toByteArray());
    }

    private static Path sharedData() {
        Path p = Paths.get(System.getProperty("shared.dir", "../../shared"), "data");
        assertTrue(Files.isDirectory(p), "the shared data folder " + p.toAbsolutePath() + " is missing");
        return p;
    }

    private static void assertMessage(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
