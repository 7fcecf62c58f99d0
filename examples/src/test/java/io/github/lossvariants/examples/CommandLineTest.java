package io.github.lossvariants.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
    void listDescribesTheRegisteredLosses() {
        Run r = run("list");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("bce: "), r.out());
        assertTrue(r.out().contains("focal: "), r.out());
    }

    @Test
    void conformanceFailsOnAFailingCase(@TempDir Path dir) throws Exception {
        Path conf = Paths.get(System.getProperty("conformance.dir", "../../shared/conformance"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(conf));
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

    @Test
    void conformanceOnTheSharedVectorsPrintsTheSummaryAndMatchingExitCode() throws Exception {
        Path conf = Paths.get(System.getProperty("conformance.dir", "../../shared/conformance"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(conf));
        Run r = run("conformance", "--dir", conf.toString());
        String last = r.out().trim().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.matches("conformance: \\d+ passed, \\d+ failed"), r.out());
        boolean allPassed = last.endsWith(" 0 failed");
        assertEquals(allPassed ? 0 : 1, r.code());
        assertNotEquals(2, r.code());
    }

    @Test
    void missingConformanceFolderIsAUsageError(@TempDir Path dir) {
        Run r = run("conformance", "--dir", dir.resolve("absent").toString());
        assertEquals(2, r.code());
    }
}
