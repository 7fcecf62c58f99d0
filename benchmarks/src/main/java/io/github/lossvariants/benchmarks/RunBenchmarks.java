package io.github.lossvariants.benchmarks;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.LossSpecs;
import io.github.lossvariants.api.internal.ScratchWorkspace;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.annotations.Mode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs every benchmark case with JMH (sample mode, medians) and prints one Markdown table: median
 * ms standalone and inside a workspace, the ratio to DL4J's own loss on the same input in the same
 * run, the cost in units of one in-place exp pass, and how many input-sized arrays one call
 * allocates. Usage: {@code java -jar benchmarks/target/benchmarks.jar [--quick] [--filter REGEX]
 * [--out FILE]}.
 */
public final class RunBenchmarks {
    /** Warmup and measurement iterations of the training step, and their length in seconds. */
    private static final int STEP_WARMUP = 5;
    private static final int STEP_MEASUREMENTS = 10;
    private static final int STEP_SECONDS = 2;

    private RunBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        String filter = ".*";
        Path out = null;
        String[] batches = {"8"};
        String setup = "fast";
        String pytorch = null;
        String python = "python3";
        int torchSteps = PyTorchStep.DEFAULT_STEPS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick": quick = true; break;
                case "--filter": filter = args[++i]; break;
                case "--out": out = Path.of(args[++i]); break;
                case "--batch": batches = args[++i].split(","); break;
                case "--setup": setup = args[++i]; break;
                case "--pytorch": pytorch = args[++i]; break;
                case "--python": python = args[++i]; break;
                case "--pytorch-steps": torchSteps = Integer.parseInt(args[++i]); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: [--quick] [--filter REGEX] [--out FILE] [--batch N,M] [--setup fast|dl4j]"
                        + " [--pytorch torch_unet_step.py [--python /usr/bin/python3] [--pytorch-steps N]]");
            }
        }
        Pattern p = Pattern.compile(filter);
        LossRegistry registry = LossRegistry.discover();
        List<String> cases = selectCases(p, registry);
        int warm = quick ? 1 : 3;
        int meas = quick ? 2 : 5;
        ChainedOptionsBuilder opts = sampleMode(warm, meas, 1)
                .include(LossBenchmark.class.getName() + ".scoreAndGradient")
                .include(ExpUnitBenchmark.class.getName() + ".inPlaceExp")
                .param("lossCase", cases.toArray(new String[0]))
                .param("workspace", "false", "true");
        Collection<RunResult> results = new ArrayList<>(new Runner(opts.build()).run());
        boolean trainingStep = p.matcher("training-step").find();
        if (trainingStep) {
            // a step is 0.05-0.6 s: longer iterations than the loss cases' for a stable median
            results.addAll(new Runner(sampleMode(stepWarmup(quick), stepMeasurements(quick), STEP_SECONDS)
                    .include(TrainingStepBenchmark.class.getName() + ".trainingStep")
                    .param("batch", batches).param("setup", setup).build()).run());
        }

        Map<String, Double> median = new LinkedHashMap<>();
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            String key;
            if (bench.endsWith("scoreAndGradient")) {
                key = r.getParams().getParam("lossCase") + (Boolean.parseBoolean(r.getParams().getParam("workspace"))
                        ? "@ws" : "");
            } else if (bench.endsWith("inPlaceExp")) {
                key = "exp";
            } else {
                key = "step/" + r.getParams().getParam("loss") + "/" + r.getParams().getParam("batch");
            }
            median.put(key, r.getPrimaryResult().getStatistics().getPercentile(50.0));
        }
        Map<String, String> torch = new LinkedHashMap<>();
        if (pytorch != null && trainingStep) {
            for (String b : batches) {
                torch.put(b, PyTorchStep.run(python, pytorch, Integer.parseInt(b), torchSteps));
            }
        }
        String table = table(cases, median, registry, quick, batches, setup, torch);
        System.out.println(table);
        if (out != null) {
            Files.writeString(out, table, StandardCharsets.UTF_8);
        }
    }

    /** @return JMH options shared by every run: sample mode in ms, one fork with the heap and off-heap caps */
    private static ChainedOptionsBuilder sampleMode(int warmup, int measurements, int seconds) {
        return new OptionsBuilder()
                .mode(Mode.SampleTime).timeUnit(TimeUnit.MILLISECONDS)
                .warmupIterations(warmup).warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(measurements).measurementTime(TimeValue.seconds(seconds))
                .forks(1).jvmArgsAppend("-Xmx4g", "-Dorg.bytedeco.javacpp.maxbytes=8G")
                .shouldFailOnError(false);
    }

    private static int stepWarmup(boolean quick) {
        return quick ? 1 : STEP_WARMUP;
    }

    private static int stepMeasurements(boolean quick) {
        return quick ? 2 : STEP_MEASUREMENTS;
    }

    /**
     * @return the cases to measure, each once, in {@link BenchmarkCase#all()}'s order (per input the DL4J
     * baseline first): every baseline (the ratios need them) and every case whose id the filter finds and
     * whose loss is registered
     */
    static List<String> selectCases(Pattern filter, LossRegistry registry) {
        Set<String> cases = new LinkedHashSet<>();
        for (String c : BenchmarkCase.all()) {
            if (isBaseline(c) || (filter.matcher(c).find() && registered(registry, c))) {
                cases.add(c);
            }
        }
        return List.copyOf(cases);
    }

    private static boolean isBaseline(String caseId) {
        return caseId.substring(caseId.indexOf('/') + 1).startsWith("dl4j-");
    }

    private static boolean registered(LossRegistry registry, String caseId) {
        String spec = caseId.substring(caseId.indexOf('/') + 1);
        if (spec.startsWith("dl4j-")) {
            return true;
        }
        // every loss the spec names is registered (the harness fills in data-dependent parameters
        // such as classCounts, so creating the spec as written is not the test)
        return LossSpecs.lossNames(spec).stream().allMatch(name -> registry.provider(name).isPresent());
    }

    private static String table(List<String> cases, Map<String, Double> median, LossRegistry registry, boolean quick,
                                String[] batches, String setup, Map<String, String> torch) {
        StringBuilder b = new StringBuilder();
        Double exp = median.get("exp");
        boolean steps = Arrays.stream(batches).anyMatch(batch -> median.containsKey("step/dl4j-mcxent/" + batch));
        b.append(String.format(Locale.ROOT, "JMH %s%s, sample mode, medians; %s; backend %s; OMP_NUM_THREADS=%s; %s%n%n",
                quick ? "--quick (1 warmup, 2 measurement iterations of 1 s)" : "3 warmup, 5 measurement iterations of 1 s",
                !steps ? "" : String.format(Locale.ROOT, "; training step %d warmup, %d measurement iterations of %d s",
                        stepWarmup(quick), stepMeasurements(quick), STEP_SECONDS),
                LocalDate.now(), Nd4j.getBackend().getClass().getSimpleName(), System.getenv("OMP_NUM_THREADS"),
                exp == null ? "" : String.format(Locale.ROOT, "one in-place exp over 1M floats: %.2f ms", exp)));
        b.append("| input | loss | ms | ms in workspace | ratio to DL4J | ratio in workspace | exp passes | input-sized arrays allocated (caller + scratch) |\n");
        b.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (String c : cases) {
            Double t = median.get(c);
            Double tw = median.get(c + "@ws");
            BenchmarkCase probe = new BenchmarkCase(c, registry, 42);
            Double base = median.get(probe.baselineId());
            Double basew = median.get(probe.baselineId() + "@ws");
            b.append(String.format(Locale.ROOT, "| %s | `%s` | %s | %s | %s | %s | %s | %s |%n", probe.input, probe.lossSpec,
                    fmt(t), fmt(tw), ratio(t, base), ratio(tw, basew), ratio(t, exp), allocations(probe)));
        }
        for (String batch : batches) {
            Double a = median.get("step/dl4j-mcxent/" + batch);
            Double f = median.get("step/focal-tversky/" + batch);
            if (a != null || f != null) {
                b.append(String.format(Locale.ROOT, "%nTraining step, U-Net [%s, 1, 64, 84], 11 classes: LossMCXENT %s ms,"
                        + " focal-tversky %s ms, ratio %s", batch, fmt(a), fmt(f), ratio(f, a)));
                b.append(setup.equals("fast") ? "" : " (setup " + setup + ")");
                String t = torch.get(batch);
                if (t != null) {
                    Double tm = PyTorchStep.medianMs(t);
                    b.append(String.format(Locale.ROOT, "; PyTorch %s ms, LossMCXENT / PyTorch %s (%s)",
                            fmt(tm), ratio(a, tm), t.trim()));
                }
                b.append(String.format("%n"));
            }
        }
        return b.toString();
    }

    /**
     * Counts what one call allocates, in units of the input's size: arrays allocated in the
     * caller's context (a fresh counting workspace here; outside a workspace each would be an
     * off-heap allocation), then, after a "+", the bytes the call used in the loss's own scratch
     * workspace ({@link ScratchWorkspace}), which are allocation-free after the first call.
     * The second call is counted (the first one sizes the scratch workspace).
     */
    static String allocations(BenchmarkCase c) {
        WorkspaceConfiguration conf = WorkspaceConfiguration.builder().initialSize(0)
                .policyLearning(LearningPolicy.NONE).policySpill(SpillPolicy.REALLOCATE)
                .policyAllocation(AllocationPolicy.STRICT).build();
        long bytes = 0;
        long scratch = 0;
        // start without a scratch workspace, so that a loss that does not use it reports 0 rather
        // than what the previous loss left in the workspace's counters
        if (Nd4j.getWorkspaceManager().checkIfWorkspaceExists(ScratchWorkspace.ID)) {
            Nd4j.getWorkspaceManager().destroyWorkspace(
                    Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(ScratchWorkspace.ID));
        }
        for (int call = 0; call < 2; call++) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(conf, "COUNT_" + c.id + call)) {
                c.loss.computeGradientAndScore(c.labels, c.preOutput, c.activation, null, false);
                bytes = ws.getThisCycleAllocations();
            } catch (RuntimeException e) {
                return "error: " + e.getMessage();
            }
            scratch = Nd4j.getWorkspaceManager().checkIfWorkspaceExists(ScratchWorkspace.ID)
                    ? Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(ScratchWorkspace.ID).getLastCycleAllocations()
                    : 0;
        }
        double inputBytes = c.preOutput.length() * (double) c.preOutput.dataType().width();
        return String.format(Locale.ROOT, "%.1f + %.1f", bytes / inputBytes, scratch / inputBytes);
    }

    private static String fmt(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String ratio(Double v, Double base) {
        return v == null || base == null ? "n/a" : String.format(Locale.ROOT, "%.2f", v / base);
    }
}
