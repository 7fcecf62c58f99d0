package io.github.lossvariants.examples.metrics;

import java.util.Locale;
import java.util.Objects;

/**
 * One reported metric: the name it has in {@code results.csv}, {@code results.json} and the cell
 * files, which direction is better (the report bolds the best mean and words the verdicts by it),
 * and how a single value prints in the beside-the-reference tables. The benchmarks list the
 * {@code Metric}s they report and the report reads everything from them; the catalogue of every
 * metric the app computes is {@link Metrics}.
 *
 * @param name        the key in the results, e.g. {@code pr_auc}
 * @param direction   whether higher or lower values are better, or neither (e.g. a fitted temperature)
 * @param format      a {@link String#format} pattern for one value, e.g. {@code %.3f}
 * @param description one line on what it measures, for the docs and the report's legend
 */
public record Metric(String name, Direction direction, String format, String description) {

    /** Which values of a metric are better. */
    public enum Direction {
        /** larger values are better (accuracy, AP, Dice) */
        HIGHER_IS_BETTER,
        /** smaller values are better (losses, calibration errors, error counts) */
        LOWER_IS_BETTER,
        /** no better direction: a fitted parameter or a count that only describes the run */
        NONE
    }

    /**
     * @throws IllegalArgumentException when the name is blank or the format is not a one-number pattern
     */
    public Metric {
        Objects.requireNonNull(direction, "direction");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A metric needs a name");
        }
        try {
            String.format(Locale.ROOT, format, 0.5);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Metric " + name + ": format '" + format
                    + "' does not format one number (e.g. %.3f)", e);
        }
        description = description == null ? "" : description;
    }

    /** @return a metric whose larger values are better, printed with 3 decimals */
    public static Metric higherIsBetter(String name, String description) {
        return new Metric(name, Direction.HIGHER_IS_BETTER, "%.3f", description);
    }

    /** @return a metric whose smaller values are better, printed with 3 decimals */
    public static Metric lowerIsBetter(String name, String description) {
        return new Metric(name, Direction.LOWER_IS_BETTER, "%.3f", description);
    }

    /** @return this metric printed with another single-value format */
    public Metric withFormat(String pattern) {
        return new Metric(name, direction, pattern, description);
    }

    /** @return true when smaller values are better */
    public boolean lowerIsBetter() {
        return direction == Direction.LOWER_IS_BETTER;
    }

    /** @return true when the metric has a better direction (the report bolds and judges only those) */
    public boolean ranked() {
        return direction != Direction.NONE;
    }

    /**
     * @return true when {@code a} is strictly better than {@code b} in this metric's direction (false for
     * {@link Direction#NONE})
     */
    public boolean better(double a, double b) {
        return switch (direction) {
            case HIGHER_IS_BETTER -> a > b;
            case LOWER_IS_BETTER -> a < b;
            case NONE -> false;
        };
    }

    /** @return one value in this metric's format, or "-" when it is not finite */
    public String format(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, format, value) : "-";
    }

    @Override
    public String toString() {
        return name;
    }
}
