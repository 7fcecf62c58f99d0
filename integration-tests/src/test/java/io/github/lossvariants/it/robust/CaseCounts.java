package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.dl4j.MaskKind;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the generated cases each loss passed, by what they covered, for the final assertion
 * (at least {@link #MIN_CASES} per loss) and the report file {@value #REPORT}. Nothing is printed.
 */
final class CaseCounts {
    /** Cases each loss must pass across the property tests; {@code -Drobust.minCases} for shorter runs. */
    static final int MIN_CASES = Integer.getInteger("robust.minCases", 1000);
    /** Where the counts are written (relative to the module, i.e. integration-tests/target). */
    static final String REPORT = "target/robustness-cases.md";

    /** What one loss's passed cases covered. */
    static final class PerLoss {
        int half;
        int floats;
        int doubles;
        int finiteDifferences;
        int finiteDifferencesRedrawn;
        final int[] ranks = new int[6];
        final int[] masks = new int[MaskKind.values().length];
        int fractionalMasks;
        int softLabels;
        int extremeLogits;
        int linearMaskChecks;
        int maxRows;

        int total() {
            return half + floats + doubles + finiteDifferences;
        }
    }

    private static final Map<String, PerLoss> COUNTS = new ConcurrentHashMap<>();

    private CaseCounts() {
    }

    /** Records a property case that passed. */
    static void passed(String loss, Generators.Case c, boolean linearMaskChecked) {
        PerLoss p = COUNTS.computeIfAbsent(loss, k -> new PerLoss());
        synchronized (p) {
            if (c.type == DataType.HALF) {
                p.half++;
            } else if (c.type == DataType.FLOAT) {
                p.floats++;
            } else {
                p.doubles++;
            }
            count(p, c);
            if (linearMaskChecked) {
                p.linearMaskChecks++;
            }
        }
    }

    /** Records a finite-difference case that passed. */
    static void passedFiniteDifferences(String loss, Generators.Case c) {
        PerLoss p = COUNTS.computeIfAbsent(loss, k -> new PerLoss());
        synchronized (p) {
            p.finiteDifferences++;
            count(p, c);
        }
    }

    /** Records a finite-difference case redrawn because its score was too large for the check. */
    static void redrawnForFiniteDifferences(String loss) {
        PerLoss p = COUNTS.computeIfAbsent(loss, k -> new PerLoss());
        synchronized (p) {
            p.finiteDifferencesRedrawn++;
        }
    }

    private static void count(PerLoss p, Generators.Case c) {
        p.ranks[c.shape.length]++;
        p.masks[c.maskKind.ordinal()]++;
        if (c.fractionalMask) {
            p.fractionalMasks++;
        }
        if (c.softLabels) {
            p.softLabels++;
        }
        if (c.logitScale >= 1000) {
            p.extremeLogits++;
        }
        p.maxRows = (int) Math.max(p.maxRows, c.rows());
    }

    static Map<String, PerLoss> snapshot() {
        return new TreeMap<>(COUNTS);
    }

    /** @return the counts as a Markdown table, one row per loss and a total row */
    static String table(Map<String, PerLoss> counts) {
        StringBuilder b = new StringBuilder("| loss | cases | HALF | FLOAT | DOUBLE | finite differences (redrawn) | rank 2/3/4/5"
                + " | mask none/per-row/per-output | fractional masks | soft labels | logit scale >= 1e3"
                + " | per-row mask linearity | max rows |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        PerLoss all = new PerLoss();
        for (Map.Entry<String, PerLoss> e : counts.entrySet()) {
            PerLoss p = e.getValue();
            b.append(row("`" + e.getKey() + "`", p));
            all.half += p.half;
            all.floats += p.floats;
            all.doubles += p.doubles;
            all.finiteDifferences += p.finiteDifferences;
            all.finiteDifferencesRedrawn += p.finiteDifferencesRedrawn;
            for (int i = 0; i < all.ranks.length; i++) {
                all.ranks[i] += p.ranks[i];
            }
            for (int i = 0; i < all.masks.length; i++) {
                all.masks[i] += p.masks[i];
            }
            all.fractionalMasks += p.fractionalMasks;
            all.softLabels += p.softLabels;
            all.extremeLogits += p.extremeLogits;
            all.linearMaskChecks += p.linearMaskChecks;
            all.maxRows = Math.max(all.maxRows, p.maxRows);
        }
        return b.append(row("all " + counts.size() + " losses", all)).toString();
    }

    private static String row(String name, PerLoss p) {
        return "| " + name + " | " + p.total() + " | " + p.half + " | " + p.floats + " | " + p.doubles + " | "
                + p.finiteDifferences + " (" + p.finiteDifferencesRedrawn + ") | " + p.ranks[2] + "/" + p.ranks[3] + "/" + p.ranks[4] + "/" + p.ranks[5]
                + " | " + p.masks[MaskKind.NONE.ordinal()] + "/" + p.masks[MaskKind.PER_EXAMPLE.ordinal()] + "/"
                + p.masks[MaskKind.PER_OUTPUT.ordinal()] + " | " + p.fractionalMasks + " | " + p.softLabels + " | "
                + p.extremeLogits + " | " + p.linearMaskChecks + " | " + p.maxRows + " |\n";
    }

    static void write(String text) {
        try {
            Path path = Path.of(REPORT);
            Files.createDirectories(path.getParent());
            Files.writeString(path, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + REPORT, e);
        }
    }
}
