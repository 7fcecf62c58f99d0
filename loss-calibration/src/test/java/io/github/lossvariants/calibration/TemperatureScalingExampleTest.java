package io.github.lossvariants.calibration;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the worked example of docs/calibration.md and checks what it claims; its report goes to
 * {@value #REPORT} (tests print nothing).
 */
class TemperatureScalingExampleTest {
    static final String REPORT = "target/temperature-scaling-example.txt";

    @Test
    void temperatureScalingLowersTheTestEceOfAnOverfittedNetwork() throws IOException {
        TemperatureScalingExample.Result r = TemperatureScalingExample.run();
        Files.createDirectories(Path.of(REPORT).getParent());
        Files.writeString(Path.of(REPORT), r + System.lineSeparator(), StandardCharsets.UTF_8);
        assertTrue(r.temperature > 1.2, "an over-fitted network needs T > 1: " + r.temperature);
        assertTrue(r.eceBefore > 0.05, "the network is over-confident: ECE " + r.eceBefore);
        assertTrue(r.eceAfter < r.eceBefore / 2, "ECE " + r.eceBefore + " -> " + r.eceAfter);
        assertTrue(r.nllAfter < r.nllBefore);
        assertEquals(r.accuracyBefore, r.accuracyAfter, 0.0, "temperature scaling never changes a prediction");
    }
}
