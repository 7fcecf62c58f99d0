package io.github.lossvariants.onednn;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The same float32 network, with the same parameters and data, computes the same outputs, training
 * activations, score, parameter gradients and Adam step with DL4J's oneDNN helpers on as with DL4J's
 * own code: convolution (with and without bias), max and average pooling (with border padding), batch
 * normalization, a U-Net with a transposed convolution and a merge vertex, in NCHW and NHWC, with and
 * without workspaces, under the per-image loss layer and a region loss.
 *
 * <p>The reference is the NCHW network with DL4J's own code; the NHWC networks get the same parameters
 * (the layouts of DL4J's parameters do not depend on the data format) and the permuted data, and their
 * 4-D results are permuted back. So the NHWC cases check both paths against a result that does not
 * depend on NHWC code, not only against each other.
 *
 * <p>Tolerance: the paths sum the same products in other orders (oneDNN's blocked kernels, DL4J's
 * im2col and a GEMM, or the other layout), which in float32 changes results by a few units in the last
 * place per addition, growing with the number of terms and through the layers. Each array is compared
 * as max |x - reference| <= 1e-4 * max |reference| + 1e-6; a wrong padding, layout, divisor, bias or
 * stride changes results by 1e-2 and more of the array's scale (the NHWC stride defect that
 * {@link ContiguousNhwcConvHelper} works around gives values of 1e30).
 */
class HelperEquivalenceTest {
    private static final double RTOL = 2e-5;
    private static final double ATOL = 1e-6;
    private static final int N = 3;

    @BeforeAll
    static void needsOneDnn() {
        assumeTrue(OneDnnHelpers.unavailableReason().isEmpty(),
                () -> "these tests compare the helpers with DL4J's code: " + OneDnnHelpers.unavailableReason().orElse(""));
    }

    static Stream<Arguments> cases() {
        return Stream.of("dice", "0.000186*ce + dice(includeBackground=false)").flatMap(loss -> Stream.of(
                Arguments.of(CNN2DFormat.NCHW, loss), Arguments.of(CNN2DFormat.NHWC, loss)));
    }

    @ParameterizedTest(name = "stack {0} {1}")
    @MethodSource("cases")
    void aStackOfEveryHelperLayerComputesTheSame(CNN2DFormat format, String loss) {
        compareStack(format, loss, WorkspaceMode.ENABLED);
    }

    @ParameterizedTest(name = "stack without workspaces {0}")
    @MethodSource("formats")
    void theSameWithoutWorkspaces(CNN2DFormat format) {
        compareStack(format, "dice", WorkspaceMode.NONE);
    }

    static Stream<CNN2DFormat> formats() {
        return Stream.of(CNN2DFormat.NCHW, CNN2DFormat.NHWC);
    }

    private void compareStack(CNN2DFormat format, String loss, WorkspaceMode workspaces) {
        MultiLayerNetwork ref = TestNets.init(TestNets.stack(loss, CNN2DFormat.NCHW, workspaces));
        INDArray x = TestNets.images(N, CNN2DFormat.NCHW, 1);
        INDArray y = TestNets.labels(N, CNN2DFormat.NCHW, 2);
        INDArray initial = ref.params().dup();
        Results expected = run(ref, x, y);
        for (boolean helpers : new boolean[]{false, true}) {
            MultiLayerNetwork net = TestNets.init(TestNets.stack(loss, format, workspaces));
            net.setParams(initial);
            if (helpers) {
                HelperReport report = OneDnnHelpers.enable(net);
                assertEquals(Map.of("layer0", "convolution", "layer1", "batch normalization", "layer2", "subsampling",
                        "layer3", "convolution", "layer4", "subsampling", "layer5", "batch normalization",
                        "layer7", "convolution"), report.enabledLayers(), report.toString());
            }
            assertHelpers(net.getLayers(), helpers);
            Results actual = run(net, toFormat(x, format), toFormat(y, format)).toNchw(format);
            actual.assertCloseTo(expected, "stack " + format + (helpers ? " with helpers " : " without helpers ") + loss
                    + " " + workspaces);
            assertNoFallback(net.getLayers());
        }
    }

    @ParameterizedTest(name = "U-Net {0} {1}")
    @MethodSource("cases")
    void aUNetComputesTheSame(CNN2DFormat format, String loss) {
        compareUNet(format, loss, CacheMode.NONE);
    }

    /** With {@code CacheMode.DEVICE} the layers keep their forward results for backprop (as the m2nist benchmark does). */
    @ParameterizedTest(name = "U-Net with cached forward results {0}")
    @MethodSource("formats")
    void aUNetWithCachedForwardResultsComputesTheSame(CNN2DFormat format) {
        compareUNet(format, "dice", CacheMode.DEVICE);
    }

    private void compareUNet(CNN2DFormat format, String loss, CacheMode cacheMode) {
        ComputationGraph ref = TestNets.init(TestNets.unet(loss, CNN2DFormat.NCHW, cacheMode));
        INDArray x = TestNets.images(N, CNN2DFormat.NCHW, 3);
        INDArray y = TestNets.labels(N, CNN2DFormat.NCHW, 4);
        INDArray initial = ref.params().dup();
        Results expected = run(ref, x, y);
        for (boolean helpers : new boolean[]{false, true}) {
            ComputationGraph net = TestNets.init(TestNets.unet(loss, format, cacheMode));
            net.setParams(initial);
            if (helpers) {
                HelperReport report = OneDnnHelpers.enable(net);
                assertEquals(List.of("e1", "e2", "pool", "b1", "b2", "bn", "d1", "logits"),
                        new ArrayList<>(report.enabledLayers().keySet()), report.toString());
            }
            assertHelpers(net.getLayers(), helpers);
            Results actual = run(net, toFormat(x, format), toFormat(y, format)).toNchw(format);
            actual.assertCloseTo(expected, "U-Net " + format + (helpers ? " with helpers " : " without helpers ") + loss
                    + " " + cacheMode);
            assertNoFallback(net.getLayers());
        }
    }

    /** What a network computes on one batch: outputs, activations, score, gradients, parameters after a step. */
    private record Results(INDArray inference, Map<String, INDArray> activations, double score,
                           Map<String, INDArray> gradients, INDArray paramsAfterStep) {

        Results toNchw(CNN2DFormat format) {
            Map<String, INDArray> acts = new LinkedHashMap<>();
            activations.forEach((k, v) -> acts.put(k, fromFormat(v, format)));
            return new Results(fromFormat(inference, format), acts, score, gradients, paramsAfterStep);
        }

        void assertCloseTo(Results expected, String what) {
            assertClose(what + ": inference output", expected.inference, inference);
            assertEquals(expected.activations.keySet(), activations.keySet(), what + ": activations");
            expected.activations.forEach((k, v) -> assertClose(what + ": training activations of " + k, v, activations.get(k)));
            assertTrue(Math.abs(expected.score - score) <= RTOL * Math.abs(expected.score) + ATOL,
                    what + ": score " + score + ", reference " + expected.score);
            assertEquals(expected.gradients.keySet(), gradients.keySet(), what + ": gradient variables");
            expected.gradients.forEach((k, v) -> assertClose(what + ": gradient of " + k, v, gradients.get(k)));
            assertClose(what + ": parameters after one Adam step (with batch norm's running mean and variance)",
                    expected.paramsAfterStep, paramsAfterStep);
        }
    }

    private static Results run(MultiLayerNetwork net, INDArray x, INDArray y) {
        INDArray inference = net.output(x, false);
        Map<String, INDArray> acts = new LinkedHashMap<>();
        List<INDArray> ff = net.feedForward(x, true);
        for (int i = 1; i < ff.size(); i++) {
            acts.put("layer" + (i - 1), ff.get(i));
        }
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        Results partial = gradients(net, inference, acts);
        net.fit(new DataSet(x, y));
        return new Results(partial.inference, partial.activations, partial.score, partial.gradients, net.params().dup());
    }

    private static Results run(ComputationGraph net, INDArray x, INDArray y) {
        INDArray inference = net.outputSingle(false, x);
        Map<String, INDArray> acts = new LinkedHashMap<>(net.feedForward(x, true));
        acts.remove("in");
        net.setInputs(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        Results partial = gradients(net, inference, acts);
        net.fit(new MultiDataSet(x, y));
        return new Results(partial.inference, partial.activations, partial.score, partial.gradients, net.params().dup());
    }

    private static Results gradients(Model net, INDArray inference, Map<String, INDArray> acts) {
        Map<String, INDArray> grads = new LinkedHashMap<>();
        net.gradient().gradientForVariable().forEach((k, v) -> grads.put(k, v.dup()));
        Map<String, INDArray> detached = new LinkedHashMap<>();
        acts.forEach((k, v) -> detached.put(k, v.dup()));
        return new Results(inference.dup(), detached, net.score(), grads, null);
    }

    private static INDArray toFormat(INDArray nchw, CNN2DFormat format) {
        return format == CNN2DFormat.NCHW ? nchw : nchw.permute(0, 2, 3, 1).dup('c');
    }

    private static INDArray fromFormat(INDArray a, CNN2DFormat format) {
        return format == CNN2DFormat.NCHW || a.rank() != 4 ? a : a.permute(0, 3, 1, 2);
    }

    /** Asserts max |actual - expected| <= RTOL * max |expected| + ATOL over equal shapes. */
    static void assertClose(String what, INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double scale = expected.amaxNumber().doubleValue();
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertFalse(Double.isNaN(diff), what + ": NaN");
        assertTrue(diff <= RTOL * scale + ATOL, String.format("%s: max |x - reference| = %.3g, max |reference| = %.3g"
                + " (relative %.3g)", what, diff, scale, diff / scale));
    }

    private static void assertHelpers(Layer[] layers, boolean expected) {
        int found = 0;
        for (Layer l : layers) {
            Object h = l.getHelper();
            if (h instanceof MKLDNNConvHelper || h instanceof MKLDNNSubsamplingHelper || h instanceof MKLDNNBatchNormHelper) {
                found++;
            } else if (!expected) {
                assertNull(h, "layer " + l.getIndex() + " has a helper without OneDnnHelpers: " + h);
            }
        }
        assertEquals(expected, found > 0, "oneDNN helpers present: " + found);
    }

    private static void assertNoFallback(Layer[] layers) {
        for (Layer l : layers) {
            assertEquals(0, TestNets.helperFailures(l), "layer " + l.getIndex() + " fell back from its helper to DL4J's code"
                    + " after an exception (the comparison would not have tested the helper)");
        }
    }
}
