package io.github.lossvariants.onednn;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * DL4J's {@link MKLDNNConvHelper}, given NHWC activations in their default (contiguous, 'c') layout.
 *
 * <p>The oneDNN build of nd4j-native 1.0.0-M2.1 computes {@code conv2d} and {@code conv2d_bp} wrongly
 * (values of 1e30 and more, or NaN) when an NHWC input or output gradient is a view with other
 * strides, e.g. the permuted NCHW array DL4J's {@code ConvolutionLayer} passes as the helper's
 * gradient in NHWC mode; NCHW views, and the plain build, are right. This helper copies such arrays
 * into the layer's working memory first and is otherwise DL4J's helper (an instance of it, so DL4J's
 * layer code treats it as one).
 */
final class ContiguousNhwcConvHelper extends MKLDNNConvHelper {

    ContiguousNhwcConvHelper(DataType dataType) {
        super(dataType);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray weights, INDArray bias, INDArray delta,
                                                     int[] kernel, int[] strides, int[] pad, INDArray biasGradView,
                                                     INDArray weightGradView, IActivation afn, ConvolutionLayer.AlgoMode mode,
                                                     ConvolutionLayer.BwdFilterAlgo bwdFilterAlgo,
                                                     ConvolutionLayer.BwdDataAlgo bwdDataAlgo,
                                                     ConvolutionMode convolutionMode, int[] dilation, CNN2DFormat format,
                                                     LayerWorkspaceMgr workspaceMgr) {
        return super.backpropGradient(contiguous(input, format, ArrayType.BP_WORKING_MEM, workspaceMgr), weights, bias,
                contiguous(delta, format, ArrayType.BP_WORKING_MEM, workspaceMgr), kernel, strides, pad, biasGradView,
                weightGradView, afn, mode, bwdFilterAlgo, bwdDataAlgo, convolutionMode, dilation, format, workspaceMgr);
    }

    @Override
    public INDArray preOutput(INDArray input, INDArray weights, INDArray bias, int[] kernel, int[] strides, int[] pad,
                              ConvolutionLayer.AlgoMode mode, ConvolutionLayer.FwdAlgo fwdAlgo,
                              ConvolutionMode convolutionMode, int[] dilation, CNN2DFormat format,
                              LayerWorkspaceMgr workspaceMgr) {
        return super.preOutput(contiguous(input, format, ArrayType.FF_WORKING_MEM, workspaceMgr), weights, bias, kernel,
                strides, pad, mode, fwdAlgo, convolutionMode, dilation, format, workspaceMgr);
    }

    private static INDArray contiguous(INDArray a, CNN2DFormat format, ArrayType type, LayerWorkspaceMgr workspaceMgr) {
        if (format != CNN2DFormat.NHWC || a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a)) {
            return a;
        }
        return workspaceMgr.dup(type, a, 'c');
    }
}
