package io.github.lossvariants.examples.metrics;

import java.util.List;
import java.util.Map;

/**
 * Calibration of one evaluation before and after temperature scaling: the values of the
 * calibration table every report has (Mukhoti et al. 2020 report both, to show whether a loss's
 * calibration gain survives post-hoc scaling). ECE values are fractions here and x100 in the results.
 *
 * @param ece               ECE of the raw outputs
 * @param adaptiveEce       adaptive ECE of the raw outputs
 * @param nll               mean NLL of the raw outputs
 * @param temperature       the fitted temperature
 * @param eceScaled         ECE after scaling
 * @param adaptiveEceScaled adaptive ECE after scaling
 * @param nllScaled         mean NLL after scaling
 */
public record CalibrationBeforeAfter(double ece, double adaptiveEce, double nll, double temperature, double eceScaled,
                                     double adaptiveEceScaled, double nllScaled) {

    /**
     * Puts the values into a protocol's metrics.
     *
     * @param metrics the seven metrics to store them under, in the order of the components
     *                ({@link Metrics#CALIBRATION} or {@link Metrics#PIXEL_CALIBRATION})
     */
    public void putInto(Map<String, Double> target, List<Metric> metrics) {
        if (metrics.size() != 7) {
            throw new IllegalArgumentException("Seven calibration metrics expected, got " + metrics);
        }
        double[] values = {100 * ece, 100 * adaptiveEce, nll, temperature, 100 * eceScaled, 100 * adaptiveEceScaled,
                nllScaled};
        for (int i = 0; i < values.length; i++) {
            target.put(metrics.get(i).name(), values[i]);
        }
    }
}
