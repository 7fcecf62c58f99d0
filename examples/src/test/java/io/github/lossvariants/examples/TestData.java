package io.github.lossvariants.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The shared folders of the data-dependent tests (the build sets {@code shared.dir} and
 * {@code conformance.dir}). A missing folder fails the test with a message saying what is needed:
 * a skipped test would look like a passed one.
 */
final class TestData {
    private TestData() {
    }

    /** @return the shared data folder ({@code ../shared/data}) */
    static Path dir() {
        return require(Paths.get(System.getProperty("shared.dir", "../../shared"), "data"), "shared data");
    }

    /** @return the shared conformance folder ({@code ../shared/conformance}) */
    static Path conformance() {
        return require(Paths.get(System.getProperty("conformance.dir", "../../shared/conformance")), "conformance");
    }

    private static Path require(Path p, String what) {
        if (!Files.isDirectory(p)) {
            fail("The " + what + " folder " + p.toAbsolutePath() + " is missing. These tests need the project's ../shared "
                    + "folder (data and conformance vectors) beside the project folder, or -Dshared.dir=DIR.");
        }
        return p;
    }
}
