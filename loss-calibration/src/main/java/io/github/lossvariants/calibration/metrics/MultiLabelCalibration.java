package io.github.lossvariants.calibration.metrics;

import java.util.Arrays;

/**
 * Per-label positive-class ECE of a multi-label output and its macro mean. Immutable.
 *
 * @since 0.1.0
 */
public final class MultiLabelCalibration {
    private final double[] perLabel;

    /** @param perLabel ECE of each label column */
    public MultiLabelCalibration(double[] perLabel) {
        this.perLabel = perLabel.clone();
    }

    /** @return a copy of the per-label ECE values */
    public double[] perLabel() {
        return perLabel.clone();
    }

    /** @return the unweighted mean over labels */
    public double macro() {
        double s = 0;
        for (double v : perLabel) {
            s += v;
        }
        return s / perLabel.length;
    }

    @Override
    public String toString() {
        return "macro ECE " + macro() + ", per label " + Arrays.toString(perLabel);
    }
}
