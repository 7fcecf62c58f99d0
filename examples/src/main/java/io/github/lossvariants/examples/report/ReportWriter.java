package io.github.lossvariants.examples.report;

import io.github.lossvariants.examples.bench.Benchmark;
import io.github.lossvariants.examples.bench.CellResult;
import io.github.lossvariants.examples.metrics.Metric;
import io.github.lossvariants.examples.metrics.Metrics;
import io.github.lossvariants.examples.metrics.Stats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes a report folder: {@code report.md} (mean +- std per metric and loss with the best per
 * column in bold, paired differences to the baseline with 95% t intervals, confusion matrices,
 * calibration before and after temperature scaling, the reference numbers, plots),
 * {@code results.csv} and {@code results.json} (one row per protocol x loss x seed x metric) and
 * the PNG plots. What is better in each column comes from the benchmark's {@link Metric}s.
 */
public final class ReportWriter {

    /**
     * What the report says about the run.
     *
     * @param commandLine the command as typed
     * @param date        ISO date and time
     * @param machine     OS, CPU count, Java version
     * @param backend     ND4J backend line
     * @param wallSeconds wall time of this invocation
     * @param resumed     cells reused from an earlier invocation
     */
    public record RunInfo(String commandLine, String date, String machine, String backend, double wallSeconds, int resumed) {
    }

    private ReportWriter() {
    }

    /**
     * Writes everything.
     *
     * @return the main markdown table of the last protocol, for the console
     */
    public static String write(Path out, Benchmark bench, List<String> protocols, List<String> losses, List<Integer> seeds,
                               List<CellResult> cells, RunInfo info) throws IOException {
        Files.createDirectories(out);
        writeCsv(out.resolve("results.csv"), cells, protocols, losses);
        writeJson(out.resolve("results.json"), bench, cells, protocols, losses, info);
        StringBuilder md = new StringBuilder();
        md.append("# ").append(bench.name()).append(": loss comparison\n\n");
        md.append(bench.description()).append(".\n\n");
        md.append("- Command: `").append(info.commandLine()).append("`\n");
        md.append("- Date: ").append(info.date()).append("\n");
        md.append("- Machine: ").append(info.machine()).append("\n");
        md.append("- Backend: ").append(info.backend()).append("\n");
        md.append("- Data: ").append(bench.dataSummary()).append("\n");
        md.append("- Seeds: ").append(seeds).append("; every loss trains the same network from the same initialisation "
                + "and batch order per seed.\n");
        double cellSeconds = cells.stream().mapToDouble(c -> c.seconds).sum();
        md.append(String.format(Locale.ROOT, "- Wall time of this invocation: %.1f s; training and evaluation time of all "
                + "%d cells: %.1f s (%d reused from an earlier run).%n", info.wallSeconds(), cells.size(), cellSeconds,
                info.resumed()));
        md.append("- Baseline: `").append(losses.get(0)).append("`. Best mean per column in **bold** (")
                .append("lower is better for ").append(lowerIsBetterNames(bench))
                .append("). ECE is x100 (15 equal-width bins).\n\n");
        String console = null;
        for (String protocol : protocols) {
            md.append("## ").append(protocol).append("\n\n");
            String table = meanTable(cells, losses, protocol, bench.headlineMetrics());
            md.append(table).append('\n');
            console = "### " + protocol + "\n" + table;
            md.append("Paired difference to the baseline (loss minus `").append(losses.get(0))
                    .append("`, same seed), mean [95% t interval]; * = the interval excludes 0.\n\n");
            md.append(diffTable(cells, losses, protocol, bench.headlineMetrics())).append('\n');
            md.append(verdicts(cells, losses, protocol, bench.primaryMetric())).append('\n');
            if (cells.stream().anyMatch(c -> c.metrics.getOrDefault(protocol, Map.of()).containsKey("tp"))) {
                md.append("Confusion matrix at threshold 0.5 (mean counts over seeds, test split):\n\n");
                md.append(confusionTable(cells, losses, protocol)).append('\n');
            }
            md.append(calibrationSection(cells, losses, protocol, bench));
        }
        String ref = bench.referenceMarkdown();
        if (!ref.isBlank()) {
            md.append("## Reference numbers\n\n").append(ref).append('\n');
            String beside = bench.besideReference(cells, losses, protocols);
            if (!beside.isBlank()) {
                md.append("Ours beside the references (means over our seeds):\n\n").append(beside).append('\n');
            }
        }
        md.append("## Plots\n\n");
        md.append(commonPlots(out, bench, protocols, losses, cells));
        md.append(bench.writeSpecificPlots(cells, losses, out)).append('\n');
        md.append("## Files\n\n- `results.csv`, `results.json`: one row per protocol x loss x seed x metric.\n"
                + "- `cells/`: one JSON per finished loss x seed (used to resume an interrupted run).\n");
        Files.writeString(out.resolve("report.md"), md.toString(), StandardCharsets.UTF_8);
        return console;
    }

    static String commonPlots(Path out, Benchmark bench, List<String> protocols, List<String> losses,
                              List<CellResult> cells) throws IOException {
        StringBuilder md = new StringBuilder();
        for (int i = 0; i < protocols.size(); i++) {
            String p = protocols.get(i);
            String slug = "p" + (i + 1);
            if (Plots.reliability(out.resolve("reliability_" + slug + ".png"), bench.name() + ": reliability, " + p,
                    cells, losses, p, "confidence", "accuracy")) {
                md.append("![reliability ").append(p).append("](reliability_").append(slug).append(".png)\n\n");
            }
            if (Plots.pr(out.resolve("pr_" + slug + ".png"), bench.name() + ": precision-recall, " + p, cells, losses, p)) {
                md.append("![PR ").append(p).append("](pr_").append(slug).append(".png)\n\n");
            }
        }
        Set<String> curves = new LinkedHashSet<>();
        cells.forEach(c -> curves.addAll(c.curves.keySet()));
        for (String curve : curves) {
            boolean log = curve.contains("loss");
            if (Plots.curve(out.resolve("curve_" + curve + ".png"), bench.name() + ": " + curve.replace('_', ' ')
                    + " (mean over seeds)", curve.replace('_', ' '), cells, losses, curve, log)) {
                md.append("![").append(curve).append("](curve_").append(curve).append(".png)\n\n");
            }
        }
        md.append("Reliability diagrams pool the bins of all seeds; PR curves show the first seed; training curves "
                + "average the seeds. Training losses of different loss functions are on different scales.\n\n");
        return md.toString();
    }

    /** @return the lower-is-better metrics of the benchmark's tables, comma-separated */
    static String lowerIsBetterNames(Benchmark bench) {
        Set<String> names = new LinkedHashSet<>();
        bench.headlineMetrics().stream().filter(Metric::lowerIsBetter).forEach(m -> names.add(m.name()));
        bench.calibrationMetrics().stream().filter(Metric::lowerIsBetter).forEach(m -> names.add(m.name()));
        return names.stream().sorted().collect(Collectors.joining(", "));
    }

    /**
     * @return the calibration table of a protocol: ECE, adaptive ECE and NLL of the raw outputs, the fitted
     * temperature, the three after temperature scaling, and their paired differences to the baseline
     */
    static String calibrationSection(List<CellResult> cells, List<String> losses, String protocol, Benchmark bench) {
        List<Metric> metrics = bench.calibrationMetrics();
        if (cells.stream().noneMatch(c -> c.metrics.getOrDefault(protocol, Map.of()).containsKey(Metrics.TEMPERATURE.name()))) {
            return "";
        }
        return "Calibration before and after temperature scaling (ECE and adaptive ECE x100, 15 bins; `_ts` = after "
                + "scaling). The temperature is " + bench.temperatureSource() + "\n\n"
                + meanTable(cells, losses, protocol, metrics) + '\n'
                + "Paired difference to the baseline (does a loss's calibration gain survive temperature scaling?):\n\n"
                + diffTable(cells, losses, protocol, metrics) + '\n';
    }

    /** @return values of one metric per seed for a loss (seed order), NaN where missing */
    static double[] values(List<CellResult> cells, String loss, String protocol, String metric, List<Integer> seeds) {
        double[] v = new double[seeds.size()];
        for (int i = 0; i < seeds.size(); i++) {
            v[i] = Double.NaN;
            for (CellResult c : cells) {
                if (c.loss.equals(loss) && c.seed == seeds.get(i)) {
                    Double x = c.metrics.getOrDefault(protocol, Map.of()).get(metric);
                    if (x != null) {
                        v[i] = x;
                    }
                }
            }
        }
        return v;
    }

    static List<Integer> seeds(List<CellResult> cells) {
        return cells.stream().map(c -> c.seed).distinct().sorted().toList();
    }

    /**
     * @return the mean +- std table of the metrics; the best mean of each ranked metric in bold. Values print with
     * three significant decimals whatever the metric's single-value format, so that the spreads stay readable.
     */
    static String meanTable(List<CellResult> cells, List<String> losses, String protocol, List<Metric> metrics) {
        List<Integer> seeds = seeds(cells);
        StringBuilder b = new StringBuilder("| loss | n |");
        metrics.forEach(m -> b.append(' ').append(m.name()).append(" |"));
        b.append("\n| --- | --- |");
        metrics.forEach(m -> b.append(" --- |"));
        b.append('\n');
        Map<String, Double> best = new LinkedHashMap<>();
        for (Metric m : metrics) {
            for (String l : losses) {
                double mean = Stats.mean(values(cells, l, protocol, m.name(), seeds));
                if (!Double.isFinite(mean) || !m.ranked()) {
                    continue;
                }
                Double cur = best.get(m.name());
                if (cur == null || m.better(mean, cur)) {
                    best.put(m.name(), mean);
                }
            }
        }
        for (String l : losses) {
            long n = cells.stream().filter(c -> c.loss.equals(l) && c.metrics.containsKey(protocol)).count();
            b.append("| `").append(l).append("` | ").append(n).append(" |");
            for (Metric m : metrics) {
                double[] v = values(cells, l, protocol, m.name(), seeds);
                double mean = Stats.mean(v);
                String s = Double.isFinite(mean) ? fmt(mean) + " +- " + fmt(Stats.std(v)) : "-";
                boolean isBest = Double.isFinite(mean) && best.containsKey(m.name()) && mean == best.get(m.name())
                        && losses.size() > 1;
                b.append(' ').append(isBest ? "**" + s + "**" : s).append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    static String diffTable(List<CellResult> cells, List<String> losses, String protocol, List<Metric> metrics) {
        List<Integer> seeds = seeds(cells);
        String base = losses.get(0);
        StringBuilder b = new StringBuilder("| loss |");
        metrics.forEach(m -> b.append(' ').append(m.name()).append(" |"));
        b.append("\n| --- |");
        metrics.forEach(m -> b.append(" --- |"));
        b.append('\n');
        for (String l : losses.subList(1, losses.size())) {
            b.append("| `").append(l).append("` |");
            for (Metric m : metrics) {
                double[] d = pairedDiff(cells, l, base, protocol, m.name(), seeds);
                b.append(' ').append(formatDiff(d)).append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** @return {mean, lo, hi} of the paired difference over seeds where both have values */
    static double[] pairedDiff(List<CellResult> cells, String loss, String base, String protocol, String metric,
                               List<Integer> seeds) {
        double[] a = values(cells, loss, protocol, metric, seeds);
        double[] c = values(cells, base, protocol, metric, seeds);
        List<double[]> pairs = new ArrayList<>();
        for (int i = 0; i < a.length; i++) {
            if (Double.isFinite(a[i]) && Double.isFinite(c[i])) {
                pairs.add(new double[]{a[i], c[i]});
            }
        }
        double[] x = pairs.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = pairs.stream().mapToDouble(p -> p[1]).toArray();
        return x.length == 0 ? new double[]{Double.NaN, Double.NaN, Double.NaN} : Stats.pairedDifference(x, y);
    }

    static String formatDiff(double[] d) {
        if (!Double.isFinite(d[0])) {
            return "-";
        }
        String s = signed(d[0]);
        if (Double.isFinite(d[1])) {
            s += " [" + signed(d[1]) + ", " + signed(d[2]) + "]";
            if (d[1] > 0 || d[2] < 0) {
                s += " *";
            }
        }
        return s;
    }

    static String verdicts(List<CellResult> cells, List<String> losses, String protocol, Metric metric) {
        List<Integer> seeds = seeds(cells);
        StringBuilder b = new StringBuilder("Verdict on `").append(metric.name()).append("` (").append(protocol)
                .append("):\n\n");
        for (String l : losses.subList(1, losses.size())) {
            double[] d = pairedDiff(cells, l, losses.get(0), protocol, metric.name(), seeds);
            String what;
            if (!Double.isFinite(d[0])) {
                what = "no paired results";
            } else if (!Double.isFinite(d[1])) {
                what = "one seed only: " + signed(d[0]) + ", no interval";
            } else {
                boolean better = metric.lowerIsBetter() ? d[2] < 0 : d[1] > 0;
                boolean worse = metric.lowerIsBetter() ? d[1] > 0 : d[2] < 0;
                what = better ? "beats the baseline by " + signed(d[0])
                        : worse ? "is worse than the baseline by " + signed(d[0])
                        : "does not beat the baseline (" + signed(d[0]) + ", interval includes 0)";
            }
            b.append("- `").append(l).append("` ").append(what).append(".\n");
        }
        return b.toString();
    }

    static String confusionTable(List<CellResult> cells, List<String> losses, String protocol) {
        List<Integer> seeds = seeds(cells);
        StringBuilder b = new StringBuilder("| loss | TP | FN | FP | TN |\n| --- | --- | --- | --- | --- |\n");
        for (String l : losses) {
            b.append("| `").append(l).append("` |");
            for (String m : List.of("tp", "fn", "fp", "tn")) {
                b.append(' ').append(String.format(Locale.ROOT, "%.1f", Stats.mean(values(cells, l, protocol, m, seeds))))
                        .append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** @return the mean over seeds of one metric of one loss in the metric's format, or "-" */
    public static String meanValue(List<CellResult> cells, String loss, String protocol, Metric metric) {
        return metric.format(Stats.mean(values(cells, loss, protocol, metric.name(), seeds(cells))));
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.1f" : a >= 10 ? "%.2f" : "%.3f", v);
    }

    static String signed(double v) {
        return (v >= 0 ? "+" : "") + fmt(v);
    }

    static void writeCsv(Path file, List<CellResult> cells, List<String> protocols, List<String> losses)
            throws IOException {
        StringBuilder b = new StringBuilder("benchmark,protocol,loss,seed,metric,value\n");
        forEachRow(cells, protocols, losses, (c, p, m, v) -> b.append(csv(c.benchmark)).append(',').append(csv(p)).append(',')
                .append(csv(c.loss)).append(',').append(c.seed).append(',').append(csv(m)).append(',')
                .append(Double.isFinite(v) ? Double.toString(v) : "NaN").append('\n'));
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }

    static void writeJson(Path file, Benchmark bench, List<CellResult> cells, List<String> protocols, List<String> losses,
                          RunInfo info) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("benchmark", bench.name());
        root.put("description", bench.description());
        root.put("run", info);
        root.put("losses", losses);
        root.put("protocols", protocols);
        List<Map<String, Object>> rows = new ArrayList<>();
        forEachRow(cells, protocols, losses, (c, p, m, v) -> {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("benchmark", c.benchmark);
            r.put("protocol", p);
            r.put("loss", c.loss);
            r.put("seed", c.seed);
            r.put("metric", m);
            r.put("value", Double.isFinite(v) ? v : null);
            rows.add(r);
        });
        root.put("results", rows);
        CellStore.JSON.writeValue(file.toFile(), root);
    }

    interface RowConsumer {
        void accept(CellResult c, String protocol, String metric, double value);
    }

    static void forEachRow(List<CellResult> cells, List<String> protocols, List<String> losses, RowConsumer f) {
        for (String p : protocols) {
            for (String l : losses) {
                cells.stream().filter(c -> c.loss.equals(l)).sorted((a, b) -> Integer.compare(a.seed, b.seed))
                        .forEach(c -> c.metrics.getOrDefault(p, Map.of()).forEach((m, v) -> f.accept(c, p, m,
                                v == null ? Double.NaN : v)));
            }
        }
    }

    static String csv(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
