package io.github.lossvariants.examples.bench;

import io.github.lossvariants.onednn.OneDnnHelpers;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.IntToDoubleFunction;

/**
 * What the two MNIST canvas benchmarks (m2nist, multimnist) share: train and test canvases with
 * fixed generator seeds, full and quick sizes, one protocol ("N epochs"), the settings key, and
 * the training loop (Adam, batch {@value #BATCH}, a seeded permutation per epoch, one evaluation
 * per epoch).
 */
abstract class CanvasBenchmark implements Benchmark {
    static final int BATCH = 32;

    private final long trainSeed;
    private final long testSeed;
    private final int[] epochs;
    private final int[] trainSizes;
    private final int[] testSizes;
    private final String netKey;
    private CanvasSets sets;

    /**
     * @param trainSeed  generator seed of the training canvases
     * @param testSeed   generator seed of the test canvases
     * @param epochs     {full, quick} epochs
     * @param trainSizes {full, quick} training canvases
     * @param testSizes  {full, quick} test canvases
     * @param netKey     names the network and optimiser in the settings key
     */
    CanvasBenchmark(long trainSeed, long testSeed, int[] epochs, int[] trainSizes, int[] testSizes, String netKey) {
        this.trainSeed = trainSeed;
        this.testSeed = testSeed;
        this.epochs = epochs.clone();
        this.trainSizes = trainSizes.clone();
        this.testSizes = testSizes.clone();
        this.netKey = netKey;
    }

    long trainSeed() {
        return trainSeed;
    }

    long testSeed() {
        return testSeed;
    }

    CanvasSets sets() {
        return sets;
    }

    int epochs(RunSettings s) {
        return s.epochs(epochs[0], epochs[1]);
    }

    int trainSize(RunSettings s) {
        return s.trainSize(trainSizes[0], trainSizes[1]);
    }

    int testSize(RunSettings s) {
        return s.quick() ? testSizes[1] : testSizes[0];
    }

    @Override
    public List<String> protocols(RunSettings s) {
        return List.of(epochs(s) + " epochs");
    }

    @Override
    public String configKey(RunSettings s) {
        return String.format(Locale.ROOT, "%s/train=%d@%d/test=%d@%d/epochs=%d/%s/batch%d", name(), trainSize(s), trainSeed,
                testSize(s), testSeed, epochs(s), netKey, BATCH);
    }

    @Override
    public void prepare(RunSettings s) {
        sets = CanvasSets.generate(s, trainSize(s), testSize(s), trainSeed, testSeed);
    }

    /**
     * Trains {@code net} for the run's epochs in minibatches of {@value #BATCH} training canvases, in
     * the order of a permutation seeded by (seed, epoch), and evaluates after every epoch.
     *
     * @param targets  the targets of the canvases at the given indices
     * @param evaluate called after each epoch with its index; returns the value of the test curve
     * @return {train loss per epoch, test curve per epoch}
     */
    double[][] train(Model net, String spec, int seed, RunSettings s, Progress.Factory progress,
                     Function<int[], org.nd4j.linalg.api.ndarray.INDArray> targets, IntToDoubleFunction evaluate) {
        OneDnnHelpers.enable(net); // DL4J's oneDNN layer helpers (loss-onednn): ~10x faster convolutions on CPU
        int n = sets.train().size();
        int epochCount = epochs(s);
        int batches = (n + BATCH - 1) / BATCH;
        double[] trainLoss = new double[epochCount];
        double[] test = new double[epochCount];
        try (Progress p = progress.create(spec + " seed " + seed, (long) epochCount * batches)) {
            for (int e = 0; e < epochCount; e++) {
                int[] perm = CanvasSets.permutation(n, seed * 100003L + e);
                double sum = 0;
                for (int b = 0; b < batches; b++) {
                    int[] idx = Arrays.copyOfRange(perm, b * BATCH, Math.min(n, (b + 1) * BATCH));
                    DataSet batch = new DataSet(CanvasSets.images(sets.train(), idx), targets.apply(idx));
                    if (net instanceof org.deeplearning4j.nn.graph.ComputationGraph g) {
                        g.fit(batch);
                    } else {
                        ((org.deeplearning4j.nn.multilayer.MultiLayerNetwork) net).fit(batch);
                    }
                    sum += net.score();
                    p.step("loss " + Nets.fmt(sum / (b + 1)));
                }
                trainLoss[e] = sum / batches;
                test[e] = evaluate.applyAsDouble(e);
            }
        }
        return new double[][]{trainLoss, test};
    }
}
