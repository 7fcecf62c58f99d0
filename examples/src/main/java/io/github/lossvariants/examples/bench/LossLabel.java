package io.github.lossvariants.examples.bench;

import java.util.regex.Pattern;

/**
 * A loss as the {@code compare} command takes it: a registry spec string, optionally followed by the
 * word {@code with} and a training schedule the benchmark applies, e.g. {@code ldam with drw} (LDAM
 * with deferred re-weighting, see {@link MnistLtBenchmark}). The whole text is the loss's label in
 * the reports and cell files; the spec alone goes to the registry.
 *
 * @param spec     the registry spec string, trimmed
 * @param schedule the schedule after {@code with}, trimmed, or null when there is none
 */
public record LossLabel(String spec, String schedule) {
    private static final Pattern WITH = Pattern.compile("\\s+with\\s+");

    /**
     * @param label {@code SPEC} or {@code SPEC with SCHEDULE}
     * @return its parts
     * @throws IllegalArgumentException when a part around {@code with} is empty or there is more than one
     */
    public static LossLabel parse(String label) {
        String[] parts = WITH.split(" " + label.trim() + " ", -1);
        if (parts.length == 1) {
            return new LossLabel(label.trim(), null);
        }
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new IllegalArgumentException("'" + label + "': expected SPEC or SPEC with SCHEDULE, e.g. 'ldam with drw'");
        }
        return new LossLabel(parts[0].trim(), parts[1].trim());
    }
}
