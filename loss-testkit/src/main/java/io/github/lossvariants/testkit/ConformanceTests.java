package io.github.lossvariants.testkit;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.conformance.CaseResult;
import io.github.lossvariants.conformance.ConformanceCase;
import io.github.lossvariants.conformance.ConformanceRunner;
import org.junit.jupiter.api.DynamicTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * JUnit 5 glue: one dynamic test per reference-vector case of the named losses, so that each
 * module runs exactly its own cases.
 *
 * <pre>{@code
 * class FocalConformanceTest {
 *     @TestFactory
 *     Stream<DynamicTest> conformance() {
 *         return ConformanceTests.forLosses(LossRegistry.discover(), "focal", "softmax-focal");
 *     }
 * }
 * }</pre>
 *
 * A folder that is missing, a malformed file, or no matching case at all each produce a failing
 * test (never an empty, silently green run).
 *
 * @since 0.1.0
 */
public final class ConformanceTests {
    private ConformanceTests() {
    }

    /**
     * @param registry  the registry that creates the losses
     * @param lossNames the registry names whose cases to run; at least one
     * @return one test per case of {@link ConformanceRunner#defaultDirectory()} whose loss is one
     * of {@code lossNames}, failing with the case's message
     */
    public static Stream<DynamicTest> forLosses(LossRegistry registry, String... lossNames) {
        return forLosses(ConformanceRunner.defaultDirectory(), registry, lossNames);
    }

    /**
     * As {@link #forLosses(LossRegistry, String...)}, reading the cases from {@code dir}.
     *
     * @param dir       the folder of cases
     * @param registry  the registry that creates the losses
     * @param lossNames the registry names whose cases to run; at least one
     * @return the tests
     */
    public static Stream<DynamicTest> forLosses(Path dir, LossRegistry registry, String... lossNames) {
        Set<String> names = new TreeSet<>(Arrays.asList(lossNames));
        if (names.isEmpty()) {
            return Stream.of(DynamicTest.dynamicTest("conformance: no loss names given",
                    () -> fail("ConformanceTests.forLosses needs at least one loss name")));
        }
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            return Stream.of(DynamicTest.dynamicTest("conformance directory " + abs,
                    () -> fail("conformance directory " + abs + " does not exist; set the system property"
                            + " conformance.dir or the environment variable LOSS_CONFORMANCE_DIR")));
        }
        List<ConformanceCase> cases;
        try {
            cases = ConformanceCase.readAll(dir);
        } catch (RuntimeException e) {
            String message = e.getMessage();
            return Stream.of(DynamicTest.dynamicTest("conformance directory " + abs, () -> fail(message, e)));
        }
        List<ConformanceCase> mine = cases.stream().filter(c -> names.contains(c.loss())).collect(Collectors.toList());
        if (mine.isEmpty()) {
            return Stream.of(DynamicTest.dynamicTest("conformance cases for " + names,
                    () -> fail("no conformance case in " + abs + " has loss " + names + "; the folder holds "
                            + cases.stream().map(ConformanceCase::loss).collect(Collectors.toCollection(TreeSet::new)))));
        }
        ConformanceRunner runner = new ConformanceRunner(registry);
        return mine.stream().map(c -> DynamicTest.dynamicTest(c.id() + " (" + c.loss() + ")", c.source().toUri(), () -> {
            CaseResult r = runner.run(c);
            if (!r.passed()) {
                fail(r.line());
            }
        }));
    }
}
