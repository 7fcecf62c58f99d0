package io.github.lossvariants.examples.bench;

import java.nio.file.Path;

/**
 * Settings of one compare run shared by every benchmark.
 *
 * @param quick      a small run (fewer epochs, seeds and samples)
 * @param epochs     overrides the benchmark's (longest) epoch count when not null
 * @param trainSize  overrides the number of generated training canvases (MNIST benchmarks) when not null
 * @param dataDir    the shared data folder
 * @param mnistDir   the MNIST folder, or null to look under the data folder and DL4J's cache
 * @param progress   draw progress bars
 */
public record RunSettings(boolean quick, Integer epochs, Integer trainSize, Path dataDir, Path mnistDir, boolean progress) {

    /** @return the epoch override, or the quick or full default */
    public int epochs(int full, int quickValue) {
        return epochs != null ? epochs : quick ? quickValue : full;
    }

    /** @return the training-set override, or the quick or full default */
    public int trainSize(int full, int quickValue) {
        return trainSize != null ? trainSize : quick ? quickValue : full;
    }
}
