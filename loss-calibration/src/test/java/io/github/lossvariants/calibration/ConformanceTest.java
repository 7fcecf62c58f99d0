package io.github.lossvariants.calibration;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.testkit.ConformanceTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** Every focal-adaptive-* and dual-focal-* reference case in the shared conformance folder. */
class ConformanceTest {
    @TestFactory
    Stream<DynamicTest> referenceVectors() {
        return ConformanceTests.forLosses(LossRegistry.discover(), "focal-adaptive", "dual-focal");
    }
}
