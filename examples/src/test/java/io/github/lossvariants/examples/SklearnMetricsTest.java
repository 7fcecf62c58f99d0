package io.github.lossvariants.examples;

import io.github.lossvariants.examples.metrics.BinaryMetrics;
import io.github.lossvariants.examples.metrics.MultiLabelMetrics;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleBiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The app's binary and multi-label metrics against scikit-learn's values on fixed inputs (seeded scores
 * on coarse grids, so that ties occur, and hand-made edge cases). The fixtures in
 * {@code src/test/resources/sklearn/} hold the inputs and scikit-learn's results; they were written once by
 * {@code src/test/python/sklearn_fixtures.py} with Debian's python3-sklearn (the script says how to rerun it).
 */
class SklearnMetricsTest {
    static final double TOLERANCE = 1e-12;

    static final Map<String, ToDoubleBiFunction<double[][], double[][]>> MULTI_LABEL = Map.of(
            "hamming_loss", MultiLabelMetrics::hammingLoss,
            "micro_f1", MultiLabelMetrics::microF1,
            "macro_f1", MultiLabelMetrics::macroF1,
            "macro_map", MultiLabelMetrics::macroMap,
            "ranking_ap", MultiLabelMetrics::rankingAveragePrecision,
            "one_error", MultiLabelMetrics::oneError,
            "coverage", MultiLabelMetrics::coverage,
            "ranking_loss", MultiLabelMetrics::rankingLoss);

    @TestFactory
    List<DynamicTest> multiLabelMetricsMatchScikitLearn() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases("multilabel.json")) {
            double[][] p = matrix(c.get("p"));
            double[][] y = matrix(c.get("y"));
            JsonNode expected = c.get("expected");
            assertEquals(MULTI_LABEL.keySet().size(), expected.size(), "every fixture value is checked: " + expected);
            MULTI_LABEL.forEach((metric, f) -> tests.add(DynamicTest.dynamicTest(c.get("name").asText() + ": " + metric,
                    () -> assertEquals(value(expected, metric), f.applyAsDouble(p, y), TOLERANCE))));
            tests.add(DynamicTest.dynamicTest(c.get("name").asText() + ": all() reports the same values", () -> {
                Map<String, Double> all = MultiLabelMetrics.all(p, y);
                MULTI_LABEL.keySet().forEach(m -> assertEquals(value(expected, m), all.get(m), TOLERANCE, m));
            }));
        }
        assertEquals(3 * (MULTI_LABEL.size() + 1), tests.size());
        return tests;
    }

    @TestFactory
    List<DynamicTest> binaryMetricsMatchScikitLearn() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases("binary.json")) {
            double[] p = vector(c.get("p"));
            double[] y = vector(c.get("y"));
            JsonNode e = c.get("expected");
            String name = c.get("name").asText();
            long[] counts = BinaryMetrics.confusion(p, y, 0.5);
            tests.add(DynamicTest.dynamicTest(name + ": average precision",
                    () -> assertEquals(value(e, "average_precision"), BinaryMetrics.averagePrecision(p, y), TOLERANCE)));
            tests.add(DynamicTest.dynamicTest(name + ": ROC-AUC",
                    () -> assertEquals(value(e, "roc_auc"), BinaryMetrics.rocAuc(p, y), TOLERANCE)));
            tests.add(DynamicTest.dynamicTest(name + ": confusion counts at 0.5", () -> {
                long[] expected = new long[4];
                for (int k = 0; k < 4; k++) {
                    expected[k] = e.get("confusion").get(k).asLong();
                }
                assertArrayEquals(expected, counts);
            }));
            tests.add(DynamicTest.dynamicTest(name + ": accuracy, precision, recall, F1",
                    () -> assertArrayEquals(new double[]{value(e, "accuracy"), value(e, "precision"), value(e, "recall"),
                            value(e, "f1")}, new double[]{BinaryMetrics.accuracy(counts), BinaryMetrics.precision(counts),
                            BinaryMetrics.recall(counts), BinaryMetrics.f1(counts)}, TOLERANCE)));
            tests.add(DynamicTest.dynamicTest(name + ": Brier score",
                    () -> assertEquals(value(e, "brier"), BinaryMetrics.brier(p, y), TOLERANCE)));
            tests.add(DynamicTest.dynamicTest(name + ": PR curve points", () -> {
                double[][] expected = matrix(e.get("pr_curve"));
                double[][] actual = BinaryMetrics.prCurve(p, y, Integer.MAX_VALUE);
                assertEquals(expected.length, actual.length, "one point per distinct score");
                for (int k = 0; k < expected.length; k++) {
                    assertArrayEquals(expected[k], actual[k], TOLERANCE, "point " + k);
                }
            }));
        }
        assertEquals(3 * 6, tests.size());
        return tests;
    }

    static List<JsonNode> cases(String file) throws IOException {
        try (InputStream in = SklearnMetricsTest.class.getResourceAsStream("/sklearn/" + file)) {
            assertNotNull(in, "fixture /sklearn/" + file + " missing from the test resources");
            JsonNode root = new ObjectMapper().readTree(in);
            assertTrue(root.get("source").asText().startsWith("scikit-learn "), root.get("source").asText());
            List<JsonNode> cases = new ArrayList<>();
            root.get("cases").forEach(cases::add);
            assertEquals(3, cases.size(), file);
            return cases;
        }
    }

    static double value(JsonNode expected, String metric) {
        JsonNode v = expected.get(metric);
        assertNotNull(v, "no expected value for " + metric);
        return v.asDouble();
    }

    static double[] vector(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    static double[][] matrix(JsonNode a) {
        double[][] m = new double[a.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = vector(a.get(i));
        }
        return m;
    }
}
