package io.github.lossvariants.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import io.github.lossvariants.onednn.OneDnnHelpers;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time of one U-Net training step of {@link TrainingStepBenchmark} goes: runs the step in a
 * loop under Java Flight Recorder (execution and native-method samples of the training thread every
 * 10 ms; native ND4J ops show as the JNI call of the Java method that made them), and attributes each
 * sample to the innermost DL4J layer, vertex, updater or loss frame on its stack, split into forward
 * and backward by whether a backward method is on the stack. Prints the median step, and per part its
 * share of the samples and that share of the median step and of its median process CPU time, as a
 * Markdown table. A profiling aid, not
 * the published benchmark. It also prints the median process CPU time of a step: with
 * {@code OMP_NUM_THREADS=1} every op runs on the calling thread, so that figure is the work of a step
 * whatever else runs on the machine:
 * {@code java -cp benchmarks/target/benchmarks.jar io.github.lossvariants.benchmarks.StepProfile [--batch 32]
 * [--steps 30] [--loss dl4j-mcxent] [--setup fast|dl4j|helpers+deconvolution+cache]}.
 */
public final class StepProfile {
    /**
     * The innermost frame whose class starts with one of these prefixes names the part of the step a
     * sample belongs to (the loss function and its softmax count as the loss layer's).
     */
    private static final String[][] PARTS = {
            {"org.nd4j.linalg.learning.", "updater (Adam)"},
            {"org.deeplearning4j.nn.updater.", "updater (Adam)"},
            {"io.github.lossvariants.onednn.OneDnnDeconvolution2D", "transposed convolution"},
            {"org.deeplearning4j.nn.layers.convolution.Deconvolution2DLayer", "transposed convolution"},
            {"org.nd4j.linalg.lossfunctions.", "loss layer (loss, softmax, reshapes)"},
            {"io.github.lossvariants.", "loss layer (loss, softmax, reshapes)"},
            {"org.deeplearning4j.nn.layers.convolution.CnnLossLayer", "loss layer (loss, softmax, reshapes)"},
            {"org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper", "convolution"},
            {"org.deeplearning4j.nn.layers.convolution.ConvolutionLayer", "convolution"},
            {"org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper", "max pooling"},
            {"org.deeplearning4j.nn.layers.convolution.subsampling.", "max pooling"},
            {"org.deeplearning4j.nn.graph.vertex.impl.MergeVertex", "merge vertex"},
    };
    /** Activation functions inside a convolution are shown apart from it. */
    private static final String ACTIVATIONS = "org.nd4j.linalg.activations.";
    private static final List<String> BACKWARD_METHODS = List.of("backpropGradient", "doBackward", "calcBackpropGradients");

    private StepProfile() {
    }

    public static void main(String[] args) throws Exception {
        int batch = 32;
        int steps = 30;
        String loss = "dl4j-mcxent";
        String setup = "fast";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--batch": batch = Integer.parseInt(args[++i]); break;
                case "--steps": steps = Integer.parseInt(args[++i]); break;
                case "--loss": loss = args[++i]; break;
                case "--setup": setup = args[++i]; break;
                default: throw new IllegalArgumentException("unknown option " + args[i]
                        + "; usage: [--batch N] [--steps N] [--loss SPEC] [--setup fast|dl4j|helpers+deconvolution+cache]");
            }
        }
        TrainingStepBenchmark.CpuSetup parsed = TrainingStepBenchmark.CpuSetup.parse(setup);
        ComputationGraph net = parsed.network(TrainingStepBenchmark.lossFunction(loss));
        String report = parsed.helpers() ? OneDnnHelpers.enable(net).toString() : "oneDNN helpers not requested";
        DataSet data = TrainingStepBenchmark.data(batch);
        for (int i = 0; i < 3; i++) {
            net.fit(data);
        }

        Path file = Files.createTempFile("step-profile", ".jfr");
        double[] ms = new double[steps];
        double[] cpuMs = new double[steps];
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
            recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(10));
            recording.start();
            for (int i = 0; i < steps; i++) {
                long t = System.nanoTime();
                long c = os.getProcessCpuTime();
                net.fit(data);
                ms[i] = (System.nanoTime() - t) / 1e6;
                cpuMs[i] = (os.getProcessCpuTime() - c) / 1e6;
            }
            recording.stop();
            recording.dump(file);
        }
        long forward = System.nanoTime();
        net.output(data.getFeatures());
        double forwardMs = (System.nanoTime() - forward) / 1e6;

        Map<String, Integer> samples = attribute(file, Thread.currentThread().getName());
        Files.deleteIfExists(file);
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = sorted[steps / 2];
        Arrays.sort(cpuMs);
        int total = samples.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf(Locale.ROOT, "U-Net training step, batch %d, %s, setup %s, nd4j-native %s, OMP_NUM_THREADS=%s: "
                        + "median %.1f ms (min %.1f) over %d steps, process CPU time %.1f ms per step; inference forward pass "
                        + "%.1f ms; %d samples%n%n",
                batch, loss, parsed, Nd4j.getBackend().buildInfo().contains("HAVE_ONEDNN") ? "oneDNN build" : "plain build",
                System.getenv("OMP_NUM_THREADS"), median, sorted[0], steps, cpuMs[steps / 2], forwardMs, total);
        System.out.println(report);
        System.out.println();
        System.out.println("| part | phase | share of samples | ms per step | CPU ms per step |");
        System.out.println("| --- | --- | --- | --- | --- |");
        List<Map.Entry<String, Integer>> rows = new ArrayList<>(samples.entrySet());
        rows.sort((a, b) -> b.getValue() - a.getValue());
        for (Map.Entry<String, Integer> e : rows) {
            double share = e.getValue() / (double) total;
            String[] partPhase = e.getKey().split("\t");
            System.out.printf(Locale.ROOT, "| %s | %s | %.1f %% | %.1f | %.1f |%n", partPhase[0], partPhase[1], 100 * share,
                    share * median, share * cpuMs[steps / 2]);
        }
    }

    /** @return sample counts of the thread per "part \t phase" */
    private static Map<String, Integer> attribute(Path file, String thread) throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            RecordedThread t = e.getThread("sampledThread");
            RecordedStackTrace stack = e.getStackTrace();
            if (t == null || stack == null || !thread.equals(t.getJavaName())) {
                continue;
            }
            counts.merge(classify(stack.getFrames()), 1, Integer::sum);
        }
        return counts;
    }

    private static String classify(List<RecordedFrame> frames) {
        String part = "other (graph bookkeeping, workspaces, gradient views)";
        boolean activation = false;
        for (RecordedFrame f : frames) {
            String cls = f.getMethod().getType().getName();
            activation |= cls.startsWith(ACTIVATIONS);
            String rule = Arrays.stream(PARTS).filter(r -> cls.startsWith(r[0])).map(r -> r[1]).findFirst().orElse(null);
            if (rule != null) {
                part = activation && rule.contains("convolution") ? rule + ": activation (ReLU)" : rule;
                break;
            }
        }
        boolean backward = frames.stream().anyMatch(f -> BACKWARD_METHODS.contains(f.getMethod().getName()));
        // a layer's backward pass that calls preOutput computes its forward pass again
        boolean recomputed = backward && frames.stream().anyMatch(f -> f.getMethod().getName().startsWith("preOutput"));
        String phase = part.startsWith("updater") ? "update"
                : recomputed ? "forward, recomputed in backward" : backward ? "backward" : "forward";
        return part + "\t" + phase;
    }
}
