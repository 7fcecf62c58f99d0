package io.github.lossvariants.calibration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the worked example of docs/calibration.md and checks what it claims. */
class TemperatureScalingExampleTest {
    @Test
    void temperatureScalingLowersTheTestEceOfAnOverfittedNetwork() {
        TemperatureScalingExample.Result r = TemperatureScalingExample.run();
        System.out.println(r);
        assertTrue(r.temperature > 1.2, "an over-fitted network needs T > 1: " + r.temperature);
        assertTrue(r.eceBefore > 0.05, "the network is over-confident: ECE " + r.eceBefore);
        assertTrue(r.eceAfter < r.eceBefore / 2, "ECE " + r.eceBefore + " -> " + r.eceAfter);
        assertTrue(r.nllAfter < r.nllBefore);
        assertEquals(r.accuracyBefore, r.accuracyAfter, 0.0, "temperature scaling never changes a prediction");
    }
}
