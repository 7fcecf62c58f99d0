package io.github.lossvariants.examples.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the benchmark data folder ({@code shared/data} beside the project root). Order: the
 * explicit directory, the system property {@code lossvariants.data} (or {@code shared.dir} + /data),
 * the environment variable {@code LOSSVARIANTS_DATA}, then {@code ../shared/data},
 * {@code ../../shared/data} and {@code shared/data} relative to the working directory.
 */
public final class SharedData {
    private SharedData() {
    }

    /** @return the data folder, or null when none of the candidates exists */
    public static Path find(Path explicit) {
        for (Path p : candidates(explicit)) {
            if (p != null && Files.isDirectory(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        return null;
    }

    /** @return the data folder; throws naming every place that was tried when it is absent */
    public static Path require(Path explicit) {
        Path p = find(explicit);
        if (p == null) {
            throw new IllegalStateException("Benchmark data not found. Tried: " + candidates(explicit)
                    + ". Pass --data-dir DIR or set LOSSVARIANTS_DATA to the folder holding imbalanced2d/, yeast/ and mnist/.");
        }
        return p;
    }

    static List<Path> candidates(Path explicit) {
        List<Path> c = new ArrayList<>();
        if (explicit != null) {
            c.add(explicit);
            return c;
        }
        String prop = System.getProperty("lossvariants.data");
        if (prop != null) {
            c.add(Paths.get(prop));
        }
        String shared = System.getProperty("shared.dir");
        if (shared != null) {
            c.add(Paths.get(shared, "data"));
        }
        String env = System.getenv("LOSSVARIANTS_DATA");
        if (env != null) {
            c.add(Paths.get(env));
        }
        c.add(Paths.get("..", "shared", "data"));
        c.add(Paths.get("..", "..", "shared", "data"));
        c.add(Paths.get("shared", "data"));
        return c;
    }
}
