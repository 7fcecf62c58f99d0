package io.github.lossvariants.focal;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.testkit.ConformanceTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** Every focal-* and softmax-focal-* reference case (torchvision, MONAI) through the registry. */
class FocalConformanceTest {
    @TestFactory
    Stream<DynamicTest> conformance() {
        return ConformanceTests.forLosses(LossRegistry.discover(), "focal", "softmax-focal");
    }
}
