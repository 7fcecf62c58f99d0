package io.github.lossvariants.examples;

import io.github.lossvariants.api.LossRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ExamplesApp.execute(List.of(), new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void compareQuickWritesAReportAndResumes(@TempDir Path dir) throws Exception {
        Path data = TestData.dir();
        Path out = dir.resolve("report");
        String[] args = {"compare", "imbalanced2d", "--quick", "--seeds", "2", "--epochs", "3", "--loss", "focal(gamma=2)",
                "--out", out.toString(), "--data-dir", data.toString(), "--no-progress"};
        Run r = run(args);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("ND4J backend "), r.out());
        assertTrue(Files.readString(out.resolve("report.md")).contains("| `focal(gamma=2)` | 2 |"));
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("imbalanced2d,3 epochs,bce,1,pr_auc,")), csv.toString());
        assertTrue(Files.size(out.resolve("results.json")) > 100);
        try (Stream<Path> s = Files.list(out)) {
            assertTrue(s.filter(p -> p.toString().endsWith(".png")).count() >= 3);
        }
        assertTrue(Files.size(out.resolve("decision_regions.png")) > 1000);

        // resume: delete one cell, rerun: three cells are reused, one retrained, same results
        Path cells = out.resolve("cells");
        Path victim;
        try (Stream<Path> s = Files.list(cells)) {
            victim = s.filter(p -> p.getFileName().toString().startsWith("bce") && p.toString().contains("seed1")).findFirst()
                    .orElseThrow();
        }
        Files.delete(victim);
        Run again = run(args);
        assertEquals(0, again.code(), again.out() + again.err());
        assertEquals(3, again.out().lines().filter(l -> l.contains("reused from")).count(), again.out());
        assertEquals(csv, Files.readAllLines(out.resolve("results.csv")), "a resumed run reproduces the same results");
    }

    @Test
    void unknownLossIsAUsageError(@TempDir Path dir) {
        Run r = run("compare", "imbalanced2d", "--loss", "focall(gamma=2)", "--out", dir.toString(), "--no-progress");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("focall"), r.err());
    }

    @Test
    void aScheduleTheBenchmarkDoesNotKnowIsAUsageError(@TempDir Path dir) {
        Run r = run("compare", "imbalanced2d", "--loss", "focal with drw", "--out", dir.toString(), "--no-progress");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("imbalanced2d has no training schedules"), r.err());
        r = run("compare", "mnist-lt", "--loss", "ldam with warmup", "--out", dir.toString(), "--no-progress");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown schedule 'warmup'"), r.err());
    }

    @Test
    void listDescribesTheRegisteredLosses() {
        Run r = run("list");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("bce: "), r.out());
        assertTrue(r.out().contains("focal: "), r.out());
    }

    @Test
    void conformanceFailsOnAFailingCase(@TempDir Path dir) throws Exception {
        Path conf = TestData.conformance();
        // a real case whose loss name no provider has: must be reported as FAIL, exit code 1
        String json = Files.readString(conf.resolve("focal-sigmoid-default.json"))
                .replaceFirst("\"loss\"\\s*:\\s*\"focal\"", "\"loss\": \"no-such-loss\"");
        assertTrue(json.contains("no-such-loss"));
        Files.writeString(dir.resolve("broken.json"), json);
        Run r = run("conformance", "--dir", dir.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("FAIL"), r.out());
        assertTrue(r.out().trim().endsWith("conformance: 0 passed, 1 failed"), r.out());
    }

    /**
     * Every shared case of a registered loss passes. The shared folder also holds cases of losses that another
     * module registers later (the second catalogue); until then they fail as "not registered", and so does the
     * run (exit code 1). The assertion reads the registry, so it tightens by itself: once those losses are
     * registered their cases must pass and the run must succeed.
     */
    @Test
    void conformanceOnTheSharedVectorsPassesForEveryRegisteredLoss() {
        Run r = run("conformance", "--dir", TestData.conformance().toString());
        Set<String> registered = LossRegistry.discover().names();
        List<String> lines = r.out().lines().filter(l -> l.startsWith("PASS ") || l.startsWith("FAIL ")).toList();
        List<String> failedRegistered = new ArrayList<>();
        List<String> unregistered = new ArrayList<>();
        int passed = 0;
        for (String line : lines) {
            Matcher m = CASE_LINE.matcher(line);
            assertTrue(m.matches(), "unexpected case line: " + line);
            boolean isRegistered = registered.contains(m.group(3));
            if (m.group(1).equals("PASS")) {
                assertTrue(isRegistered, "a case of an unregistered loss passed: " + line);
                passed++;
            } else if (isRegistered) {
                failedRegistered.add(line);
            } else {
                assertTrue(line.contains("is not registered"), "an unregistered loss's case failed for another reason: " + line);
                unregistered.add(m.group(3) + " (" + m.group(2) + ")");
            }
        }
        assertEquals(List.of(), failedRegistered, "cases of registered losses must pass");
        // the first catalogue's 15 cases at least; a run that found none would pass every check above
        assertTrue(passed >= 15, passed + " passed cases: " + r.out());
        assertTrue(r.out().trim().endsWith("conformance: " + passed + " passed, " + unregistered.size() + " failed"), r.out());
        assertEquals(unregistered.isEmpty() ? 0 : 1, r.code(),
                "exit code; cases of losses not registered yet: " + unregistered);
    }

    /** {@code PASS id (loss)} or {@code FAIL id (loss): message}. */
    static final Pattern CASE_LINE = Pattern.compile("(PASS|FAIL) (\\S+) \\(([^)]+)\\)(: .*)?");

    @Test
    void missingConformanceFolderIsAUsageError(@TempDir Path dir) {
        Run r = run("conformance", "--dir", dir.resolve("absent").toString());
        assertEquals(2, r.code());
    }
}
