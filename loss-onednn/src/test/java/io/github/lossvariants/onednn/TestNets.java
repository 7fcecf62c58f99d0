package io.github.lossvariants.onednn;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.region.PerImageLossLayer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.lang.reflect.Field;
import java.util.Random;

/**
 * Small float32 networks with every layer type DL4J has a oneDNN helper for, ending in the project's
 * {@link PerImageLossLayer} with a region loss, and data for them.
 */
final class TestNets {
    static final int H = 8;
    static final int W = 12;
    static final int CLASSES = 3;

    private TestNets() {
    }

    /**
     * A plain stack: 3x3 convolution (no bias, so the helper's own zero bias is used), batch norm, 2x2 max
     * pooling, 3x3 convolution, 3x3 stride-1 average pooling in Same mode (padding at the borders, so the
     * divisor matters), batch norm, 2x upsampling, 1x1 logits, per-image loss.
     */
    static MultiLayerConfiguration stack(String lossSpec, CNN2DFormat format, WorkspaceMode workspaces) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Adam(1e-2))
                .weightInit(WeightInit.RELU).convolutionMode(ConvolutionMode.Same)
                .trainingWorkspaceMode(workspaces).inferenceWorkspaceMode(workspaces).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(6).hasBias(false).activation(Activation.RELU).dataFormat(format).build())
                .layer(new BatchNormalization.Builder().dataFormat(format).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).dataFormat(format).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.TANH).dataFormat(format).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(3, 3).stride(1, 1).dataFormat(format).build())
                .layer(new BatchNormalization.Builder().dataFormat(format).build())
                .layer(new Upsampling2D.Builder(2).dataFormat(format).build())
                .layer(new ConvolutionLayer.Builder(1, 1).nOut(CLASSES).activation(Activation.IDENTITY).dataFormat(format).build())
                .layer(new PerImageLossLayer.Builder(loss(lossSpec)).activation(Activation.SOFTMAX).format(format).build())
                .setInputType(InputType.convolutional(H, W, 1, format))
                .build();
    }

    /**
     * A small U-Net as in the benchmarks: two 3x3 convolutions, 2x2 max pooling, 3x3 convolutions, a 2x2
     * transposed convolution (no helper), concatenation with the skip, batch norm, 3x3 convolution, 1x1
     * logits, per-image loss.
     */
    static ComputationGraphConfiguration unet(String lossSpec, CNN2DFormat format) {
        return unet(lossSpec, format, CacheMode.NONE);
    }

    /** @see #unet(String, CNN2DFormat); {@code CacheMode.DEVICE} keeps forward results for the backward pass */
    static ComputationGraphConfiguration unet(String lossSpec, CNN2DFormat format, CacheMode cacheMode) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Adam(1e-2))
                .weightInit(WeightInit.RELU).convolutionMode(ConvolutionMode.Same).cacheMode(cacheMode).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(H, W, 1, format))
                .addLayer("e1", conv(4, format), "in").addLayer("e2", conv(4, format), "e1")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .dataFormat(format).build(), "e2")
                .addLayer("b1", conv(8, format), "pool").addLayer("b2", conv(8, format), "b1")
                .addLayer("up", new Deconvolution2D.Builder(2, 2).stride(2, 2).nOut(4).activation(Activation.RELU)
                        .dataFormat(format).build(), "b2")
                .addVertex("merge", new MergeVertex(), "up", "e2")
                .addLayer("bn", new BatchNormalization.Builder().dataFormat(format).build(), "merge")
                .addLayer("d1", conv(4, format), "bn")
                .addLayer("logits", new ConvolutionLayer.Builder(1, 1).nOut(CLASSES).activation(Activation.IDENTITY)
                        .dataFormat(format).build(), "d1")
                .addLayer("out", new PerImageLossLayer.Builder(loss(lossSpec)).activation(Activation.SOFTMAX).format(format)
                        .build(), "logits")
                .setOutputs("out").build();
    }

    private static ConvolutionLayer conv(int channels, CNN2DFormat format) {
        return new ConvolutionLayer.Builder(3, 3).nOut(channels).activation(Activation.RELU).dataFormat(format).build();
    }

    static ILossFunction loss(String spec) {
        return LossRegistry.discover().create(spec);
    }

    static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    /** @return images [n, 1, H, W] (or NHWC) with a bright blob and noise, seeded */
    static INDArray images(int n, CNN2DFormat format, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n * H * W];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() * 0.3f;
        }
        INDArray x = Nd4j.create(v, new long[]{n, 1, H, W}, 'c');
        return format == CNN2DFormat.NCHW ? x : x.permute(0, 2, 3, 1).dup('c');
    }

    /** @return one-hot labels [n, CLASSES, H, W] (or NHWC) of random classes, seeded */
    static INDArray labels(int n, CNN2DFormat format, long seed) {
        Random r = new Random(seed);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, CLASSES, H, W);
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < H; h++) {
                for (int w = 0; w < W; w++) {
                    y.putScalar(new long[]{i, r.nextInt(CLASSES), h, w}, 1f);
                }
            }
        }
        return format == CNN2DFormat.NCHW ? y : y.permute(0, 2, 3, 1).dup('c');
    }

    /** @return how often DL4J fell back from the layer's helper to its own code after a helper exception */
    static int helperFailures(Layer layer) {
        for (Class<?> c = layer.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField("helperCountFail");
                f.setAccessible(true);
                return f.getInt(layer);
            } catch (NoSuchFieldException e) {
                // declared further up
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return 0;
    }
}
