package io.github.lossvariants.examples.bench;

import io.github.lossvariants.examples.data.DigitCanvas;
import io.github.lossvariants.onednn.OneDnnHelpers;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.IntToDoubleFunction;

/**
 * What the two MNIST canvas benchmarks (m2nist, multimnist) share: train, validation and test
 * canvases with fixed generator seeds, full and quick sizes, one protocol ("N epochs"), the
 * settings key, and the training loop (Adam, batch {@value #BATCH}, a seeded permutation per
 * epoch, one evaluation per epoch). The validation canvases only serve to fit the temperature of
 * the calibration table (see {@link CanvasSets}).
 */
abstract class CanvasBenchmark implements Benchmark {
    static final int BATCH = 32;

    private final CanvasSets.Seeds seeds;
    private final int[] epochs;
    private final CanvasSets.Sizes fullSizes;
    private final CanvasSets.Sizes quickSizes;
    private final String netKey;
    private CanvasSets sets;

    /**
     * @param seeds      generator seeds of the training, validation and test canvases
     * @param epochs     {full, quick} epochs
     * @param fullSizes  canvases of a full run
     * @param quickSizes canvases of a quick run
     * @param netKey     names the network and optimiser in the settings key
     */
    CanvasBenchmark(CanvasSets.Seeds seeds, int[] epochs, CanvasSets.Sizes fullSizes, CanvasSets.Sizes quickSizes,
                    String netKey) {
        this.seeds = seeds;
        this.epochs = epochs.clone();
        this.fullSizes = fullSizes;
        this.quickSizes = quickSizes;
        this.netKey = netKey;
    }

    CanvasSets.Seeds seeds() {
        return seeds;
    }

    CanvasSets sets() {
        return sets;
    }

    int epochs(RunSettings s) {
        return s.epochs(epochs[0], epochs[1]);
    }

    /** @return the canvas counts of a run: the training count overridable by {@code --train-size} */
    CanvasSets.Sizes sizes(RunSettings s) {
        CanvasSets.Sizes d = s.quick() ? quickSizes : fullSizes;
        return new CanvasSets.Sizes(s.trainSize(fullSizes.train(), quickSizes.train()), d.validation(), d.test());
    }

    @Override
    public List<String> protocols(RunSettings s) {
        return List.of(epochs(s) + " epochs");
    }

    @Override
    public String configKey(RunSettings s) {
        CanvasSets.Sizes n = sizes(s);
        return String.format(Locale.ROOT, "%s/train=%d@%d/test=%d@%d/epochs=%d/%s/batch%d/val=%d@%d", name(), n.train(),
                seeds.train(), n.test(), seeds.test(), epochs(s), netKey, BATCH, n.validation(), seeds.validation());
    }

    @Override
    public void prepare(RunSettings s) {
        sets = CanvasSets.generate(s, sizes(s), seeds);
    }

    /**
     * Runs the network over canvases in batches (inference).
     *
     * @param batch   canvases per forward pass
     * @param forward the network's forward pass of one batch of images {@code [n, 1, H, W]}
     * @param consume receives each batch's result and the index of its first canvas
     */
    static void inBatches(DigitCanvas canvases, int batch, Function<INDArray, INDArray> forward, BatchConsumer consume) {
        for (int from = 0; from < canvases.size(); from += batch) {
            int to = Math.min(canvases.size(), from + batch);
            consume.accept(from, forward.apply(CanvasSets.images(canvases, CanvasSets.range(from, to))));
        }
    }

    /** Receives one batch of network outputs. */
    interface BatchConsumer {
        void accept(int firstCanvas, INDArray output);
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
                     Function<int[], INDArray> targets, IntToDoubleFunction evaluate) {
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
                    if (net instanceof ComputationGraph g) {
                        g.fit(batch);
                    } else {
                        ((MultiLayerNetwork) net).fit(batch);
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
