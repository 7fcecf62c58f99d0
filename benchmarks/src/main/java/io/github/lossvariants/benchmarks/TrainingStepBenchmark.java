package io.github.lossvariants.benchmarks;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.region.PerImageLossLayer;
import io.github.lossvariants.onednn.OneDnnDeconvolution2D;
import io.github.lossvariants.onednn.OneDnnHelpers;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.List;

/**
 * One training step (forward, loss, backward, Adam update) of a small U-Net on M2NIST-sized
 * inputs ([batch, 1, 64, 84], 11 classes, softmax): the same network and data with
 * {@code focal-tversky} (per image) and with DL4J's {@code LossMCXENT}, both behind a
 * {@link PerImageLossLayer}. {@code setup} says which of the project's CPU speed-ups are used (see
 * {@link CpuSetup}): all of them by default, none with {@code dl4j} (the network as DL4J runs it out of the box).
 */
@State(Scope.Thread)
public class TrainingStepBenchmark {
    static final int H = 64;
    static final int W = 84;
    static final int CLASSES = 11;

    @Param({"dl4j-mcxent", "focal-tversky"})
    public String loss;

    @Param({"8"})
    public int batch;

    @Param({"fast"})
    public String setup;

    private ComputationGraph net;
    private DataSet data;

    @Setup(Level.Trial)
    public void setUp() {
        net = CpuSetup.parse(setup).network(lossFunction(loss));
        data = data(batch);
    }

    /** @return a fixed random batch: uniform images and one-hot labels of uniform random classes */
    static DataSet data(int batch) {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 1, H, W);
        INDArray cls = Nd4j.rand(DataType.FLOAT, batch, 1, H, W).muli(CLASSES).castTo(DataType.INT);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, CLASSES, H, W);
        for (int c = 0; c < CLASSES; c++) {
            y.get(NDArrayIndex.all(), NDArrayIndex.point(c))
                    .assign(cls.get(NDArrayIndex.all(), NDArrayIndex.point(0)).eq(c).castTo(DataType.FLOAT));
        }
        return new DataSet(x, y);
    }

    @Benchmark
    public double trainingStep() {
        net.fit(data);
        return net.score();
    }

    /** @return DL4J's {@code LossMCXENT} for {@code dl4j-mcxent}, else the registry's loss of the spec */
    static ILossFunction lossFunction(String spec) {
        return spec.equals("dl4j-mcxent") ? new LossMCXENT() : LossRegistry.discover().create(spec);
    }

    /**
     * Which CPU speed-ups the U-Net uses: DL4J's oneDNN layer helpers ({@link OneDnnHelpers#enable}),
     * {@link OneDnnDeconvolution2D} instead of DL4J's {@code Deconvolution2D}, and {@code CacheMode.DEVICE}
     * (layers keep their forward results for the backward pass instead of computing them again).
     *
     * @param helpers       DL4J's oneDNN helpers on the convolution and pooling layers
     * @param deconvolution {@link OneDnnDeconvolution2D} for the transposed convolutions
     * @param cache         {@code CacheMode.DEVICE}
     */
    record CpuSetup(boolean helpers, boolean deconvolution, boolean cache) {
        /**
         * @param s {@code fast} (all), {@code dl4j} (none), or a {@code +}-joined subset of {@code helpers},
         *          {@code deconvolution}, {@code cache}
         * @return the setup
         */
        static CpuSetup parse(String s) {
            if (s.equals("fast")) {
                return new CpuSetup(true, true, true);
            }
            if (s.equals("dl4j")) {
                return new CpuSetup(false, false, false);
            }
            List<String> parts = List.of(s.split("\\+"));
            for (String p : parts) {
                if (!List.of("helpers", "deconvolution", "cache").contains(p)) {
                    throw new IllegalArgumentException("unknown setup part '" + p + "' in '" + s
                            + "': use fast, dl4j or a +-joined subset of helpers, deconvolution, cache");
                }
            }
            return new CpuSetup(parts.contains("helpers"), parts.contains("deconvolution"), parts.contains("cache"));
        }

        /** @return the U-Net with this setup, initialised */
        ComputationGraph network(ILossFunction loss) {
            ComputationGraph net = new ComputationGraph(unet(loss, deconvolution, cache ? CacheMode.DEVICE : CacheMode.NONE));
            net.init();
            if (helpers) {
                OneDnnHelpers.enable(net);
            }
            return net;
        }

        @Override
        public String toString() {
            List<String> parts = new ArrayList<>();
            if (helpers) {
                parts.add("helpers");
            }
            if (deconvolution) {
                parts.add("deconvolution");
            }
            if (cache) {
                parts.add("cache");
            }
            return parts.size() == 3 ? "fast" : parts.isEmpty() ? "dl4j" : String.join("+", parts);
        }
    }

    /** Two poolings, 16/32/64 channels, transposed-conv upsampling with skip concatenation. */
    static ComputationGraphConfiguration unet(ILossFunction loss, boolean oneDnnDeconvolution, CacheMode cacheMode) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(0)
                .updater(new Adam(1e-3)).convolutionMode(ConvolutionMode.Same).cacheMode(cacheMode).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(H, W, 1));
        g.addLayer("e1a", conv(16), "in").addLayer("e1b", conv(16), "e1a")
                .addLayer("p1", new SubsamplingLayer.Builder().kernelSize(2, 2).stride(2, 2).build(), "e1b")
                .addLayer("e2a", conv(32), "p1").addLayer("e2b", conv(32), "e2a")
                .addLayer("p2", new SubsamplingLayer.Builder().kernelSize(2, 2).stride(2, 2).build(), "e2b")
                .addLayer("b1", conv(64), "p2").addLayer("b2", conv(64), "b1")
                .addLayer("u2", up(32, oneDnnDeconvolution), "b2")
                .addVertex("m2", new MergeVertex(), "u2", "e2b")
                .addLayer("d2a", conv(32), "m2").addLayer("d2b", conv(32), "d2a")
                .addLayer("u1", up(16, oneDnnDeconvolution), "d2b")
                .addVertex("m1", new MergeVertex(), "u1", "e1b")
                .addLayer("d1a", conv(16), "m1").addLayer("d1b", conv(16), "d1a")
                .addLayer("logits", new ConvolutionLayer.Builder().kernelSize(1, 1).nOut(CLASSES)
                        .activation(Activation.IDENTITY).build(), "d1b")
                // PerImageLossLayer sets a region loss's rowsPerExample to H*W of the actual input
                // (and is a plain CnnLossLayer for other losses): the same layer for both losses
                .addLayer("out", new PerImageLossLayer.Builder(loss).activation(Activation.SOFTMAX).build(), "logits")
                .setOutputs("out");
        return g.build();
    }

    /** @return a 2x2, stride-2 transposed convolution with ReLU */
    private static Deconvolution2D up(int channels, boolean oneDnn) {
        Deconvolution2D.Builder b = oneDnn ? new OneDnnDeconvolution2D.Builder() : new Deconvolution2D.Builder();
        b.kernelSize(2, 2).stride(2, 2).nOut(channels).activation(Activation.RELU);
        return b.build();
    }

    private static ConvolutionLayer conv(int channels) {
        return new ConvolutionLayer.Builder().kernelSize(3, 3).nOut(channels).activation(Activation.RELU).build();
    }
}
