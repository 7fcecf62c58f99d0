package io.github.lossvariants.it;

import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.ParameterType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's loss catalogue is the registry's: every registered loss of the project has one row,
 * every parameter of its schema is named in that row (the region losses' shared options in the
 * "Shared options" paragraph), and a default written as {@code `name` (default; range)} is the
 * schema's default. A loss or a parameter added, renamed or given another default without the README
 * following fails here, with every mismatch listed.
 */
class ReadmeCatalogueTest {
    private static final Path ROOT = Paths.get("").toAbsolutePath().getParent();
    /** Options every region loss shares, documented once in the region family's "Shared options" paragraph. */
    private static final Set<String> SHARED_REGION_OPTIONS = Set.of("batch", "includeBackground", "classes",
            "classWeights", "rowsPerExample");
    /** The test's own example loss (com.example.custom), registered through META-INF/services. */
    private static final Set<String> NOT_IN_CATALOGUE = Set.of("squared-hinge");
    private static final Pattern DEFAULT_AFTER_NAME = Pattern.compile("^[^(|`]{0,40}\\(([^;)]*)[;)]");

    @Test
    void everyRegisteredLossAndParameterIsInTheCatalogueWithItsDefault() throws IOException {
        String catalogue = catalogue();
        List<String> problems = new ArrayList<>();
        for (LossProvider p : LossRegistry.discover().providers()) {
            if (NOT_IN_CATALOGUE.contains(p.name())) {
                continue;
            }
            String row = row(catalogue, p.name());
            if (row == null) {
                problems.add(p.name() + ": no catalogue row starting with | `" + p.name() + "` |");
                continue;
            }
            for (ParameterSpec s : p.parameters().specs()) {
                boolean shared = SHARED_REGION_OPTIONS.contains(s.name())
                        && p.parameters().specs().stream().anyMatch(o -> o.name().equals("includeBackground")
                        || o.name().equals("rowsPerExample"));
                if (shared) {
                    if (!s.name().equals("rowsPerExample") && !catalogue.contains("`" + s.name() + "`")) {
                        problems.add(p.name() + ": shared option `" + s.name() + "` is not documented");
                    }
                    continue;
                }
                String cell = row;
                int at = cell.indexOf("`" + s.name() + "`");
                String inherited = inheritedRow(catalogue, row);
                if (at < 0 && inherited != null && inherited.contains("`" + s.name() + "`")) {
                    cell = inherited; // "as `tversky`, `gamma` (...)": the other row documents the rest
                    at = cell.indexOf("`" + s.name() + "`");
                }
                if (at < 0) {
                    problems.add(p.name() + ": parameter `" + s.name() + "` is not in its row");
                    continue;
                }
                Matcher m = DEFAULT_AFTER_NAME.matcher(cell.substring(at + s.name().length() + 2));
                if (m.find()) {
                    String written = m.group(1).trim();
                    String why = mismatch(s, written);
                    if (why != null) {
                        problems.add(p.name() + ": `" + s.name() + "` is written with default '" + written + "' but "
                                + why);
                    }
                }
            }
        }
        assertTrue(problems.isEmpty(), "README's loss catalogue differs from the registry:\n  "
                + String.join("\n  ", problems));
    }

    /** @return the row named by "as `other`" at the start of a parameter cell, or null */
    private static String inheritedRow(String catalogue, String row) {
        Matcher m = Pattern.compile("\\| as `([a-z-]+)`").matcher(row);
        return m.find() ? row(catalogue, m.group(1)) : null;
    }

    /** @return null when the written default is the schema's, else what the schema says */
    private static String mismatch(ParameterSpec s, String written) {
        written = written.replace('\u2212', '-'); // the README writes a typographic minus
        String first = written.split("[ ,:]")[0];
        Object d = s.defaultValue();
        if (s.isRequired()) {
            return written.startsWith("required") ? null : "the parameter is required";
        }
        if (d == null) {
            boolean uniformArray = (s.type() == ParameterType.DOUBLE_ARRAY || s.type() == ParameterType.INT_ARRAY)
                    && written.startsWith("all ");
            return written.startsWith("none") || uniformArray ? null : "it has no default (write 'none')";
        }
        if (s.type() == ParameterType.DOUBLE || s.type() == ParameterType.INT) {
            Double v = number(first);
            double expected = ((Number) d).doubleValue();
            return v != null && Math.abs(v - expected) <= 1e-12 * Math.max(1, Math.abs(expected)) ? null
                    : "the schema's default is " + d;
        }
        if (s.type() == ParameterType.BOOLEAN || s.type() == ParameterType.CHOICE) {
            String w = first.replace("`", "");
            return w.equals(String.valueOf(d)) ? null : "the schema's default is " + d;
        }
        return null; // arrays: described in words ("all 1")
    }

    private static Double number(String text) {
        try {
            int slash = text.indexOf('/');
            return slash > 0 ? Double.parseDouble(text.substring(0, slash)) / Double.parseDouble(text.substring(slash + 1))
                    : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String catalogue() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        int from = readme.indexOf("\n## Loss catalogue");
        int to = readme.indexOf("\n## ", from + 1);
        assertTrue(from >= 0 && to > from, "README has no '## Loss catalogue' section");
        return readme.substring(from, to);
    }

    private static String row(String catalogue, String name) {
        String start = "\n| `" + name + "` |";
        int at = catalogue.indexOf(start);
        if (at < 0 || catalogue.indexOf(start, at + 1) >= 0) {
            return null;
        }
        int end = catalogue.indexOf('\n', at + 1);
        return catalogue.substring(at + start.length(), end < 0 ? catalogue.length() : end);
    }
}
