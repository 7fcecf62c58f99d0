package io.github.lossvariants.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the PyTorch side of the training-step comparison ({@code ../shared/tools/torch_unet_step.py},
 * the same U-Net, batch and optimiser) with a given Python in the same session as the JMH
 * run, and reads its median step time (its forward time is in the line too).
 */
final class PyTorchStep {
    /**
     * Timed steps of the script by default: its own default is 7, and PyTorch's step times on the idle
     * 2-core machine spread 2-4x within one run (median 170 ms, minimum 46 ms at batch 8), so a median
     * of 7 moves with a few slow steps.
     */
    static final int DEFAULT_STEPS = 30;
    private static final Pattern FIT_MEDIAN = Pattern.compile("fit median ([0-9.]+) ms");

    private PyTorchStep() {
    }

    /**
     * Runs the script for one batch size.
     *
     * @param python the Python interpreter with PyTorch (Debian's python3-torch: /usr/bin/python3)
     * @param script the path of torch_unet_step.py
     * @param batch  the batch size
     * @param steps  the timed steps (the script's second argument; it warms up with 2 more)
     * @return the script's output line, or a line saying why it did not run
     */
    static String run(String python, String script, int batch, int steps) {
        ProcessBuilder pb = new ProcessBuilder(python, script, String.valueOf(batch), String.valueOf(steps))
                .redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", System.getenv().getOrDefault("OMP_NUM_THREADS", "2"));
        try {
            Process proc = pb.start();
            String output = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!proc.waitFor(10, TimeUnit.MINUTES) || proc.exitValue() != 0) {
                return "PyTorch run failed: " + output.strip();
            }
            return output.lines().filter(l -> l.startsWith("torch ")).findFirst()
                    .map(l -> l + " over " + steps + " steps").orElse("no result: " + output.strip());
        } catch (IOException e) {
            return "PyTorch run failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "PyTorch run interrupted";
        }
    }

    /** @return the median step time the script printed, or null */
    static Double medianMs(String line) {
        Matcher m = FIT_MEDIAN.matcher(line);
        return m.find() ? Double.valueOf(m.group(1)) : null;
    }
}
