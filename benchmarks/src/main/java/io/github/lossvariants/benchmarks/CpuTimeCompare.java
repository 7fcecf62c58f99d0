package io.github.lossvariants.benchmarks;

import io.github.lossvariants.api.LossRegistry;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.profiler.OpProfiler;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A profiling aid for a busy machine (not the published numbers, which come from
 * {@link RunBenchmarks}): with {@code OMP_NUM_THREADS=1} ND4J runs every op on the calling thread,
 * so the thread's CPU time per call is the work done, independent of how many other processes
 * compete for the cores. Prints median CPU ms per {@code computeGradientAndScore} call,
 * standalone and inside a workspace, and the same in units of one in-place exp pass.
 * Usage: {@code OMP_NUM_THREADS=1 java -cp benchmarks.jar io.github.lossvariants.benchmarks.CpuTimeCompare REGEX}.
 */
public final class CpuTimeCompare {
    private static final ThreadMXBean BEAN = ManagementFactory.getThreadMXBean();

    private CpuTimeCompare() {
    }

    interface Call {
        void run();
    }

    static double cpuMedian(Call c, int n) {
        for (int i = 0; i < 3; i++) {
            c.run();
        }
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long s = BEAN.getCurrentThreadCpuTime();
            c.run();
            t[i] = (BEAN.getCurrentThreadCpuTime() - s) / 1e6;
        }
        Arrays.sort(t);
        return t[n / 2];
    }

    public static void main(String[] args) {
        Pattern p = Pattern.compile(args.length > 0 ? args[0] : ".*");
        boolean profile = Boolean.getBoolean("opProfile");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        LossRegistry registry = LossRegistry.discover();
        ExpUnitBenchmark.ExpState es = new ExpUnitBenchmark.ExpState();
        es.setUp();
        double exp = cpuMedian(() -> {
            Transforms.exp(es.x, false);
            es.x.muli(0.0);
        }, 40);
        System.out.printf(Locale.ROOT, "in-place exp: %.2f ms CPU%n", exp);
        List<String> cases = new ArrayList<>();
        for (String input : BenchmarkCase.INPUTS.keySet()) {
            cases.add(input + "/" + (input.equals("multiclass") ? "dl4j-mcxent" : "dl4j-xent"));
        }
        for (String c : BenchmarkCase.all()) {
            if (p.matcher(c).find() && !cases.contains(c)) {
                cases.add(c);
            }
        }
        for (String id : cases) {
            BenchmarkCase c;
            try {
                c = new BenchmarkCase(id, registry, 42);
            } catch (RuntimeException e) {
                continue;
            }
            double alone = cpuMedian(() -> c.loss.computeGradientAndScore(c.labels, c.preOutput, c.activation, null, false), n);
            double inWs = cpuMedian(() -> {
                try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(LossBenchmark.TRAINING_WORKSPACE,
                        "CPU_BENCH")) {
                    c.loss.computeGradientAndScore(c.labels, c.preOutput, c.activation, null, false);
                }
            }, n);
            if (profile) {
                OpProfiler.getInstance().reset();
                Nd4j.getExecutioner().setProfilingMode(OpExecutioner.ProfilingMode.OPERATIONS);
                for (int i = 0; i < 10; i++) {
                    c.loss.computeGradientAndScore(c.labels, c.preOutput, c.activation, null, false);
                }
                Nd4j.getExecutioner().setProfilingMode(OpExecutioner.ProfilingMode.DISABLED);
                System.out.println("== " + id);
                OpProfiler.getInstance().printOutDashboard();
            }
            System.out.printf(Locale.ROOT, "%-45s alone %8.2f ms (%5.2f exp)   in ws %8.2f ms (%5.2f exp)%n", id, alone,
                    alone / exp, inWs, inWs / exp);
        }
    }
}
