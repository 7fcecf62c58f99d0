package io.github.lossvariants.examples.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of training one network with one loss and one seed: metrics per protocol, training
 * curves, calibration bins and PR curves per protocol, and benchmark-specific arrays for plots.
 * Public fields so that it round-trips through JSON (the resume files).
 */
public final class CellResult {
    /** benchmark name */
    public String benchmark;
    /** loss spec string as given */
    public String loss;
    /** seed of network initialisation and batch order */
    public int seed;
    /** key of the settings that produced it (resume only reuses cells with an equal key) */
    public String config;
    /** wall time of training and evaluation, seconds */
    public double seconds;
    /** protocol -> metric -> value */
    public Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
    /** curve name -> value per epoch */
    public Map<String, double[]> curves = new LinkedHashMap<>();
    /** protocol -> reliability bins {@code [bins][mean confidence, accuracy, count]} */
    public Map<String, double[][]> reliability = new LinkedHashMap<>();
    /** protocol -> PR curve points {@code [k][recall, precision]} */
    public Map<String, double[][]> pr = new LinkedHashMap<>();
    /** benchmark-specific arrays (decision-region grid, segmentation predictions, per-label values) */
    public Map<String, double[]> extra = new LinkedHashMap<>();

    /** @return the metrics map of a protocol, created on first use */
    public Map<String, Double> protocol(String name) {
        return metrics.computeIfAbsent(name, k -> new LinkedHashMap<>());
    }
}
