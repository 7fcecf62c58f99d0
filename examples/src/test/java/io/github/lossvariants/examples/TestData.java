package io.github.lossvariants.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The shared data folder for data-dependent tests (surefire sets shared.dir). */
final class TestData {
    private TestData() {
    }

    static Path dir() {
        String shared = System.getProperty("shared.dir", "../../shared");
        Path p = Paths.get(shared, "data");
        assumeTrue(Files.isDirectory(p), "shared data folder absent: " + p.toAbsolutePath());
        return p;
    }
}
