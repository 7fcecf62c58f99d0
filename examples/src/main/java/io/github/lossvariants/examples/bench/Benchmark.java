package io.github.lossvariants.examples.bench;

import io.github.lossvariants.examples.metrics.Metric;
import io.github.lossvariants.examples.metrics.Metrics;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One benchmark: a data set, a fixed network and schedule, metrics and plots. Every loss is
 * trained on the same data with the same network, schedule and seeds; only the loss differs.
 */
public interface Benchmark {

    /** @return the command-line name, e.g. {@code imbalanced2d} */
    String name();

    /** @return one line: data, network, schedule */
    String description();

    /** @return the baseline loss spec ({@code bce} or {@code ce}) every comparison includes */
    String baseline();

    /** @return the default loss specs, baseline first */
    List<String> defaultLosses();

    /** @return the default number of seeds for a full and a quick run */
    default int defaultSeeds(boolean quick) {
        return quick ? 2 : 5;
    }

    /**
     * @return the default number of ND4J threads: 1 for small MLPs (ND4J's per-op threading costs more than it
     * saves there, and much more on a shared machine); for the CNNs the processors left idle by other programs
     * (see {@link #idleProcessors()})
     */
    default int defaultThreads() {
        return idleProcessors();
    }

    /**
     * @return the processor count minus the one-minute load average (rounded), at least 1. OpenMP threads that
     * share a core with other busy programs spin and wait for each other, which made every op slower on the
     * loaded build machine than one thread was.
     */
    static int idleProcessors() {
        int cores = Runtime.getRuntime().availableProcessors();
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        if (load < 0) {
            return cores;
        }
        return (int) Math.max(1, Math.min(cores, Math.round(cores - load)));
    }

    /** @return the protocols (evaluation points) in report order, e.g. "30 epochs", "300 epochs" */
    List<String> protocols(RunSettings settings);

    /** @return the metrics of the main tables, in order */
    List<Metric> headlineMetrics();

    /** @return the threshold-free metric the verdict lines use (e.g. pr_auc) */
    Metric primaryMetric();

    /**
     * @return the metrics of the calibration table: ECE, adaptive ECE and NLL of the raw outputs, the fitted
     * temperature, and the three after temperature scaling (default {@link Metrics#CALIBRATION})
     */
    default List<Metric> calibrationMetrics() {
        return Metrics.CALIBRATION;
    }

    /** @return one sentence for the report: on which held-out data the temperature is fitted */
    String temperatureSource();

    /** @return a key of every setting that changes results (used to decide what a resume may reuse) */
    String configKey(RunSettings settings);

    /** Loads or generates the data. Called once before any {@link #run}. */
    void prepare(RunSettings settings);

    /**
     * Values computed from the prepared training data for parameters that a loss declares and a spec leaves out,
     * e.g. {@code classCounts} (and {@code trainNum} for multi-label data), counted with {@code loss-longtail}'s
     * {@code ClassCounts}. The app builds every loss with
     * {@link io.github.lossvariants.api.LossRegistry#createFilling}, so {@code --loss balanced-softmax} needs no
     * counts typed; a value the spec sets wins. Called after {@link #prepare}.
     *
     * @return values by parameter name (default: none)
     */
    default Map<String, Object> dataParameters() {
        return Map.of();
    }

    /**
     * Checks the training-schedule part of a loss given as {@code SPEC with SCHEDULE} (e.g. {@code ldam with drw}, see
     * {@link LossLabel}); {@link #run} reads it from the label it is given.
     *
     * @param schedule the text after {@code with}
     * @throws IllegalArgumentException when the benchmark does not know it (default: it knows none)
     */
    default void checkSchedule(String schedule) {
        throw new IllegalArgumentException(name() + " has no training schedules (got 'with " + schedule
                + "'); give a loss spec alone");
    }

    /** @return one line on the prepared data (sizes, class balance) */
    String dataSummary();

    /**
     * Trains a fresh network with the given loss and seed and evaluates it.
     *
     * @param loss     the loss (already configured for the layer, e.g. grouped per image)
     * @param spec     the loss spec string, stored in the result
     * @param seed     the seed
     * @param settings the run settings
     * @param progress creates the progress bar of this cell
     * @return the result
     */
    CellResult run(ILossFunction loss, String spec, int seed, RunSettings settings, Progress.Factory progress);

    /** @return the reference numbers from the data folder's README, as markdown (may be empty) */
    String referenceMarkdown();

    /** @return a markdown table of our means beside the reference numbers (may be empty) */
    default String besideReference(List<CellResult> cells, List<String> losses, List<String> protocols) {
        return "";
    }

    /**
     * Writes the benchmark-specific plots (decision regions, overlays, ...).
     *
     * @return markdown that embeds them (relative paths), or empty
     */
    String writeSpecificPlots(List<CellResult> cells, List<String> losses, Path outDir) throws IOException;
}
