package io.github.lossvariants.onednn;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.Deconvolution2DLayer;
import org.deeplearning4j.nn.params.DeconvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * DL4J's {@link Deconvolution2D} (transposed convolution), computed as a 1x1 convolution followed by a
 * depth-to-space rearrangement (s*s strided copies) when the kernel is square and equal to the stride,
 * with no padding and no dilation: the usual 2x2, stride-2 upsampling of a U-Net decoder. Same parameters (shapes, names,
 * initialisation), same outputs and gradients as {@code Deconvolution2D}; any other configuration runs
 * DL4J's own code.
 *
 * <p>Why: a transposed convolution whose kernel equals its stride has non-overlapping output blocks,
 * y[n, o, s*i + a, s*j + b] = bias[o] + sum_c x[n, c, i, j] W[c, o, a, b], which is a 1x1 convolution
 * with s*s*O output channels (channel (a*s + b)*O + o) and a depth-to-space of block s. ND4J
 * 1.0.0-M2.1's native {@code deconv2d} has no fast kernel for it, and DL4J has no helper for
 * transposed convolutions, while the 1x1 {@code conv2d} runs through oneDNN on the oneDNN build of
 * nd4j-native (measured in docs/PERFORMANCE.md). The rearrangement is s*s strided assignments, which
 * cost a fraction of libnd4j's {@code depth_to_space} op. The backward pass is the reverse: the output
 * gradient gathered by block (space-to-depth), {@code conv2d_bp}, and the weight gradient rearranged
 * back (the bias gradient summed over the s*s blocks).
 *
 * <pre>{@code
 * .addLayer("up", new OneDnnDeconvolution2D.Builder(2, 2).stride(2, 2).nOut(32).activation(Activation.RELU).build(), "b2")
 * }</pre>
 *
 * <p>Saved models name this class: restoring one needs {@code loss-onednn} on the class path. It works on
 * any ND4J backend (the ops are generic); it is only faster where the native 1x1 convolution is.
 */
public class OneDnnDeconvolution2D extends Deconvolution2D {
    private static final long serialVersionUID = 1L;

    /** For JSON; use the {@link Builder}. */
    public OneDnnDeconvolution2D() {
        super();
    }

    private OneDnnDeconvolution2D(Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("OneDnnDeconvolution2D", getLayerName(), layerIndex, getNIn(), getNOut());
        Impl ret = new Impl(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        ParamInitializer init = initializer();
        Map<String, INDArray> paramTable = init.init(conf, layerParamsView, initializeParams);
        ret.setParamTable(paramTable);
        ret.setConf(conf);
        return ret;
    }

    @Override
    public OneDnnDeconvolution2D clone() {
        return (OneDnnDeconvolution2D) super.clone();
    }

    /** Equal to another {@code OneDnnDeconvolution2D} with the same settings, never to a plain {@code Deconvolution2D}. */
    @Override
    public boolean equals(Object o) {
        return o instanceof OneDnnDeconvolution2D && super.equals(o);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof OneDnnDeconvolution2D;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + OneDnnDeconvolution2D.class.getSimpleName().hashCode();
    }

    /** Builds a {@link OneDnnDeconvolution2D}; the settings are those of {@link Deconvolution2D.Builder}. */
    public static class Builder extends Deconvolution2D.Builder {
        /** @param kernelSize the kernel height and width */
        public Builder(int... kernelSize) {
            super(kernelSize);
        }

        /** A builder whose kernel is set later. */
        public Builder() {
            super();
        }

        @Override
        public OneDnnDeconvolution2D build() {
            return new OneDnnDeconvolution2D(this);
        }
    }

    /** The runtime layer: {@link Deconvolution2DLayer} with the block path for kernel = stride. */
    public static class Impl extends Deconvolution2DLayer {
        private static final long serialVersionUID = 1L;

        /** @see Deconvolution2DLayer */
        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        /** @return the block size s if the kernel is s x s, the stride s, padding 0 and dilation 1, else 0 */
        int blockSize() {
            int[] k = layerConf().getKernelSize();
            int[] s = layerConf().getStride();
            int[] p = layerConf().getPadding();
            int[] d = layerConf().getDilation();
            boolean block = k[0] == k[1] && k[0] == s[0] && k[1] == s[1] && p[0] == 0 && p[1] == 0 && d[0] == 1 && d[1] == 1;
            return block ? k[0] : 0;
        }

        private boolean nhwc() {
            return layerConf().getCnn2dDataFormat() == CNN2DFormat.NHWC;
        }

        /**
         * DL4J's {@code Deconvolution2DLayer.activate}, plus what {@code ConvolutionLayer.activate} does and it
         * does not: with a {@code CacheMode} other than NONE, the pre-activation of a training pass is kept
         * (in DL4J's FF_CACHE workspace) for the backward pass instead of being computed again.
         */
        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (blockSize() == 0) {
                return super.activate(training, workspaceMgr);
            }
            assertInputSet(false);
            if (cacheMode == null) {
                cacheMode = CacheMode.NONE;
            }
            applyDropOutIfNecessary(training, workspaceMgr);
            INDArray z = preOutput(training, false, workspaceMgr).getFirst();
            if (training && cacheMode != CacheMode.NONE && workspaceMgr.hasConfiguration(ArrayType.FF_CACHE)
                    && workspaceMgr.isWorkspaceOpen(ArrayType.FF_CACHE)) {
                try (MemoryWorkspace cache = workspaceMgr.notifyScopeBorrowed(ArrayType.FF_CACHE)) {
                    preOutput = z.unsafeDuplication();
                }
            }
            return layerConf().getActivationFn().getActivation(z, training);
        }

        @Override
        protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
            int s = blockSize();
            if (s == 0) {
                return super.preOutput(training, forBackprop, workspaceMgr);
            }
            if (forBackprop && preOutput != null) {
                return new Pair<>(preOutput, null);
            }
            INDArray x = checkedInput(ArrayType.FF_WORKING_MEM, workspaceMgr);
            INDArray w = getParamWithNoise(DeconvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
            INDArray b = hasBias() ? getParamWithNoise(DeconvolutionParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
            long oC = w.size(1);
            INDArray w1 = blockWeights(w, s, ArrayType.FF_WORKING_MEM, workspaceMgr);
            INDArray b1 = b == null ? null : blockBias(b, s, ArrayType.FF_WORKING_MEM, workspaceMgr);
            long[] xs = x.shape();
            long[] z1Shape = nhwc() ? new long[]{xs[0], xs[1], xs[2], s * s * oC} : new long[]{xs[0], s * s * oC, xs[2], xs[3]};
            long[] zShape = nhwc() ? new long[]{xs[0], s * xs[1], s * xs[2], oC} : new long[]{xs[0], oC, s * xs[2], s * xs[3]};
            INDArray z1 = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, w.dataType(), z1Shape, 'c');
            INDArray z = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), zShape, 'c');
            Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(b1 == null ? new INDArray[]{x, w1} : new INDArray[]{x, w1, b1})
                    .addOutputs(z1).addIntegerArguments(conv1x1Args()).build());
            for (int a = 0; a < s; a++) {
                for (int c = 0; c < s; c++) {
                    block(z, a, c, s).assign(channels(z1, a * s + c, oC));
                }
            }
            return new Pair<>(z, null);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            int s = blockSize();
            if (s == 0) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            assertInputSet(true);
            INDArray x = checkedInput(ArrayType.BP_WORKING_MEM, workspaceMgr);
            INDArray w = getParamWithNoise(DeconvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
            INDArray b = hasBias() ? getParamWithNoise(DeconvolutionParamInitializer.BIAS_KEY, true, workspaceMgr) : null;
            long iC = w.size(0);
            long oC = w.size(1);

            INDArray z = preOutput4d(true, true, workspaceMgr).getFirst();
            INDArray delta = layerConf().getActivationFn().backprop(z, epsilon.castTo(z.dataType())).getFirst();

            long[] xs = x.shape();
            long[] z1Shape = nhwc() ? new long[]{xs[0], xs[1], xs[2], s * s * oC} : new long[]{xs[0], s * s * oC, xs[2], xs[3]};
            INDArray dz1 = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, w.dataType(), z1Shape, 'c');
            for (int a = 0; a < s; a++) {
                for (int c = 0; c < s; c++) {
                    channels(dz1, a * s + c, oC).assign(block(delta, a, c, s));
                }
            }

            INDArray w1 = blockWeights(w, s, ArrayType.BP_WORKING_MEM, workspaceMgr);
            INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, w.dataType(), xs, 'c');
            INDArray dw1 = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, w.dataType(), w1.shape(), 'c');
            INDArray[] inputs;
            INDArray[] outputs;
            INDArray db1 = null;
            if (b == null) {
                inputs = new INDArray[]{x, w1, dz1};
                outputs = new INDArray[]{dx, dw1};
            } else {
                db1 = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, w.dataType(), new long[]{s * s * oC}, 'c');
                inputs = new INDArray[]{x, w1, blockBias(b, s, ArrayType.BP_WORKING_MEM, workspaceMgr), dz1};
                outputs = new INDArray[]{dx, dw1, db1};
            }
            Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(inputs).addOutputs(outputs)
                    .addIntegerArguments(conv1x1Args()).build());

            // dW[c, o, a, b] = dW1[(a*s + b)*O + o, c]; db[o] = sum over the s*s blocks of db1
            INDArray weightGradView = gradientViews.get(DeconvolutionParamInitializer.WEIGHT_KEY);
            weightGradView.assign(dw1.reshape('c', new long[]{s, s, oC, iC}).permute(3, 2, 0, 1));
            Gradient g = new DefaultGradient();
            if (db1 != null) {
                INDArray biasGradView = gradientViews.get(DeconvolutionParamInitializer.BIAS_KEY);
                biasGradView.assign(db1.reshape('c', new long[]{(long) s * s, oC}).sum(0));
                g.setGradientFor(DeconvolutionParamInitializer.BIAS_KEY, biasGradView);
            }
            g.setGradientFor(DeconvolutionParamInitializer.WEIGHT_KEY, weightGradView, 'c');
            weightNoiseParams.clear();
            return new Pair<>(g, dx);
        }

        /** @return the view of output positions (s*i + a, s*j + c) of a 4-D array in the layer's format */
        private INDArray block(INDArray z, int a, int c, int s) {
            int h = nhwc() ? 1 : 2;
            INDArrayIndex rows = NDArrayIndex.interval(a, s, z.size(h));
            INDArrayIndex cols = NDArrayIndex.interval(c, s, z.size(h + 1));
            return nhwc() ? z.get(NDArrayIndex.all(), rows, cols, NDArrayIndex.all())
                    : z.get(NDArrayIndex.all(), NDArrayIndex.all(), rows, cols);
        }

        /** @return the view of channels [block*O, (block+1)*O) of a 4-D array in the layer's format */
        private INDArray channels(INDArray z1, int block, long oC) {
            INDArrayIndex ch = NDArrayIndex.interval(block * oC, (block + 1) * oC);
            return nhwc() ? z1.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), ch)
                    : z1.get(NDArrayIndex.all(), ch, NDArrayIndex.all(), NDArrayIndex.all());
        }

        /** conv2d with a 1x1 kernel: kernel, stride, padding, dilation, not Same mode, data format, weights [oC, iC, kH, kW] */
        private int[] conv1x1Args() {
            return new int[]{1, 1, 1, 1, 0, 0, 1, 1, 0, nhwc() ? 1 : 0, 1};
        }

        /** @return the layer input, checked, in the layer's data type, contiguous (oneDNN needs it for NHWC) */
        private INDArray checkedInput(ArrayType type, LayerWorkspaceMgr workspaceMgr) {
            if (input.rank() != 4) {
                throw new DL4JInvalidInputException("OneDnnDeconvolution2D " + layerId() + " expects rank 4 input "
                        + layerConf().getCnn2dDataFormat().dimensionNames() + ", got shape " + Arrays.toString(input.shape()));
            }
            long channels = input.size(nhwc() ? 3 : 1);
            long expected = getParam(DeconvolutionParamInitializer.WEIGHT_KEY).size(0);
            if (channels != expected) {
                throw new DL4JInvalidInputException("OneDnnDeconvolution2D " + layerId() + ": input has " + channels
                        + " channels (" + layerConf().getCnn2dDataFormat() + " " + Arrays.toString(input.shape())
                        + "), the layer expects nIn = " + expected);
            }
            INDArray x = input.castTo(dataType);
            boolean contiguous = x.ordering() == 'c' && Arrays.equals(x.stride(), Nd4j.getStrides(x.shape(), 'c'));
            return contiguous ? x : workspaceMgr.dup(type, x, 'c');
        }

        /** @return W1 [s*s*O, C, 1, 1] with W1[(a*s + b)*O + o, c] = W[c, o, a, b], from DL4J's W [C, O, s, s] */
        private static INDArray blockWeights(INDArray w, int s, ArrayType type, LayerWorkspaceMgr workspaceMgr) {
            return workspaceMgr.dup(type, w.permute(2, 3, 1, 0), 'c').reshape('c', new long[]{s * s * w.size(1), w.size(0), 1, 1});
        }

        /** @return b1 [s*s*O] with b1[(a*s + b)*O + o] = b[o] */
        private static INDArray blockBias(INDArray b, int s, ArrayType type, LayerWorkspaceMgr workspaceMgr) {
            long oC = b.length();
            INDArray b1 = workspaceMgr.create(type, b.dataType(), new long[]{(long) s * s, oC}, 'c');
            return b1.addiRowVector(b.reshape(1, oC)).reshape('c', new long[]{(long) s * s * oC});
        }
    }
}
