package io.github.lossvariants.asymmetric;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.testkit.ConformanceTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** The reference vectors of the ASL authors' code (asymmetric-default, -detached, -noclip). */
class AsymmetricConformanceTest {
    @TestFactory
    Stream<DynamicTest> conformance() {
        return ConformanceTests.forLosses(LossRegistry.discover(), "asymmetric");
    }
}
