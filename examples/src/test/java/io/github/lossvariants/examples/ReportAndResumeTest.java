package io.github.lossvariants.examples;

import io.github.lossvariants.examples.bench.Benchmark;
import io.github.lossvariants.examples.bench.CellResult;
import io.github.lossvariants.examples.bench.Progress;
import io.github.lossvariants.examples.bench.RunSettings;
import io.github.lossvariants.examples.metrics.Metric;
import io.github.lossvariants.examples.metrics.Metrics;
import io.github.lossvariants.examples.report.CellStore;
import io.github.lossvariants.examples.report.ReportWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportAndResumeTest {

    static CellResult cell(String loss, int seed, double prAuc, double ece) {
        CellResult r = new CellResult();
        r.benchmark = "fake";
        r.loss = loss;
        r.seed = seed;
        r.config = "cfg";
        r.seconds = 1;
        r.protocol("10 epochs").put("pr_auc", prAuc);
        r.protocol("10 epochs").put("ece", ece);
        r.curves.put("train_loss", new double[]{1, 0.5, 0.25});
        r.reliability.put("10 epochs", new double[][]{{0.2, 0.1, 10}, {0.8, 0.9, 10}});
        r.pr.put("10 epochs", new double[][]{{0.5, 1}, {1, 0.5}});
        return r;
    }

    static final class Fake implements Benchmark {
        public String name() { return "fake"; }
        public String description() { return "a fake benchmark"; }
        public String baseline() { return "bce"; }
        public List<String> defaultLosses() { return List.of("bce"); }
        public List<String> protocols(RunSettings s) { return List.of("10 epochs"); }
        public List<Metric> headlineMetrics() { return List.of(Metrics.PR_AUC, Metrics.ECE); }
        public Metric primaryMetric() { return Metrics.PR_AUC; }
        public String temperatureSource() { return "TEMPERATURE SOURCE."; }
        public String configKey(RunSettings s) { return "cfg"; }
        public void prepare(RunSettings s) { }
        public String dataSummary() { return "none"; }
        public CellResult run(ILossFunction l, String spec, int seed, RunSettings s, Progress.Factory p) { return null; }
        public String referenceMarkdown() { return "REFERENCE TABLE"; }
        public String writeSpecificPlots(List<CellResult> c, List<String> l, Path o) { return ""; }
    }

    @Test
    void writesTablesDifferencesCsvJsonAndPlots(@TempDir Path dir) throws Exception {
        List<CellResult> cells = new ArrayList<>();
        // focal is better on pr_auc by exactly +0.1 on every seed; bce has the lower (better) ECE
        for (int s = 0; s < 3; s++) {
            cells.add(cell("bce", s, 0.5 + 0.01 * s, 1.0));
            cells.add(cell("focal(gamma=2, alpha=0.25)", s, 0.6 + 0.01 * s, 2.0 + s));
        }
        ReportWriter.write(dir, new Fake(), List.of("10 epochs"), List.of("bce", "focal(gamma=2, alpha=0.25)"),
                List.of(0, 1, 2), cells, new ReportWriter.RunInfo("compare fake", "today", "here", "cpu", 1.0, 0));
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| `focal(gamma=2, alpha=0.25)` | 3 | **0.610 +- 0.010** |"), md);
        assertTrue(md.contains("| `bce` | 3 | 0.510 +- 0.010 | **1.000 +- 0.000** |"), md);
        // paired differences: constant +0.1 -> zero-width interval, marked; ECE +2 +- t*1/sqrt(3)
        assertTrue(md.contains("+0.100 [+0.100, +0.100] *"), md);
        assertTrue(md.contains("beats the baseline by +0.100"), md);
        assertTrue(md.contains("REFERENCE TABLE"));
        List<String> csv = Files.readAllLines(dir.resolve("results.csv"));
        assertEquals("benchmark,protocol,loss,seed,metric,value", csv.get(0));
        assertEquals(1 + 2 * 3 * 2, csv.size());
        assertTrue(csv.contains("fake,10 epochs,\"focal(gamma=2, alpha=0.25)\",1,pr_auc,0.61"), csv.toString());
        String json = Files.readString(dir.resolve("results.json"));
        assertTrue(json.contains("\"metric\" : \"ece\""), json);
        for (String png : List.of("reliability_p1.png", "pr_p1.png", "curve_train_loss.png")) {
            assertTrue(Files.size(dir.resolve(png)) > 1000, png);
        }
    }

    @Test
    void theCalibrationTableShowsBeforeAndAfterScalingWithTheDirectionOfEachMetric(@TempDir Path dir) throws Exception {
        List<CellResult> cells = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            for (String loss : List.of("bce", "focal")) {
                CellResult c = cell(loss, s, 0.5, loss.equals("bce") ? 1.0 : 5.0);
                // focal: worse raw calibration, better after scaling and a larger temperature
                c.protocol("10 epochs").putAll(Map.of("ada_ece", loss.equals("bce") ? 1.5 : 6.0,
                        "nll", loss.equals("bce") ? 0.3 : 0.4, "temperature", loss.equals("bce") ? 1.0 : 2.0 + s,
                        "ece_ts", loss.equals("bce") ? 0.8 : 0.4, "ada_ece_ts", 0.9, "nll_ts", 0.25));
                cells.add(c);
            }
        }
        ReportWriter.write(dir, new Fake(), List.of("10 epochs"), List.of("bce", "focal"), List.of(0, 1), cells,
                new ReportWriter.RunInfo("compare fake", "today", "here", "cpu", 1.0, 0));
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("The temperature is TEMPERATURE SOURCE."), md);
        assertTrue(md.contains("| loss | n | ece | ada_ece | nll | temperature | ece_ts | ada_ece_ts | nll_ts |"), md);
        // lower is better for the calibration errors; the temperature has no better direction and is never bold
        assertTrue(md.contains("| `bce` | 2 | **1.000 +- 0.000** | **1.500 +- 0.000** | **0.300 +- 0.000** | 1.000 +- 0.000 "
                + "| 0.800 +- 0.000 |"), md);
        assertTrue(md.contains("| `focal` | 2 | 5.000 +- 0.000 | 6.000 +- 0.000 | 0.400 +- 0.000 | 2.500 +- 0.707 "
                + "| **0.400 +- 0.000** |"), md);
        // the paired differences of the calibration table: focal - bce on ece_ts is -0.4 on both seeds
        assertTrue(md.contains("-0.400 [-0.400, -0.400] *"), md);
        assertTrue(md.contains("lower is better for ada_ece, ada_ece_ts, ece, ece_ts, nll, nll_ts)"), md);
    }

    @Test
    void cellStoreReusesOnlyCellsOfTheSameSettings(@TempDir Path dir) throws Exception {
        CellStore store = new CellStore(dir);
        CellResult r = cell("ce + dice", 2, 0.7, 3);
        r.extra.put("grid", new double[]{0.25, Double.NaN});
        store.save(r);
        CellResult back = store.load("ce + dice", 2, "cfg").orElseThrow();
        assertEquals(0.7, back.metrics.get("10 epochs").get("pr_auc"));
        assertEquals(0.25, back.extra.get("grid")[0]);
        assertTrue(Double.isNaN(back.extra.get("grid")[1]));
        assertTrue(store.load("ce + dice", 2, "other settings").isEmpty());
        assertTrue(store.load("ce + dice", 3, "cfg").isEmpty());
        assertTrue(store.load("ce", 2, "cfg").isEmpty());
    }
}
