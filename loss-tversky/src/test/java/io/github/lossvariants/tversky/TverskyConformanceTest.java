package io.github.lossvariants.tversky;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.testkit.ConformanceTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** Every tversky, focal-tversky and dice vector of the shared conformance folder. */
class TverskyConformanceTest {
    @TestFactory
    Stream<DynamicTest> conformance() {
        return ConformanceTests.forLosses(LossRegistry.discover(), "tversky", "focal-tversky", "dice");
    }
}
