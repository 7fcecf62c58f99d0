package io.github.lossvariants.api.region;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * A {@link CnnLossLayer} that scores each image as a whole: before every call to the loss it
 * sets the loss's {@link RowGroupedLoss#withRowsPerExample rowsPerExample} to H*W of the actual
 * input, so region losses (Dice, Tversky, ...) get per-image sums for <b>any</b> input size, and
 * {@code scoreExamples} returns per-image losses. Losses that are not {@link RowGroupedLoss}
 * (cross-entropy, focal, ...) behave exactly as in a plain {@code CnnLossLayer}.
 *
 * <p>Input and labels are {@code [N, C, H, W]} (NCHW, default) or {@code [N, H, W, C]} (NHWC,
 * {@link Builder#format}); the activation (SIGMOID or SOFTMAX, applied over the channels) and
 * masks ({@code [N,1]}, {@code [N,1,H,W]}, {@code [N,C,H,W]}) work as in {@code CnnLossLayer}.
 * Unlike {@code CnnLossLayer} in DL4J 1.0.0-M2.1, scoring honours the NHWC format. It has no
 * parameters and round-trips through DL4J JSON and {@code ModelSerializer} (the configuration
 * class is this one; the runtime class is {@link Impl}).
 *
 * <pre>{@code
 * .layer(new PerImageLossLayer.Builder(registry.create("dice"))
 *         .activation(Activation.SOFTMAX).build())
 * }</pre>
 *
 * @since 0.1.0
 */
public class PerImageLossLayer extends CnnLossLayer {
    private static final long serialVersionUID = 1L;

    /** For JSON; use the {@link Builder}. */
    public PerImageLossLayer() {
        setFormat(CNN2DFormat.NCHW);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
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

    /** Builds a {@link PerImageLossLayer}. */
    public static class Builder {
        private final ILossFunction loss;
        private IActivation activation = Activation.SOFTMAX.getActivationFunction();
        private CNN2DFormat format = CNN2DFormat.NCHW;
        private String name;

        /** @param loss the loss; region losses are regrouped per image on every call */
        public Builder(ILossFunction loss) {
            if (loss == null) {
                throw new LossConfigurationException("PerImageLossLayer needs a loss, got null");
            }
            this.loss = loss;
        }

        /** @param a the output activation (SOFTMAX by default; SIGMOID for independent channels) */
        public Builder activation(Activation a) {
            this.activation = a.getActivationFunction();
            return this;
        }

        /** @param a the output activation */
        public Builder activation(IActivation a) {
            this.activation = a;
            return this;
        }

        /** @param f NCHW (default) or NHWC */
        public Builder format(CNN2DFormat f) {
            this.format = f;
            return this;
        }

        /** @param n the layer name */
        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /** @return the layer configuration */
        public PerImageLossLayer build() {
            PerImageLossLayer l = new PerImageLossLayer();
            l.setLossFn(loss);
            l.setActivationFn(activation);
            l.setFormat(format);
            l.setLayerName(name);
            return l;
        }
    }

    /**
     * The runtime layer: DL4J's {@code CnnLossLayer} with the loss regrouped per image from the
     * actual input shape in {@code backpropGradient}, {@code computeScore} and
     * {@code computeScoreForExamples}.
     */
    public static class Impl extends org.deeplearning4j.nn.layers.convolution.CnnLossLayer {
        private static final long serialVersionUID = 1L;

        /** @see org.deeplearning4j.nn.layers.convolution.CnnLossLayer */
        public Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        private CNN2DFormat format() {
            CNN2DFormat f = layerConf().getFormat();
            return f == null ? CNN2DFormat.NCHW : f;
        }

        /** @return the configured loss, regrouped to H*W rows per example when it is a {@link RowGroupedLoss} */
        private ILossFunction loss() {
            ILossFunction l = layerConf().getLossFn();
            if (l instanceof RowGroupedLoss) {
                long[] s = input.shape();
                long hw = format() == CNN2DFormat.NCHW ? s[2] * s[3] : s[1] * s[2];
                return ((RowGroupedLoss) l).withRowsPerExample(hw);
            }
            return l;
        }

        private void checkInput() {
            if (input == null || labels == null) {
                throw new IllegalStateException("PerImageLossLayer " + layerId() + ": input and labels must be set"
                        + " (input " + (input == null ? "null" : "set") + ", labels " + (labels == null ? "null" : "set") + ")");
            }
            if (input.rank() != 4 || !Arrays.equals(input.shape(), labels.shape())) {
                throw new LossConfigurationException("PerImageLossLayer " + layerId() + " expects 4-D input and labels"
                        + " of equal shape " + (format() == CNN2DFormat.NCHW ? "[N, C, H, W]" : "[N, H, W, C]")
                        + "; got input " + Arrays.toString(input.shape()) + " and labels " + Arrays.toString(labels.shape()));
            }
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            checkInput();
            CNN2DFormat f = format();
            INDArray input2d = ConvolutionUtils.reshape4dTo2d(input, f, workspaceMgr, ArrayType.FF_WORKING_MEM);
            INDArray labels2d = ConvolutionUtils.reshape4dTo2d(labels, f, workspaceMgr, ArrayType.FF_WORKING_MEM);
            INDArray mask2d = ConvolutionUtils.reshapeMaskIfRequired(maskArray, input, f, workspaceMgr, ArrayType.FF_WORKING_MEM);
            INDArray delta2d = loss().computeGradient(labels2d, input2d.dup(input2d.ordering()), layerConf().getActivationFn(),
                    mask2d);
            delta2d = workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, delta2d);
            INDArray delta4d = ConvolutionUtils.reshape2dTo4d(delta2d, input.shape(), f, workspaceMgr, ArrayType.ACTIVATION_GRAD);
            return new Pair<>(new DefaultGradient(), delta4d);
        }

        @Override
        public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
            checkInput();
            CNN2DFormat f = format();
            INDArray input2d = ConvolutionUtils.reshape4dTo2d(input, f, workspaceMgr, ArrayType.FF_WORKING_MEM);
            INDArray labels2d = ConvolutionUtils.reshape4dTo2d(labels, f, workspaceMgr, ArrayType.FF_WORKING_MEM);
            INDArray mask2d = ConvolutionUtils.reshapeMaskIfRequired(maskArray, input, f, workspaceMgr, ArrayType.FF_WORKING_MEM);
            double s = loss().computeScore(labels2d, input2d.dup(), layerConf().getActivationFn(), mask2d, false);
            s /= getInputMiniBatchSize();
            s += fullNetRegTerm;
            this.score = s;
            return s;
        }

        @Override
        public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr workspaceMgr) {
            checkInput();
            CNN2DFormat f = format();
            INDArray input2d = ConvolutionUtils.reshape4dTo2d(input, f, workspaceMgr, ArrayType.FF_WORKING_MEM);
            INDArray labels2d = ConvolutionUtils.reshape4dTo2d(labels, f, workspaceMgr, ArrayType.FF_WORKING_MEM);
            INDArray mask2d = ConvolutionUtils.reshapeMaskIfRequired(maskArray, input, f, workspaceMgr, ArrayType.FF_WORKING_MEM);
            INDArray rowScores = loss().computeScoreArray(labels2d, input2d.dup(), layerConf().getActivationFn(), mask2d);
            long n = input.size(0);
            // rows n*H*W + ... are contiguous per image in both formats
            INDArray perExample = rowScores.reshape('c', n, rowScores.length() / n).sum(true, 1);
            if (fullNetRegTerm != 0.0) {
                perExample.addi(fullNetRegTerm);
            }
            return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, perExample);
        }
    }
}
