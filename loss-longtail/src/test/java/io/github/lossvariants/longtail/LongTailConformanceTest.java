package io.github.lossvariants.longtail;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.testkit.ConformanceTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * Every reference case of this module's losses (the class-balanced port, LDAM-DRW, balanced
 * softmax, polyloss, DistributionBalancedLoss and TwoWayLoss authors' code) through the registry,
 * in double and float.
 */
class LongTailConformanceTest {
    @TestFactory
    Stream<DynamicTest> conformance() {
        return ConformanceTests.forLosses(LossRegistry.discover(), "class-balanced", "ldam", "balanced-softmax", "poly",
                "poly-focal", "distribution-balanced", "two-way");
    }
}
