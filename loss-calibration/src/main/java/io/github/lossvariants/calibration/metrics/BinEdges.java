package io.github.lossvariants.calibration.metrics;

/**
 * Which side of an equal-width bin's edge is inclusive. The two conventions in use give different
 * ECE values only when confidences fall exactly on an edge (e.g. 0.40 with 5 bins).
 *
 * @since 0.1.0
 */
public enum BinEdges {
    /**
     * Bins (lo, hi]; a confidence of exactly 0 goes to the first bin. The convention of the
     * calibration papers' code (gpleiss/temperature_scaling, focal_calibration, MDCA, MbLS) and of
     * scikit-learn's {@code calibration_curve}; the default here, so that numbers compare with the
     * published tables.
     */
    UPPER_INCLUSIVE,
    /**
     * Bins [lo, hi) plus an extra bin holding confidences equal to 1.0, as torchmetrics (since
     * 2023-03) does.
     */
    LOWER_INCLUSIVE
}
