package io.github.lossvariants.examples.cli;

import com.google.inject.Inject;
import com.google.inject.Provider;
import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.LossSpecs;
import io.github.lossvariants.examples.bench.Benchmark;
import io.github.lossvariants.examples.bench.CellResult;
import io.github.lossvariants.examples.bench.LossLabel;
import io.github.lossvariants.examples.bench.Progress;
import io.github.lossvariants.examples.bench.RunSettings;
import io.github.lossvariants.examples.data.SharedData;
import io.github.lossvariants.examples.metrics.Metric;
import io.github.lossvariants.examples.report.CellStore;
import io.github.lossvariants.examples.report.ReportWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/** {@code compare BENCHMARK}: trains the benchmark's network once per loss and seed and writes a report folder. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Trains identical networks with each loss on the same data and seeds and writes a report folder "
                + "(report.md, results.csv, results.json, PNG plots). Finished loss x seed cells found in the folder are "
                + "reused, so an interrupted run resumes where it stopped.")
public final class CompareCommand implements Callable<Integer> {
    private final LossRegistry registry;
    private final Map<String, Provider<Benchmark>> benchmarks;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BENCHMARK", description = "imbalanced2d, yeast, m2nist, multimnist or mnist-lt")
    String benchmarkName;

    @Option(names = "--loss", paramLabel = "SPEC", description = "a loss spec string, repeatable, e.g. "
            + "--loss 'focal(gamma=2, alpha=0.25)'. Default: the benchmark's set. The baseline (bce or ce) is always added. "
            + "Parameters counted from the training data (classCounts, trainNum) are filled in when the spec leaves them "
            + "out. mnist-lt also takes 'SPEC with drw' (deferred re-weighting: 'ldam with drw').")
    List<String> losses = new ArrayList<>();

    @Option(names = "--seeds", paramLabel = "N", description = "number of seeds 0..N-1 (default 5; 2 with --quick)")
    Integer seeds;

    @Option(names = "--out", paramLabel = "DIR", description = "report folder (default reports/BENCHMARK[-quick])")
    Path out;

    @Option(names = "--quick", description = "a small run: fewer epochs, seeds and samples")
    boolean quick;

    @Option(names = "--epochs", paramLabel = "N", description = "override the benchmark's epoch count")
    Integer epochs;

    @Option(names = "--train-size", paramLabel = "N", description = "override the number of training canvases (m2nist, multimnist)")
    Integer trainSize;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "the shared data folder (default: ../shared/data, or LOSSVARIANTS_DATA)")
    Path dataDir;

    @Option(names = "--mnist-dir", paramLabel = "DIR", description = "folder with the MNIST *-ubyte.gz files (default: DATA/mnist, then ~/.deeplearning4j/data/MNIST)")
    Path mnistDir;

    @Option(names = "--threads", paramLabel = "N", description = "ND4J and BLAS threads (default: 1 for the MLP benchmarks "
            + "imbalanced2d and yeast; for the CNN benchmarks the processors left idle by other programs: processor count "
            + "minus the one-minute load average, at least 1)")
    Integer threads;

    @Option(names = "--no-progress", description = "no progress bars even on a terminal (they are never drawn when "
            + "the output is redirected; one line per finished cell is always printed)")
    boolean noProgress;

    @Option(names = "--fresh", description = "ignore finished cells in the report folder and retrain everything")
    boolean fresh;

    @Inject
    CompareCommand(LossRegistry registry, Map<String, Provider<Benchmark>> benchmarks) {
        this.registry = registry;
        this.benchmarks = benchmarks;
    }

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        PrintWriter o = spec.commandLine().getOut();
        Plan plan = resolve(o);
        prepare(plan, o);
        plan = plan.withLosses(createLosses(plan));
        Cells cells = runCells(plan, o);
        report(plan, cells, start, o);
        return 0;
    }

    /**
     * What a run does, resolved from the command line: the benchmark, the losses, seeds, settings and where the
     * report goes.
     *
     * @param bench    the benchmark
     * @param backend  the backend line (backend, device, threads) printed and written into the report
     * @param specs    the loss specs, baseline first
     * @param losses   the losses of the specs, in the same order (null until the data is prepared: see
     *                 {@link #createLosses})
     * @param seeds    seeds 0..seeds-1
     * @param settings the settings shared by every cell
     * @param outDir   the report folder
     * @param store    the finished cells of the report folder
     * @param config   the benchmark's settings key (cells of another key are not reused)
     */
    record Plan(Benchmark bench, String backend, List<String> specs, List<ILossFunction> losses, int seeds,
                RunSettings settings, Path outDir, CellStore store, String config) {
        /** @return this plan with the given losses */
        Plan withLosses(List<ILossFunction> created) {
            return new Plan(bench, backend, specs, created, seeds, settings, outDir, store, config);
        }
    }

    /** The cells of a run in seed-major order, and how many were reused from the report folder. */
    record Cells(List<CellResult> results, List<Integer> seeds, int resumed) {
    }

    /**
     * Resolves the command line into a {@link Plan} (without the losses); sets the ND4J threads and data type; prints
     * the backend line. Every loss name and schedule is checked here, before the data is loaded.
     */
    Plan resolve(PrintWriter o) {
        Provider<Benchmark> bp = benchmarks.get(benchmarkName);
        if (bp == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Unknown benchmark '" + benchmarkName
                    + "'. Available: " + new TreeSet<>(benchmarks.keySet()));
        }
        Benchmark bench = bp.get();
        int nThreads = threads != null ? threads : bench.defaultThreads();
        String backend = BackendInfo.describe() + ", using " + BackendInfo.setThreads(nThreads) + " thread(s)";
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        o.println(backend);
        o.flush();
        List<String> specs = resolveLosses(bench, o);
        for (String s : specs) {
            try {
                LossLabel label = LossLabel.parse(s);
                LossSpecs.lossNames(label.spec()).forEach(registry::require);
                if (label.schedule() != null) {
                    bench.checkSchedule(label.schedule());
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Invalid --loss '" + s + "': " + e.getMessage());
            }
        }
        int nSeeds = seeds != null ? seeds : bench.defaultSeeds(quick);
        if (nSeeds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seeds must be >= 1, got " + nSeeds);
        }
        Path data = SharedData.require(dataDir);
        RunSettings settings = new RunSettings(quick, epochs, trainSize, data, mnistDir, !noProgress);
        Path outDir = out != null ? out : Paths.get("reports", benchmarkName + (quick ? "-quick" : ""));
        return new Plan(bench, backend, specs, null, nSeeds, settings, outDir, new CellStore(outDir),
                bench.configKey(settings));
    }

    /** Loads or generates the benchmark's data and prints what the run will do. */
    static void prepare(Plan plan, PrintWriter o) {
        long t0 = System.nanoTime();
        plan.bench().prepare(plan.settings());
        o.printf(Locale.ROOT, "%s: %s (prepared in %.1f s)%n", plan.bench().name(), plan.bench().dataSummary(),
                (System.nanoTime() - t0) / 1e9);
        o.printf("losses: %s; seeds 0..%d; report folder %s%n", plan.specs(), plan.seeds() - 1,
                plan.outDir().toAbsolutePath());
        o.flush();
    }

    /**
     * @return the losses of the plan's specs (the part before {@code with}), with the parameters the benchmark counted
     * from its prepared training data filled in where a spec leaves them out
     * ({@link LossRegistry#createFilling}, {@link Benchmark#dataParameters})
     */
    List<ILossFunction> createLosses(Plan plan) {
        List<ILossFunction> fns = new ArrayList<>();
        Map<String, Object> fromData = plan.bench().dataParameters();
        for (String s : plan.specs()) {
            try {
                fns.add(registry.createFilling(LossLabel.parse(s).spec(), fromData));
            } catch (LossConfigurationException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Invalid --loss '" + s + "': " + e.getMessage());
            }
        }
        return fns;
    }

    /**
     * Trains and evaluates every loss x seed cell (seed-major), reusing the finished cells of the report folder,
     * and prints one line per cell. Progress bars are drawn only on a terminal.
     */
    Cells runCells(Plan plan, PrintWriter o) throws IOException {
        Benchmark bench = plan.bench();
        List<String> protocols = bench.protocols(plan.settings());
        boolean bars = !noProgress && Progress.onTerminal();
        List<CellResult> cells = new ArrayList<>();
        List<Integer> seedList = new ArrayList<>();
        int resumed = 0;
        int total = plan.specs().size() * plan.seeds();
        int done = 0;
        for (int seed = 0; seed < plan.seeds(); seed++) {
            seedList.add(seed);
            for (int i = 0; i < plan.specs().size(); i++) {
                String s = plan.specs().get(i);
                done++;
                String cell = String.format(Locale.ROOT, "[%d/%d] %s seed %d", done, total, s, seed);
                Optional<CellResult> old = fresh ? Optional.empty() : plan.store().load(s, seed, plan.config());
                if (old.isPresent() && complete(old.get(), bench, protocols)) {
                    cells.add(old.get());
                    resumed++;
                    o.printf("%s: reused from %s%n", cell, plan.store().file(s, seed).getFileName());
                    o.flush();
                    continue;
                }
                if (old.isPresent()) {
                    o.printf("%s: the stored cell lacks metrics of this version, training again%n", cell);
                }
                String task = String.format(Locale.ROOT, "[%d/%d] %s s%d", done, total, abbreviate(s), seed);
                Progress.Factory pf = bars ? (t, n) -> Progress.bar(task, n) : (t, n) -> Progress.none();
                CellResult r = runCell(plan, i, seed, pf);
                cells.add(r);
                Map<String, Double> last = r.metrics.get(protocols.get(protocols.size() - 1));
                double primary = last == null ? Double.NaN : last.getOrDefault(bench.primaryMetric().name(), Double.NaN);
                o.printf(Locale.ROOT, "%s: %s = %.4f (%.1f s)%n", cell, bench.primaryMetric().name(), primary, r.seconds);
                o.flush();
            }
        }
        return new Cells(cells, seedList, resumed);
    }

    /** Trains and evaluates one cell and stores it in the report folder. */
    static CellResult runCell(Plan plan, int lossIndex, int seed, Progress.Factory progress) throws IOException {
        String s = plan.specs().get(lossIndex);
        long c0 = System.nanoTime();
        CellResult r = plan.bench().run(plan.losses().get(lossIndex), s, seed, plan.settings(), progress);
        r.benchmark = plan.bench().name();
        r.loss = s;
        r.seed = seed;
        r.config = plan.config();
        r.seconds = (System.nanoTime() - c0) / 1e9;
        plan.store().save(r);
        return r;
    }

    /** @return true when a stored cell has every metric of the benchmark's tables for every protocol */
    static boolean complete(CellResult r, Benchmark bench, List<String> protocols) {
        for (String p : protocols) {
            Map<String, Double> m = r.metrics.get(p);
            if (m == null) {
                return false;
            }
            for (Metric metric : bench.headlineMetrics()) {
                if (!m.containsKey(metric.name())) {
                    return false;
                }
            }
            for (Metric metric : bench.calibrationMetrics()) {
                if (!m.containsKey(metric.name())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Writes the report folder and prints the main table of the last protocol. */
    void report(Plan plan, Cells cells, long start, PrintWriter o) throws IOException {
        double wall = (System.nanoTime() - start) / 1e9;
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        String cmd = "compare " + String.join(" ", args.subList(1, args.size()));
        ReportWriter.RunInfo info = new ReportWriter.RunInfo(cmd,
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), BackendInfo.machine(), plan.backend(),
                wall, cells.resumed());
        String table = ReportWriter.write(plan.outDir(), plan.bench(), plan.bench().protocols(plan.settings()),
                plan.specs(), cells.seeds(), cells.results(), info);
        o.println();
        o.println(table);
        o.printf(Locale.ROOT, "Report: %s (%.1f s)%n", plan.outDir().resolve("report.md").toAbsolutePath(),
                (System.nanoTime() - start) / 1e9);
        o.flush();
    }

    /**
     * @return the loss specs of the run, baseline first: the {@code --loss} specs, or the benchmark's defaults
     * whose losses are all registered (the others are skipped with a line saying which name is missing)
     */
    List<String> resolveLosses(Benchmark bench, PrintWriter o) {
        List<String> specs = new ArrayList<>();
        String base = bench.baseline();
        if (registry.provider(base).isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "The baseline loss '" + base + "' of " + bench.name()
                    + " is not registered (registered: " + registry.names() + "); add its module to the class path.");
        }
        specs.add(base);
        if (losses.isEmpty()) {
            for (String s : bench.defaultLosses()) {
                List<String> missing = LossSpecs.lossNames(LossLabel.parse(s).spec()).stream().filter(n -> registry.provider(n).isEmpty())
                        .distinct().toList();
                if (!missing.isEmpty()) {
                    o.println("skipping default loss '" + s + "': " + String.join(", ", missing)
                            + " not registered (add its module to the class path)");
                } else if (!specs.contains(s)) {
                    specs.add(s);
                }
            }
        } else {
            for (String s : losses) {
                if (!specs.contains(s.trim())) {
                    specs.add(s.trim());
                }
            }
        }
        return specs;
    }

    static String abbreviate(String s) {
        return s.length() > 32 ? s.substring(0, 31) + "~" : s;
    }
}
