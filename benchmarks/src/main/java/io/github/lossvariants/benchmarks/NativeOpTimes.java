package io.github.lossvariants.benchmarks;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * Median wall time of ND4J's native convolution ops for the shapes of the U-Net of
 * {@link TrainingStepBenchmark} at a batch size, float32: {@code conv2d} / {@code conv2d_bp} (3x3, Same),
 * {@code deconv2d} / {@code deconv2d_bp} (2x2, stride 2) and {@code maxpool2d} / {@code maxpool2d_bp}.
 * Run it once with each nd4j-native build on the class path to compare them; with
 * {@code OMP_NUM_THREADS=1} it times the calling thread's CPU time (load-independent). A profiling aid:
 * {@code java -cp benchmarks/target/benchmarks.jar io.github.lossvariants.benchmarks.NativeOpTimes [batch] [repeats]}.
 */
public final class NativeOpTimes {
    /** With one OpenMP thread every op runs on the calling thread: time its CPU time, not the wall clock. */
    private static final boolean CPU_TIME = "1".equals(System.getenv("OMP_NUM_THREADS"));
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private NativeOpTimes() {
    }

    public static void main(String[] args) {
        int b = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        System.out.printf(Locale.ROOT, "nd4j-native %s, OMP_NUM_THREADS=%s, batch %d, median %s of %d%n%n",
                Nd4j.getBackend().buildInfo().contains("HAVE_ONEDNN") ? "oneDNN build" : "plain build",
                System.getenv("OMP_NUM_THREADS"), b, CPU_TIME ? "thread CPU time" : "wall time", repeats);
        System.out.println("| op | input | output channels | forward ms | backward ms |");
        System.out.println("| --- | --- | --- | --- | --- |");
        // the U-Net's convolutions: input channels, output channels, H, W
        int[][] convs = {{1, 16, 64, 84}, {16, 16, 64, 84}, {16, 32, 32, 42}, {32, 32, 32, 42}, {32, 64, 16, 21},
                {64, 64, 16, 21}, {64, 32, 32, 42}, {32, 16, 64, 84}, {16, 11, 64, 84}};
        double fwd = 0;
        double bwd = 0;
        for (int[] c : convs) {
            int k = c[1] == 11 ? 1 : 3;
            double[] t = conv(b, c[0], c[1], c[2], c[3], k, repeats);
            fwd += t[0];
            bwd += t[1];
            row("conv2d " + k + "x" + k, new long[]{b, c[0], c[2], c[3]}, c[1], t);
        }
        double[] d2 = deconv(b, 64, 32, 16, 21, repeats);
        double[] d1 = deconv(b, 32, 16, 32, 42, repeats);
        row("deconv2d 2x2/2", new long[]{b, 64, 16, 21}, 32, d2);
        row("deconv2d 2x2/2", new long[]{b, 32, 32, 42}, 16, d1);
        double[] p1 = pool(b, 16, 64, 84, repeats);
        double[] p2 = pool(b, 32, 32, 42, repeats);
        row("maxpool2d 2x2/2", new long[]{b, 16, 64, 84}, 16, p1);
        row("maxpool2d 2x2/2", new long[]{b, 32, 32, 42}, 32, p2);
        System.out.printf(Locale.ROOT, "%nsum: convolutions %.1f + %.1f ms, transposed convolutions %.1f + %.1f ms, "
                + "pooling %.1f + %.1f ms (forward + backward)%n", fwd, bwd, d1[0] + d2[0], d1[1] + d2[1],
                p1[0] + p2[0], p1[1] + p2[1]);
    }

    private static void row(String op, long[] input, int out, double[] t) {
        System.out.printf(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f |%n", op, Arrays.toString(input), out, t[0], t[1]);
    }

    private static double[] conv(int b, int in, int out, int h, int w, int k, int repeats) {
        INDArray x = Nd4j.rand(DataType.FLOAT, b, in, h, w);
        INDArray wt = Nd4j.rand(DataType.FLOAT, out, in, k, k);
        INDArray bias = Nd4j.rand(DataType.FLOAT, out);
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, b, out, h, w);
        INDArray eps = Nd4j.rand(DataType.FLOAT, b, out, h, w);
        INDArray gx = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
        INDArray gw = Nd4j.createUninitialized(DataType.FLOAT, wt.shape());
        INDArray gb = Nd4j.createUninitialized(DataType.FLOAT, bias.shape());
        int[] args = {k, k, 1, 1, 0, 0, 1, 1, 1, 0, 1};
        DynamicCustomOp f = DynamicCustomOp.builder("conv2d").addInputs(x, wt, bias).addOutputs(y).addIntegerArguments(args).build();
        DynamicCustomOp g = DynamicCustomOp.builder("conv2d_bp").addInputs(x, wt, bias, eps).addOutputs(gx, gw, gb)
                .addIntegerArguments(args).build();
        return new double[]{median(f, repeats), median(g, repeats)};
    }

    private static double[] deconv(int b, int in, int out, int h, int w, int repeats) {
        INDArray x = Nd4j.rand(DataType.FLOAT, b, in, h, w);
        // libnd4j deconv weights [kH, kW, oC, iC], as a permuted view of DL4J's [iC, oC, kH, kW]
        INDArray wt = Nd4j.rand(DataType.FLOAT, in, out, 2, 2).permute(2, 3, 1, 0);
        INDArray bias = Nd4j.rand(DataType.FLOAT, out);
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, b, out, 2 * h, 2 * w);
        INDArray eps = Nd4j.rand(DataType.FLOAT, b, out, 2 * h, 2 * w);
        INDArray gx = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
        INDArray gw = Nd4j.createUninitialized(DataType.FLOAT, in, out, 2, 2).permute(2, 3, 1, 0);
        INDArray gb = Nd4j.createUninitialized(DataType.FLOAT, bias.shape());
        int[] args = {2, 2, 2, 2, 0, 0, 1, 1, 1, 0};
        DynamicCustomOp f = DynamicCustomOp.builder("deconv2d").addInputs(x, wt, bias).addOutputs(y).addIntegerArguments(args).build();
        DynamicCustomOp g = DynamicCustomOp.builder("deconv2d_bp").addInputs(x, wt, bias, eps).addOutputs(gx, gw, gb)
                .addIntegerArguments(args).build();
        return new double[]{median(f, repeats), median(g, repeats)};
    }

    private static double[] pool(int b, int c, int h, int w, int repeats) {
        INDArray x = Nd4j.rand(DataType.FLOAT, b, c, h, w);
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, b, c, h / 2, w / 2);
        INDArray eps = Nd4j.rand(DataType.FLOAT, b, c, h / 2, w / 2);
        INDArray gx = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
        int[] args = {2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 0};
        DynamicCustomOp f = DynamicCustomOp.builder("maxpool2d").addInputs(x).addOutputs(y).addIntegerArguments(args).build();
        DynamicCustomOp g = DynamicCustomOp.builder("maxpool2d_bp").addInputs(x, eps).addOutputs(gx).addIntegerArguments(args).build();
        return new double[]{median(f, repeats), median(g, repeats)};
    }

    private static double median(DynamicCustomOp op, int repeats) {
        Nd4j.exec(op);
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long s = CPU_TIME ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
            Nd4j.exec(op);
            t[i] = ((CPU_TIME ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - s) / 1e6;
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }
}
