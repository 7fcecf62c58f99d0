package io.github.lossvariants.examples;

import io.github.lossvariants.examples.bench.Benchmark;
import io.github.lossvariants.examples.bench.Imbalanced2dBenchmark;
import io.github.lossvariants.examples.bench.M2nistBenchmark;
import io.github.lossvariants.examples.bench.MnistLtBenchmark;
import io.github.lossvariants.examples.bench.MultiMnistBenchmark;
import io.github.lossvariants.examples.bench.Progress;
import io.github.lossvariants.examples.bench.YeastBenchmark;
import io.github.lossvariants.examples.metrics.Metric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One {@code compare} run of every benchmark at a tiny size (one or two epochs, few canvases, one seed; the
 * baseline and one variant for the MLP benchmarks, the baseline alone for the CNN ones): the report exists,
 * and every metric of the benchmark's tables, the calibration before and after temperature scaling
 * included, has a finite value for every cell. The runs are not a check of the numbers (too short for
 * that), but of the whole path from data to report.
 */
class BenchmarkRunsTest {

    @Test
    void imbalanced2d(@TempDir Path dir) throws IOException {
        check(new Imbalanced2dBenchmark(), dir, List.of("bce", "focal(gamma=2)"), "--epochs", "2");
    }

    @Test
    void yeast(@TempDir Path dir) throws IOException {
        check(new YeastBenchmark(), dir, List.of("bce", "asymmetric(gammaNeg=4, gammaPos=1, clip=0.05)"), "--epochs", "1");
    }

    @Test
    void m2nist(@TempDir Path dir) throws IOException {
        check(new M2nistBenchmark(), dir, List.of("ce"), "--epochs", "1", "--train-size", "8");
    }

    @Test
    void multimnist(@TempDir Path dir) throws IOException {
        check(new MultiMnistBenchmark(), dir, List.of("bce"), "--epochs", "1", "--train-size", "16");
    }

    /**
     * mnist-lt with the losses whose classCounts the benchmark fills in from the training data (none is typed),
     * LDAM with deferred re-weighting from the first epoch, and the sigmoid-trained class-balanced focal.
     */
    @Test
    void mnistLt(@TempDir Path dir) throws IOException {
        check(new MnistLtBenchmark(), dir, List.of("ce", "balanced-softmax", "ldam with drw(epoch=0)",
                "class-balanced(baseLoss=focal)"), "--epochs", "1");
        String report = Files.readString(dir.resolve("mnist-lt").resolve("report.md"));
        assertTrue(report.contains("| `balanced-softmax` | reference (balanced softmax) | 91.54 +- 0.26 |"), report);
        assertTrue(report.contains("[5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]"), report);
        assertTrue(Files.size(dir.resolve("mnist-lt").resolve("per_class_accuracy.png")) > 1000);
    }

    /** What the runs above must not print: a progress bar draws frames with "% [" on System.err. */
    @Test
    void aProgressBarDrawsOnStandardError() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
            try (Progress p = Progress.bar("task", 2)) {
                p.step("x");
                p.step("y");
            }
        } finally {
            System.setErr(stderr);
        }
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("% ["), printed.toString(StandardCharsets.UTF_8));
        assertFalse(Progress.onTerminal(), "the tests run without a terminal");
    }

    /**
     * Runs {@code compare BENCHMARK --quick --seeds 1 --loss LOSS... ARGS} without a terminal and checks the
     * report folder and the console.
     *
     * @param losses the baseline, optionally followed by a variant
     */
    static void check(Benchmark bench, Path dir, List<String> losses, String... extra) throws IOException {
        Path out = dir.resolve(bench.name());
        List<String> args = new ArrayList<>(List.of("compare", bench.name(), "--quick", "--seeds", "1", "--out",
                out.toString(), "--data-dir", TestData.dir().toString()));
        losses.forEach(l -> args.addAll(List.of("--loss", l)));
        args.addAll(List.of(extra));
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream printedOut = new ByteArrayOutputStream();
        ByteArrayOutputStream printedErr = new ByteArrayOutputStream();
        CommandLineTest.Run r;
        try {
            System.setOut(new PrintStream(printedOut, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(printedErr, true, StandardCharsets.UTF_8));
            r = CommandLineTest.run(args.toArray(new String[0]));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        assertEquals(0, r.code(), r.out() + r.err() + printedErr);
        // the app writes to its own writers only, and draws no progress bar without a terminal
        assertEquals("", printedOut.toString(StandardCharsets.UTF_8), "printed to System.out");
        assertFalse(printedErr.toString(StandardCharsets.UTF_8).contains("% ["), "a progress bar: " + printedErr);
        // one line per finished cell
        int cells = losses.size();
        assertEquals(cells, r.out().lines().filter(l -> l.matches("\\[\\d/" + cells + "] .+ seed 0: "
                + bench.primaryMetric().name() + " = \\S+ \\(\\d+\\.\\d s\\)")).count(), r.out());
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("Calibration before and after temperature scaling"), report);
        Map<String, Double> values = results(out.resolve("results.csv"));
        List<Metric> metrics = new ArrayList<>(bench.headlineMetrics());
        metrics.addAll(bench.calibrationMetrics());
        for (String loss : losses) {
            for (Metric m : metrics) {
                Double v = values.get(loss + "|" + m.name());
                assertTrue(v != null && Double.isFinite(v), bench.name() + ", " + loss + ": " + m.name() + " = " + v);
            }
            double t = values.get(loss + "|temperature");
            assertTrue(t >= 0.01 && t <= 100, "fitted temperature " + t);
        }
        try (Stream<Path> files = Files.list(out)) {
            assertTrue(files.filter(p -> p.toString().endsWith(".png")).count() >= 3, "plots");
        }
    }

    /** @return loss|metric to value of the last protocol's rows of results.csv (one seed) */
    static Map<String, Double> results(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        assertEquals("benchmark,protocol,loss,seed,metric,value", lines.get(0));
        Map<String, Double> values = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            // benchmark,protocol,loss,seed,metric,value with the loss quoted when it has a comma
            int q1 = line.indexOf(",\"");
            String loss;
            String rest;
            String[] head = line.split(",", 3);
            if (q1 >= 0 && q1 == head[0].length() + head[1].length() + 1) {
                int q2 = line.indexOf("\",", q1 + 2);
                loss = line.substring(q1 + 2, q2);
                rest = line.substring(q2 + 2);
            } else {
                loss = head[2].substring(0, head[2].indexOf(','));
                rest = head[2].substring(head[2].indexOf(',') + 1);
            }
            String[] tail = rest.split(",");
            values.put(loss + "|" + tail[1], Double.parseDouble(tail[2]));
        }
        return values;
    }
}
