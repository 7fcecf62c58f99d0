package io.github.lossvariants.testkit;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.conformance.CaseResult;
import io.github.lossvariants.conformance.ConformanceCase;
import io.github.lossvariants.conformance.ConformanceReport;
import io.github.lossvariants.conformance.ConformanceRunner;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner against small hand-written case files whose values are computed here from the BCE formula. */
class ConformanceRunnerTest {
    private static final LossRegistry REGISTRY = LossRegistry.of(new TestBceLoss.Provider());

    @TempDir
    Path dir;

    /** BCE from logits, computed independently of the code under test. */
    private static double bce(double z, double y) {
        double p = 1 / (1 + Math.exp(-z));
        return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
    }

    private static double dbce(double z, double y) {
        return 1 / (1 + Math.exp(-z)) - y;
    }

    /** Writes a BCE case of the given shape, scaled by weight, with per-example sums over non-batch elements. */
    private void writeBce(String file, String id, String loss, String params, String kind, long[] shape, double weight,
                          double totalOffset, int gradientIndexOff) throws IOException {
        writeBce(file, id, loss, params, kind, shape, weight, totalOffset, gradientIndexOff, "");
    }

    /** As above; {@code extra} is appended to the JSON object (e.g. {@code , "note": "x"}). */
    private void writeBce(String file, String id, String loss, String params, String kind, long[] shape, double weight,
                          double totalOffset, int gradientIndexOff, String extra) throws IOException {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        double[] z = new double[n];
        double[] y = new double[n];
        double[] g = new double[n];
        double[] perExample = new double[(int) shape[0]];
        int perN = n / (int) shape[0];
        double total = 0;
        for (int i = 0; i < n; i++) {
            z[i] = Math.sin(1.3 * i + 0.2) * 4;
            y[i] = (i * 7 % 5) < 2 ? 1 : 0;
            double l = weight * bce(z[i], y[i]);
            perExample[i / perN] += l;
            total += l;
            g[i] = weight * dbce(z[i], y[i]);
        }
        if (gradientIndexOff >= 0) {
            g[gradientIndexOff] += 0.5;
        }
        String json = "{\"schema\": 1, \"id\": \"" + id + "\", \"loss\": \"" + loss + "\", \"params\": " + params
                + ", \"activation\": \"sigmoid\", \"kind\": \"" + kind + "\", \"shape\": " + Arrays.toString(shape)
                + ", \"logits\": " + arr(z) + ", \"labels\": " + arr(y) + ", \"per_example\": " + arr(perExample)
                + ", \"total\": " + num(total + totalOffset) + ", \"gradient\": " + arr(g) + extra + "}";
        Files.writeString(dir.resolve(file), json);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.17g", v);
    }

    private static String arr(double[] a) {
        return Arrays.stream(a).mapToObj(ConformanceRunnerTest::num).collect(Collectors.joining(", ", "[", "]"));
    }

    @Test
    void reportsPassesAndEachKindOfFailure() throws IOException {
        writeBce("a-pass-2d.json", "bce-2d", "test-bce", "{\"weight\": 0.5}", "elementwise", new long[]{3, 4}, 0.5, 0, -1);
        writeBce("b-pass-nchw.json", "bce-nchw", "test-bce", "{}", "elementwise", new long[]{2, 3, 2, 2}, 1, 0, -1);
        writeBce("c-unknown-loss.json", "nope", "no-such-loss", "{}", "elementwise", new long[]{2, 2}, 1, 0, -1);
        writeBce("d-unknown-param.json", "bad-param", "test-bce", "{\"gamma\": 2}", "elementwise", new long[]{2, 2}, 1,
                0, -1);
        writeBce("e-wrong-total.json", "wrong-total", "test-bce", "{}", "elementwise", new long[]{2, 2}, 1, 1e-3, -1);
        writeBce("f-wrong-gradient.json", "wrong-gradient", "test-bce", "{}", "elementwise", new long[]{2, 3, 2, 2}, 1,
                0, 17);
        writeBce("g-region.json", "region", "test-bce", "{}", "region", new long[]{2, 3, 2, 2}, 1, 0, -1);
        Files.writeString(dir.resolve("README.md"), "not a case");

        ConformanceReport report = new ConformanceRunner(REGISTRY).run(dir);
        List<String> lines = report.lines();
        assertEquals(7, lines.size(), String.join("\n", lines));
        assertEquals("PASS bce-2d (test-bce)", lines.get(0));
        assertEquals("PASS bce-nchw (test-bce)", lines.get(1));
        assertTrue(lines.get(2).startsWith("FAIL nope (no-such-loss): loss 'no-such-loss' is not registered"), lines.get(2));
        assertTrue(lines.get(3).startsWith("FAIL bad-param (test-bce): cannot create loss"), lines.get(3));
        assertTrue(lines.get(3).contains("gamma"), lines.get(3));
        assertTrue(lines.get(4).startsWith("FAIL wrong-total (test-bce): total expected"), lines.get(4));
        assertTrue(lines.get(4).contains("(float64"), lines.get(4));
        assertTrue(lines.get(5).startsWith("FAIL wrong-gradient (test-bce): gradient[17] expected"), lines.get(5));
        assertTrue(lines.get(6).contains("RowGroupedLoss"), lines.get(6));
        assertEquals(2, report.passed());
        assertEquals(5, report.failed());
        assertFalse(report.allPassed());
        assertEquals("conformance: 2 passed, 5 failed", report.summaryLine());
    }

    @Test
    void floatRunHasItsOwnTolerance() throws IOException {
        // off by 1e-6 relative: outside the float64 tolerance (1e-7), inside float32's (1e-3)
        writeBce("x.json", "slightly-off", "test-bce", "{}", "elementwise", new long[]{2, 2}, 1, 0, -1);
        String json = Files.readString(dir.resolve("x.json"));
        ConformanceCase c = ConformanceCase.read(dir.resolve("x.json"));
        double off = c.total() * (1 + 1e-6);
        Files.writeString(dir.resolve("x.json"), json.replace("\"total\": " + num(c.total()), "\"total\": " + num(off)));
        CaseResult r = new ConformanceRunner(REGISTRY).run(ConformanceCase.read(dir.resolve("x.json")));
        assertFalse(r.passed());
        assertTrue(r.message().startsWith("total expected"), r.message());
        assertTrue(r.message().contains("float64"), r.message());
    }

    @Test
    void malformedFileIsNamed() throws IOException {
        Files.writeString(dir.resolve("broken.json"), "{\"id\": \"x\", \"loss\": \"test-bce\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConformanceCase.readAll(dir));
        assertTrue(e.getMessage().contains("broken.json"), e.getMessage());
        Files.writeString(dir.resolve("broken.json"), "{\"id\": \"x\", \"loss\": \"test-bce\", \"activation\": \"sigmoid\","
                + " \"shape\": [2, 2], \"logits\": [1, 2, 3], \"labels\": [0, 1, 0, 1], \"total\": 1}");
        e = assertThrows(IllegalArgumentException.class, () -> ConformanceCase.readAll(dir));
        assertTrue(e.getMessage().contains("broken.json") && e.getMessage().contains("'logits' has 3 values"),
                e.getMessage());
    }

    @Test
    void forLossesFailsWhenNothingMatchesOrTheFolderIsMissing() throws Throwable {
        writeBce("a.json", "bce-2d", "test-bce", "{}", "elementwise", new long[]{2, 2}, 1, 0, -1);
        List<DynamicTest> none = ConformanceTests.forLosses(dir, REGISTRY, "focal").collect(Collectors.toList());
        assertEquals(1, none.size());
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> none.get(0).getExecutable().execute());
        assertTrue(e.getMessage().contains("no conformance case"), e.getMessage());

        Path missing = dir.resolve("missing");
        List<DynamicTest> gone = ConformanceTests.forLosses(missing, REGISTRY, "test-bce").collect(Collectors.toList());
        assertEquals(1, gone.size());
        e = assertThrows(AssertionFailedError.class, () -> gone.get(0).getExecutable().execute());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());

        List<DynamicTest> mine = ConformanceTests.forLosses(dir, REGISTRY, "test-bce").collect(Collectors.toList());
        assertEquals(1, mine.size());
        assertEquals("bce-2d (test-bce)", mine.get(0).getDisplayName());
        assertDoesNotThrow(() -> mine.get(0).getExecutable().execute());
    }

    @Test
    void sharedFolderThroughAForeignRegistryFailsEveryCaseAsNotRegistered() {
        Path shared = ConformanceRunner.defaultDirectory();
        assertTrue(Files.isDirectory(shared), "conformance folder " + shared.toAbsolutePath());
        ConformanceReport report = new ConformanceRunner(REGISTRY).run(shared);
        int files = ConformanceCase.readAll(shared).size();
        assertTrue(files > 0);
        assertEquals(files, report.results().size());
        assertEquals(0, report.passed());
        assertEquals(files, report.failed());
        for (CaseResult r : report.results()) {
            assertTrue(r.message().contains("not registered"), r.line());
        }
        assertEquals("conformance: 0 passed, " + files + " failed", report.summaryLine());
    }

    @Test
    void regionCasesRunThroughARowGroupedLoss() throws IOException {
        // soft Dice per (example, class) over 2x2 images, sigmoid; values from the formula here
        long[] shape = {2, 2, 2, 2};
        int n = 16;
        double smooth = 1e-3;
        double[] z = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = Math.cos(0.7 * i) * 2;
            y[i] = i % 3 == 0 ? 1 : 0;
        }
        double[] perExample = new double[2];
        double[] grad = new double[n];
        for (int e = 0; e < 2; e++) {
            for (int c = 0; c < 2; c++) {
                double inter = 0;
                double union = 0;
                for (int s = 0; s < 4; s++) {
                    int i = e * 8 + c * 4 + s;
                    double p = 1 / (1 + Math.exp(-z[i]));
                    inter += p * y[i];
                    union += p + y[i];
                }
                double dice = (2 * inter + smooth) / (union + smooth);
                perExample[e] += (1 - dice) / 2;
                for (int s = 0; s < 4; s++) {
                    int i = e * 8 + c * 4 + s;
                    double p = 1 / (1 + Math.exp(-z[i]));
                    double dp = -(2 * y[i] * (union + smooth) - (2 * inter + smooth)) / Math.pow(union + smooth, 2) / 2;
                    grad[i] = dp * p * (1 - p);
                }
            }
        }
        String json = "{\"id\": \"dice\", \"loss\": \"test-dice\", \"params\": {\"smooth\": " + smooth
                + "}, \"activation\": \"sigmoid\", \"kind\": \"region\", \"shape\": [2, 2, 2, 2], \"logits\": " + arr(z)
                + ", \"labels\": " + arr(y) + ", \"per_example\": " + arr(perExample) + ", \"total\": "
                + num(perExample[0] + perExample[1]) + ", \"gradient\": " + arr(grad) + "}";
        Files.writeString(dir.resolve("dice.json"), json);
        LossRegistry registry = LossRegistry.of(new TestDiceLoss.Provider());
        ConformanceReport report = new ConformanceRunner(registry).run(dir);
        assertEquals(List.of("PASS dice (test-dice)"), report.lines());
    }

    /** Per-element BCE of the case writeBce writes (same formula, same data), for per_element fields. */
    private static double[] bcePerElement(long[] shape, double weight) {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        double[] e = new double[n];
        for (int i = 0; i < n; i++) {
            double z = Math.sin(1.3 * i + 0.2) * 4;
            double y = (i * 7 % 5) < 2 ? 1 : 0;
            e[i] = weight * bce(z, y);
        }
        return e;
    }

    @Test
    void perElementIsComparedThroughItsSumsPerExample() throws IOException {
        long[] shape = {2, 3, 2, 2};
        double[] perElement = bcePerElement(shape, 1);
        writeBce("a.json", "right", "test-bce", "{}", "elementwise", shape, 1, 0, -1, ", \"per_element\": " + arr(perElement));
        double[] moved = perElement.clone();
        // moved between two elements of the same example: the sums still match (DL4J gives per-row values only)
        moved[5] += 0.25;
        moved[6] -= 0.25;
        writeBce("b.json", "moved", "test-bce", "{}", "elementwise", shape, 1, 0, -1, ", \"per_element\": " + arr(moved));
        double[] inconsistent = perElement.clone();
        inconsistent[13] += 0.25;
        writeBce("c.json", "inconsistent", "test-bce", "{}", "elementwise", shape, 1, 0, -1,
                ", \"per_element\": " + arr(inconsistent));
        // without per_example, the sums of per_element are compared with the loss
        writeBce("d.json", "wrong-sums", "test-bce", "{}", "elementwise", shape, 1, 0, -1,
                ", \"per_element\": " + arr(inconsistent));
        Files.writeString(dir.resolve("d.json"), Files.readString(dir.resolve("d.json"))
                .replaceFirst("\"per_example\": \\[[^\\]]*\\]", "\"per_example\": null"));
        List<String> lines = new ConformanceRunner(REGISTRY).run(dir).lines();
        assertEquals("PASS right (test-bce)", lines.get(0));
        assertEquals("PASS moved (test-bce)", lines.get(1));
        assertTrue(lines.get(2).startsWith("FAIL inconsistent (test-bce): inconsistent case: the file's per_example"
                + " against its per_element sums[1]"), lines.get(2));
        assertTrue(lines.get(3).startsWith("FAIL wrong-sums (test-bce): per_example[1] expected"), lines.get(3));
    }

    @Test
    void informationalFieldsAreReadAndNotCompared() throws IOException {
        writeBce("a.json", "informational", "test-bce", "{}", "per-example", new long[]{3, 4}, 1, 0, -1,
                ", \"reference\": \"somewhere\", \"note\": \"text\", \"class_weights\": [1, 2],"
                        + " \"margins\": [0.1], \"neg_class_counts\": [5, 6], \"ground_truth_counts\": [1, 0],"
                        + " \"reference_output\": 12.5, \"per_class\": [0.5, 0.25], \"per_element\": null");
        assertEquals(List.of("PASS informational (test-bce)"), new ConformanceRunner(REGISTRY).run(dir).lines());
    }

    @Test
    void whatTheRunnerDoesNotUnderstandFailsTheCase() throws IOException {
        writeBce("a.json", "kind", "test-bce", "{}", "pairwise", new long[]{2, 2}, 1, 0, -1);
        writeBce("b.json", "field", "test-bce", "{}", "elementwise", new long[]{2, 2}, 1, 0, -1,
                ", \"sample_weights\": [1, 2], \"ignore_index\": 3");
        writeBce("c.json", "schema", "test-bce", "{}", "elementwise", new long[]{2, 2}, 1, 0, -1);
        Files.writeString(dir.resolve("c.json"), Files.readString(dir.resolve("c.json")).replace("\"schema\": 1", "\"schema\": 2"));
        writeBce("d.json", "activation", "test-bce", "{}", "elementwise", new long[]{2, 2}, 1, 0, -1);
        Files.writeString(dir.resolve("d.json"), Files.readString(dir.resolve("d.json")).replace("\"sigmoid\"", "\"tanh\""));
        writeBce("e.json", "counts", "test-bce", "{}", "elementwise", new long[]{2, 2}, 1, 0, -1,
                ", \"class_counts\": [10, 1]");
        List<String> lines = new ConformanceRunner(REGISTRY).run(dir).lines();
        assertEquals(5, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("FAIL kind (test-bce): unknown kind 'pairwise'"), lines.get(0));
        assertTrue(lines.get(1).startsWith("FAIL field (test-bce): unknown fields ignore_index, sample_weights"),
                lines.get(1));
        assertTrue(lines.get(2).startsWith("FAIL schema (test-bce): schema 2 is not understood"), lines.get(2));
        assertTrue(lines.get(3).startsWith("FAIL activation (test-bce): unsupported activation 'tanh'"), lines.get(3));
        assertTrue(lines.get(4).startsWith("FAIL counts (test-bce): class_counts [10.0, 1.0] differs from"
                + " params.classCounts (absent)"), lines.get(4));
    }

    /** The minibatch loss of TestMinibatchLoss, computed here: S^2/2, S = sum(z - y); gradient S. */
    private void writeMinibatch(String file, String id, String perExample, double totalOffset) throws IOException {
        double[] z = {0.5, -1.25, 2.0, 0.75, -0.5, 1.5};
        double[] y = {1, 0, 0, 1, 1, 0};
        double s = 0;
        for (int i = 0; i < z.length; i++) {
            s += z[i] - y[i];
        }
        double total = s * s / 2;
        double[] g = new double[z.length];
        Arrays.fill(g, s);
        String json = "{\"schema\": 1, \"id\": \"" + id + "\", \"loss\": \"test-minibatch\", \"params\": {},"
                + " \"activation\": \"none\", \"kind\": \"minibatch\", \"shape\": [3, 2], \"logits\": " + arr(z)
                + ", \"labels\": " + arr(y) + ", \"per_element\": null, \"per_example\": "
                + perExample.replace("TOTAL", num(total)) + ", \"total\": " + num(total + totalOffset)
                + ", \"gradient\": " + arr(g) + "}";
        Files.writeString(dir.resolve(file), json);
    }

    @Test
    void minibatchCasesOnRawLogits() throws IOException {
        writeMinibatch("a.json", "minibatch", "[TOTAL]", 0);
        writeMinibatch("b.json", "two-entries", "[TOTAL, 0]", 0);
        writeMinibatch("c.json", "wrong-total", "[TOTAL]", 1e-3);
        LossRegistry registry = LossRegistry.of(new TestMinibatchLoss.Provider());
        List<String> lines = new ConformanceRunner(registry).run(dir).lines();
        assertEquals("PASS minibatch (test-minibatch)", lines.get(0));
        assertTrue(lines.get(1).startsWith("FAIL two-entries (test-minibatch): per_example of a minibatch case must"
                + " have one entry"), lines.get(1));
        assertTrue(lines.get(2).startsWith("FAIL wrong-total (test-minibatch): total expected"), lines.get(2));
    }
}
