package io.github.lossvariants.tversky;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.testkit.ConformanceTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * Every generalized-dice, jaccard, lovasz and mcc vector of the shared conformance folder (MONAI 1.5,
 * segmentation_models.pytorch), in double and float.
 */
class SegmentationConformanceTest {
    @TestFactory
    Stream<DynamicTest> conformance() {
        return ConformanceTests.forLosses(LossRegistry.discover(), "generalized-dice", "jaccard", "lovasz", "mcc");
    }
}
