package io.github.lossvariants.examples.cli;

import com.google.inject.Inject;
import com.google.inject.Provider;
import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.examples.bench.Benchmark;
import io.github.lossvariants.examples.bench.CellResult;
import io.github.lossvariants.examples.bench.Progress;
import io.github.lossvariants.examples.bench.RunSettings;
import io.github.lossvariants.examples.data.SharedData;
import io.github.lossvariants.examples.report.CellStore;
import io.github.lossvariants.examples.report.ReportWriter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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

    @Parameters(index = "0", paramLabel = "BENCHMARK", description = "imbalanced2d, yeast, m2nist or multimnist")
    String benchmarkName;

    @Option(names = "--loss", paramLabel = "SPEC", description = "a loss spec string, repeatable, e.g. "
            + "--loss 'focal(gamma=2, alpha=0.25)'. Default: the benchmark's set. The baseline (bce or ce) is always added.")
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

    @Option(names = "--no-progress", description = "no progress bars (one line per finished cell instead)")
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
        PrintWriter o = spec.commandLine().getOut();
        long start = System.nanoTime();
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
        List<ILossFunction> fns = new ArrayList<>();
        for (String s : specs) {
            try {
                fns.add(registry.create(s));
            } catch (LossConfigurationException e) {
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
        CellStore store = new CellStore(outDir);
        String config = bench.configKey(settings);

        long t0 = System.nanoTime();
        bench.prepare(settings);
        o.printf(Locale.ROOT, "%s: %s (prepared in %.1f s)%n", bench.name(), bench.dataSummary(), (System.nanoTime() - t0) / 1e9);
        o.printf("losses: %s; seeds 0..%d; report folder %s%n", specs, nSeeds - 1, outDir.toAbsolutePath());
        o.flush();

        List<CellResult> cells = new ArrayList<>();
        List<Integer> seedList = new ArrayList<>();
        int resumed = 0;
        int total = specs.size() * nSeeds;
        int done = 0;
        for (int seed = 0; seed < nSeeds; seed++) {
            seedList.add(seed);
            for (int i = 0; i < specs.size(); i++) {
                String s = specs.get(i);
                done++;
                Optional<CellResult> old = fresh ? Optional.empty() : store.load(s, seed, config);
                if (old.isPresent()) {
                    cells.add(old.get());
                    resumed++;
                    o.printf("[%d/%d] %s seed %d: reused from %s%n", done, total, s, seed, store.file(s, seed).getFileName());
                    o.flush();
                    continue;
                }
                ILossFunction loss = fns.get(i);
                String task = String.format(Locale.ROOT, "[%d/%d] %s s%d", done, total, abbreviate(s), seed);
                Progress.Factory pf = noProgress ? (t, n) -> Progress.none() : (t, n) -> Progress.bar(task, n);
                long c0 = System.nanoTime();
                CellResult r = bench.run(loss, s, seed, settings, pf);
                r.benchmark = bench.name();
                r.loss = s;
                r.seed = seed;
                r.config = config;
                r.seconds = (System.nanoTime() - c0) / 1e9;
                store.save(r);
                cells.add(r);
                Map<String, Double> last = r.metrics.get(bench.protocols(settings).get(bench.protocols(settings).size() - 1));
                o.printf(Locale.ROOT, "[%d/%d] %s seed %d: %s = %.4f (%.1f s)%n", done, total, s, seed, bench.primaryMetric(),
                        last == null ? Double.NaN : last.getOrDefault(bench.primaryMetric(), Double.NaN), r.seconds);
                o.flush();
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        String cmd = "compare " + String.join(" ", spec.commandLine().getParseResult().originalArgs().subList(1,
                spec.commandLine().getParseResult().originalArgs().size()));
        ReportWriter.RunInfo info = new ReportWriter.RunInfo(cmd, ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                BackendInfo.machine(), backend, wall, resumed);
        String table = ReportWriter.write(outDir, bench, bench.protocols(settings), specs, seedList, cells, info);
        o.println();
        o.println(table);
        o.printf(Locale.ROOT, "Report: %s (%.1f s)%n", outDir.resolve("report.md").toAbsolutePath(), (System.nanoTime() - start) / 1e9);
        o.flush();
        return 0;
    }

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
                String name = s.contains("(") ? s.substring(0, s.indexOf('(')).trim() : s;
                boolean registered = true;
                for (String part : s.split("\\+")) {
                    String n = part.trim();
                    n = n.contains("*") ? n.substring(n.indexOf('*') + 1).trim() : n;
                    n = n.contains("(") ? n.substring(0, n.indexOf('(')).trim() : n;
                    registered &= registry.provider(n).isPresent();
                }
                if (!registered) {
                    o.println("skipping default loss '" + s + "': not registered (" + name + " module missing)");
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
