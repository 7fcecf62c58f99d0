package io.github.lossvariants.onednn;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The defect {@link ContiguousNhwcConvHelper} works around, and that it does: on the oneDNN build,
 * DL4J's {@link MKLDNNConvHelper} given NHWC arrays that are permuted views (as DL4J's
 * {@code ConvolutionLayer} passes its gradient) returns garbage, while the same values in NCHW are right.
 */
class ContiguousNhwcConvHelperTest {
    private static final int[] KERNEL = {3, 3};
    private static final int[] STRIDES = {1, 1};
    private static final int[] PAD = {1, 1};
    private static final int[] DILATION = {1, 1};

    @BeforeAll
    static void needsOneDnn() {
        assumeTrue(OneDnnHelpers.unavailableReason().isEmpty(), () -> OneDnnHelpers.unavailableReason().orElse(""));
    }

    @Test
    void nhwcViewsGiveTheNchwResult() {
        Nd4j.getRandom().setSeed(11);
        INDArray inputNchw = Nd4j.randn(DataType.FLOAT, 2, 3, 6, 8);
        INDArray weights = Nd4j.randn(DataType.FLOAT, 4, 3, 3, 3);
        INDArray bias = Nd4j.randn(DataType.FLOAT, 1, 4);
        INDArray deltaNchw = Nd4j.randn(DataType.FLOAT, 2, 4, 6, 8);

        Pair<Gradient, INDArray> reference = backprop(new MKLDNNConvHelper(DataType.FLOAT), inputNchw, weights, bias,
                deltaNchw, CNN2DFormat.NCHW);
        INDArray referenceForward = forward(new MKLDNNConvHelper(DataType.FLOAT), inputNchw, weights, bias, CNN2DFormat.NCHW);

        // NHWC views of the same values: what ConvolutionLayer hands the helper
        INDArray inputView = inputNchw.permute(0, 2, 3, 1);
        INDArray deltaView = deltaNchw.permute(0, 2, 3, 1);

        Pair<Gradient, INDArray> dl4j = backprop(new MKLDNNConvHelper(DataType.FLOAT), inputView, weights, bias, deltaView,
                CNN2DFormat.NHWC);
        assertFalse(close(reference.getSecond(), dl4j.getSecond().permute(0, 3, 1, 2)),
                "DL4J's MKLDNNConvHelper got NHWC views right: the oneDNN stride defect is gone from this build and "
                        + "ContiguousNhwcConvHelper is no longer needed");

        Pair<Gradient, INDArray> fixed = backprop(new ContiguousNhwcConvHelper(DataType.FLOAT), inputView, weights, bias,
                deltaView, CNN2DFormat.NHWC);
        HelperEquivalenceTest.assertClose("gradient at the input", reference.getSecond(), fixed.getSecond().permute(0, 3, 1, 2));
        for (String param : reference.getFirst().gradientForVariable().keySet()) {
            HelperEquivalenceTest.assertClose("gradient of " + param, reference.getFirst().getGradientFor(param),
                    fixed.getFirst().getGradientFor(param));
        }
        INDArray fixedForward = forward(new ContiguousNhwcConvHelper(DataType.FLOAT), inputView, weights, bias,
                CNN2DFormat.NHWC);
        HelperEquivalenceTest.assertClose("forward", referenceForward, fixedForward.permute(0, 3, 1, 2));
    }

    private static Pair<Gradient, INDArray> backprop(MKLDNNConvHelper helper, INDArray input, INDArray weights,
                                                     INDArray bias, INDArray delta, CNN2DFormat format) {
        INDArray weightGrad = Nd4j.zeros(DataType.FLOAT, weights.shape());
        INDArray biasGrad = Nd4j.zeros(DataType.FLOAT, bias.shape());
        return helper.backpropGradient(input, weights, bias, delta, KERNEL, STRIDES, PAD, biasGrad, weightGrad,
                new ActivationIdentity(), null, null, null, ConvolutionMode.Same, DILATION, format,
                LayerWorkspaceMgr.noWorkspaces());
    }

    private static INDArray forward(MKLDNNConvHelper helper, INDArray input, INDArray weights, INDArray bias,
                                    CNN2DFormat format) {
        return helper.preOutput(input, weights, bias, KERNEL, STRIDES, PAD, null, null, ConvolutionMode.Same, DILATION,
                format, LayerWorkspaceMgr.noWorkspaces());
    }

    private static boolean close(INDArray expected, INDArray actual) {
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        return diff <= 1e-4 * expected.amaxNumber().doubleValue();
    }
}
