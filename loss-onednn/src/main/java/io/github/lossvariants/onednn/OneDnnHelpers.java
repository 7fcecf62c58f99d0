package io.github.lossvariants.onednn;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.Objects;
import java.util.Optional;

/**
 * Turns on Deeplearning4j's own oneDNN layer helpers ({@code org.deeplearning4j.nn.layers.mkldnn}) for a
 * network, with one call after {@code init()} or after restoring a model:
 *
 * <pre>{@code
 * ComputationGraph net = ModelSerializer.restoreComputationGraph(file);
 * OneDnnHelpers.enable(net);
 * }</pre>
 *
 * <p>Why it is needed: DL4J 1.0.0-M2.1 attaches its helpers in each layer's constructor only when
 * {@code BaseMKLDNNHelper.mklDnnEnabled()} says so, and that check looks up
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment#isUseMKLDNN}, which ND4J M2.1 moved and renamed
 * ({@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment#isUseONEDNN}); on top of that
 * {@code HelperUtils} creates no helper unless {@code -Dorg.eclipse.deeplearning4j.helpers.disable=false}.
 * So every convolution runs DL4J's Java-side im2col and a GEMM, even on the oneDNN build of nd4j-native.
 * This class sets the helper field of each supported layer to the helper DL4J would have created:
 *
 * <ul>
 *   <li>{@code ConvolutionLayer} (2-D, exactly that class): {@code MKLDNNConvHelper}, i.e. ND4J's native
 *       {@code conv2d} / {@code conv2d_bp} ops, which the oneDNN build runs through oneDNN (as
 *       {@link ContiguousNhwcConvHelper}, which gives NHWC arrays to it contiguous: oneDNN's kernels in
 *       that build compute garbage from strided NHWC views);</li>
 *   <li>{@code SubsamplingLayer} (exactly that class), max and average pooling: {@code MKLDNNSubsamplingHelper}
 *       (backward pass; DL4J's forward pass already calls the native op). Skipped: p-norm and sum pooling
 *       (the helper has none) and average pooling with {@code avgPoolIncludePadInDivisor=true} (models
 *       from DL4J 1.0.0-beta4 and earlier), whose divisor the helper does not pass on;</li>
 *   <li>{@code BatchNormalization}: {@code MKLDNNBatchNormHelper}, unless {@code lockGammaBeta} is set
 *       (the helper refuses it, as in DL4J).</li>
 * </ul>
 *
 * <p>Not enabled: {@code LocalResponseNormalization}, whose oneDNN helper DL4J itself switched off
 * (deeplearning4j issue 7272) and whose backward pass in M2.1 runs the forward op on the gradient;
 * subclasses such as {@code Convolution1DLayer}, {@code DepthwiseConvolution2DLayer} or
 * {@code Deconvolution2DLayer} (the last two have no helper; {@code Deconvolution2D} already runs the
 * native {@code deconv2d} op). Layers inside wrappers ({@code FrozenLayer}, {@code FrozenLayerWithBackprop})
 * are handled.
 *
 * <p>Helpers live in the layer objects, not in the configuration: a network built from it, a
 * {@code clone()}, a restored model, or one built by {@code TransferLearning} has none until this is
 * called on it. Calling it again is harmless. The helpers compute in float32 only.
 *
 * <p>Nothing changes, and one line is logged, when the backend is not nd4j-native (e.g. CUDA), the
 * nd4j-native binary has no oneDNN (its build information lacks {@code HAVE_ONEDNN}), ND4J helpers are
 * disallowed ({@code Nd4j.getEnvironment().allowHelpers(false)}), oneDNN is switched off
 * ({@code ND4J_MKL_FALLBACK=true}), DL4J helpers are disabled explicitly
 * ({@code -Dorg.eclipse.deeplearning4j.helpers.disable=true}), the network is not float32, or the DL4J
 * layer classes do not have the fields this class sets (a DL4J version other than 1.0.0-M2.1).
 * This class needs no ND4J backend at compile time.
 */
public final class OneDnnHelpers {
    private static final HelperInstaller INSTALLER = new HelperInstaller(LayerKind.all());

    private OneDnnHelpers() {
    }

    /**
     * Enables the oneDNN helpers on every supported layer of an initialised network.
     *
     * @param net a network after {@code init()} (or restored)
     * @return what was enabled, skipped, or why nothing was
     * @throws IllegalStateException if {@code init()} has not been called
     */
    public static HelperReport enable(MultiLayerNetwork net) {
        Objects.requireNonNull(net, "net");
        return INSTALLER.install(layers(net.getLayers(), "MultiLayerNetwork"),
                net.getLayerWiseConfigurations().getDataType(), "MultiLayerNetwork");
    }

    /**
     * Enables the oneDNN helpers on every supported layer of an initialised graph.
     *
     * @param graph a graph after {@code init()} (or restored)
     * @return what was enabled, skipped, or why nothing was
     * @throws IllegalStateException if {@code init()} has not been called
     */
    public static HelperReport enable(ComputationGraph graph) {
        Objects.requireNonNull(graph, "graph");
        return INSTALLER.install(layers(graph.getLayers(), "ComputationGraph"),
                graph.getConfiguration().getDataType(), "ComputationGraph");
    }

    /**
     * Enables the oneDNN helpers on a {@link MultiLayerNetwork} or {@link ComputationGraph} held as a
     * {@link Model}.
     *
     * @param net an initialised {@code MultiLayerNetwork} or {@code ComputationGraph}
     * @return what was enabled, skipped, or why nothing was
     * @throws IllegalArgumentException for any other kind of model
     * @throws IllegalStateException    if {@code init()} has not been called
     */
    public static HelperReport enable(Model net) {
        if (net instanceof MultiLayerNetwork m) {
            return enable(m);
        }
        if (net instanceof ComputationGraph g) {
            return enable(g);
        }
        throw new IllegalArgumentException("OneDnnHelpers.enable takes a MultiLayerNetwork or a ComputationGraph, got "
                + (net == null ? "null" : net.getClass().getName()));
    }

    /**
     * @return why the helpers cannot be used in this JVM (backend, binary, switches), or empty when they can
     */
    public static Optional<String> unavailableReason() {
        return Availability.current().reason();
    }

    private static Layer[] layers(Layer[] layers, String what) {
        if (layers == null) {
            throw new IllegalStateException("the " + what + " has no layers yet: call init() before OneDnnHelpers.enable");
        }
        return layers;
    }
}
