package io.github.lossvariants.longtail;

import io.github.lossvariants.conformance.ConformanceRunner;
import org.junit.jupiter.api.Test;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The per-class constants against the ones the references computed (the {@code class_weights} and
 * {@code margins} fields the conformance files carry for debugging), and their closed forms.
 */
class DerivedConstantsTest {
    private static JsonNode read(String file) throws IOException {
        Path p = ConformanceRunner.defaultDirectory().resolve(file);
        return new ObjectMapper().readTree(p.toFile());
    }

    private static double[] doubles(JsonNode array) {
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = array.get(i).asDouble();
        }
        return d;
    }

    @Test
    void classBalancedWeightsMatchTheReference() throws IOException {
        for (String file : new String[]{"class-balanced-sigmoid.json", "class-balanced-focal.json"}) {
            JsonNode c = read(file);
            double[] counts = doubles(c.get("class_counts"));
            double beta = c.get("params").get("beta").asDouble();
            assertArrayEquals(doubles(c.get("class_weights")), ClassBalancedLoss.effectiveNumberWeights(counts, beta),
                    1e-12, file);
        }
    }

    @Test
    void ldamMarginsMatchTheReference() throws IOException {
        JsonNode c = read("ldam-default.json");
        assertArrayEquals(doubles(c.get("margins")), LdamLoss.margins(doubles(c.get("class_counts")),
                c.get("params").get("maxMargin").asDouble()), 1e-15);
    }

    @Test
    void effectiveNumberWeightsAtTheEndsOfBeta() {
        double[] counts = {100, 10, 1, 4};
        // beta = 0: every effective number is 1, equal weights
        assertArrayEquals(new double[]{1, 1, 1, 1}, ClassBalancedLoss.effectiveNumberWeights(counts, 0.0), 1e-15);
        // beta = 1: inverse frequency, normalised to sum to 4: (1/n) * 4 / (0.01 + 0.1 + 1 + 0.25)
        double s = 0.01 + 0.1 + 1 + 0.25;
        assertArrayEquals(new double[]{0.04 / s, 0.4 / s, 4 / s, 1 / s},
                ClassBalancedLoss.effectiveNumberWeights(counts, 1.0), 1e-15);
        // beta -> 1 approaches inverse frequency
        assertArrayEquals(ClassBalancedLoss.effectiveNumberWeights(counts, 1.0),
                ClassBalancedLoss.effectiveNumberWeights(counts, 1 - 1e-12), 1e-9);
        // one class: weight 1
        assertEquals(1.0, ClassBalancedLoss.effectiveNumberWeights(new double[]{7}, 0.9)[0], 1e-15);
    }

    @Test
    void ldamMarginsScaleWithTheFourthRoot() {
        double[] m = LdamLoss.margins(new double[]{10000, 16, 1}, 0.5);
        // n^(-1/4): 0.1, 0.5, 1; the rarest class gets maxMargin
        assertArrayEquals(new double[]{0.05, 0.25, 0.5}, m, 1e-15);
    }
}
