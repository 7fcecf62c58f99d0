package io.github.lossvariants.keras;

import io.github.lossvariants.api.LossRegistry;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.io.File;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real HDF5 files in Keras 2's saved-model layout (see src/test/fixtures/README.md), imported with
 * {@link KerasLosses} and DL4J's {@code enforceTrainingConfig=true}: the loss and its parameters
 * are mapped as stated, the weights are the file's, the prediction and the loss value equal what
 * the generator computed with numpy from Keras's formulas, the network's gradient matches central
 * differences of that loss (in double), and one training step lowers it.
 */
class KerasImportTest {
    /**
     * Relative tolerance of the loss value: the imported network computes in float32, the reference
     * in float64 from the same float32 weights (measured differences up to 3.1e-7).
     */
    static final double OBJECTIVE_RTOL = 2e-6;
    /** Absolute tolerance of the predictions (float32 forward pass vs float64 reference). */
    static final double PREDICTION_ATOL = 1e-6;

    private static final LossRegistry REGISTRY = LossRegistry.discover();

    private static KerasOutputLoss expected(String name, String spec, boolean exclusive, boolean logits,
                                            double smoothing, boolean mean, boolean pooled, boolean sum) {
        return new KerasOutputLoss(name, REGISTRY.create(spec), exclusive, logits, smoothing, mean, pooled, sum);
    }

    static Stream<Arguments> fixtures() {
        return Stream.of(
                Arguments.of("binary_focal_string", expected("binary_focal_crossentropy", "focal(gamma=2)", false, false, 0,
                        true, false, false)),
                Arguments.of("binary_focal_object", expected("BinaryFocalCrossentropy", "focal(gamma=3, alpha=0.4)", false,
                        false, 0.1, true, false, false)),
                Arguments.of("binary_focal_logits", expected("BinaryFocalCrossentropy", "focal(gamma=1.5)", false, true, 0,
                        true, false, true)),
                Arguments.of("categorical_focal_string", expected("categorical_focal_crossentropy",
                        "0.25*softmax-focal(gamma=2)", true, false, 0, false, false, false)),
                Arguments.of("categorical_focal_object", expected("CategoricalFocalCrossentropy",
                        "softmax-focal(gamma=2.5, classWeights=[0.2, 0.3, 0.5])", true, false, 0.05, false, false, false)),
                Arguments.of("sigmoid_focal_tfa", expected("SigmoidFocalCrossEntropy", "focal(gamma=2, alpha=0.25)", false,
                        false, 0, false, false, true)),
                Arguments.of("sigmoid_focal_tfa_function", expected("sigmoid_focal_crossentropy",
                        "focal(gamma=2, alpha=0.25)", false, false, 0, false, false, false)),
                Arguments.of("dice", expected("Dice", "dice(smooth=5e-8, batch=true)", false, false, 0, false, true, false)),
                Arguments.of("tversky", expected("Tversky", "tversky(alpha=0.7, beta=0.3, smooth=1e-7, batch=true)", false,
                        false, 0, false, true, false)),
                Arguments.of("new_optimizer_config", expected("binary_focal_crossentropy", "focal(gamma=2)", false, false,
                        0, true, false, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void sequentialModelImportsWithItsLossWeightsPredictionAndLossValueAndTrains(String fixture, KerasOutputLoss loss)
            throws Exception {
        KerasFixtures.Expected e = KerasFixtures.expected(fixture);
        MultiLayerNetwork net = KerasLosses.importKerasSequentialModelAndWeights(KerasFixtures.path(fixture));
        assertEquals(loss, lossOf(net.getOutputLayer()), fixture + ": mapped loss (" + e.note() + ")");
        assertEquals(loss, ((LossLayer) net.getLayerWiseConfigurations().getConf(2).getLayer()).getLossFn(),
                fixture + ": the configuration holds the same loss (saved with the model)");
        checkWeightsPredictionObjectiveAndTraining(fixture, net, net.getLayer(0), net.getLayer(1), e);
        checkGradientAgainstFiniteDifferences(fixture, net.convertDataType(DataType.DOUBLE), e);
    }

    @Test
    void functionalModelImportsWithItsLossAndTrains() throws Exception {
        String fixture = "functional_binary_focal";
        KerasFixtures.Expected e = KerasFixtures.expected(fixture);
        ComputationGraph graph = KerasLosses.importKerasModelAndWeights(KerasFixtures.path(fixture));
        assertEquals(expected("BinaryFocalCrossentropy", "focal(gamma=3, alpha=0.4)", false, false, 0, true, false, false),
                lossOf(graph.getOutputLayer(0)));
        checkWeightsPredictionObjectiveAndTraining(fixture, graph, graph.getLayer("dense"), graph.getLayer("dense_1"), e);
    }

    @Test
    void anUnsupportedSettingInTheFileIsAClearError() {
        UnsupportedKerasConfigurationException ex = assertThrows(UnsupportedKerasConfigurationException.class,
                () -> KerasLosses.importKerasSequentialModelAndWeights(KerasFixtures.path("unsupported_dice_axis")));
        assertTrue(ex.getMessage().contains("Dice") && ex.getMessage().contains("axis=[1]")
                && ex.getMessage().contains("axis=None"), ex.getMessage());
    }

    @Test
    void keras3FilesAreRejectedByDl4jItself() {
        UnsupportedKerasConfigurationException ex = assertThrows(UnsupportedKerasConfigurationException.class,
                () -> KerasLosses.importKerasSequentialModelAndWeights(KerasFixtures.path("keras3_version")));
        assertTrue(ex.getMessage().contains("Keras major version has to be either 1 or 2 (3 provided)"), ex.getMessage());
    }

    @Test
    void importedNetworkSavesRestoresAndKeepsTraining(@TempDir File dir) throws Exception {
        KerasFixtures.Expected e = KerasFixtures.expected("tversky");
        MultiLayerNetwork net = KerasLosses.importKerasSequentialModelAndWeights(KerasFixtures.path("tversky"));
        DataSet batch = new DataSet(e.x(), e.y());
        File file = new File(dir, "imported.zip");
        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);
        assertEquals(lossOf(net.getOutputLayer()), lossOf(restored.getOutputLayer()));
        assertEquals(net.score(batch), restored.score(batch), 0.0);
        assertEquals(net.output(e.x()), restored.output(e.x()));
        restored.fit(batch);
        assertTrue(restored.score(batch) < net.score(batch), "a training step after restoring lowers the loss");
    }

    // ------------------------------------------------------------------ checks

    static ILossFunction lossOf(Layer outputLayer) {
        return ((LossLayer) outputLayer.conf().getLayer()).getLossFn();
    }

    private static void checkWeightsPredictionObjectiveAndTraining(String fixture, Model model, Layer hidden,
                                                                   Layer last, KerasFixtures.Expected e) {
        // the file's float32 values, exactly (Keras's kernel [in, out] is DL4J's W; biases flattened)
        assertEquals(e.weight("dense/kernel"), hidden.getParam("W"), fixture + ": dense kernel");
        assertEquals(e.weight("dense/bias").ravel(), hidden.getParam("b").ravel(), fixture + ": dense bias");
        assertEquals(e.weight("dense_1/kernel"), last.getParam("W"), fixture + ": dense_1 kernel");
        assertEquals(e.weight("dense_1/bias").ravel(), last.getParam("b").ravel(), fixture + ": dense_1 bias");

        INDArray x = e.x();
        INDArray predicted = output(model, x).castTo(DataType.DOUBLE);
        double worst = predicted.sub(e.prediction()).amaxNumber().doubleValue();
        assertTrue(worst <= PREDICTION_ATOL, fixture + ": prediction differs from numpy's by " + worst);

        DataSet batch = new DataSet(x, e.y());
        double score = score(model, batch);
        assertEquals(e.objective(), score, OBJECTIVE_RTOL * Math.abs(e.objective()),
                fixture + ": loss value vs Keras's formula (" + e.note() + ")");

        INDArray before = model.params().dup();
        fit(model, batch);
        assertNotEquals(before, model.params(), fixture + ": one step changed nothing");
        assertFalse(model.params().isInfinite().any() || model.params().isNaN().any(), fixture + ": parameters");
        double after = score(model, batch);
        assertTrue(after < score, fixture + ": one Adam step should lower the loss: " + score + " -> " + after);
    }

    /**
     * The imported network's parameter gradient (DL4J's backprop through the loss layer and this
     * module's conversion), divided by the minibatch size as DL4J's updater does, against central
     * differences of its score (the Keras loss value), in double.
     */
    private static void checkGradientAgainstFiniteDifferences(String fixture, MultiLayerNetwork net,
                                                              KerasFixtures.Expected e) {
        DataSet batch = new DataSet(e.x().castTo(DataType.DOUBLE), e.y().castTo(DataType.DOUBLE));
        net.setInput(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
        // DL4J's backprop gradient is that of the summed score; its updater divides by the minibatch size
        INDArray analytic = net.gradient().gradient().div(batch.numExamples());
        INDArray params = net.params();
        double h = 1e-6;
        long firstLayer = net.getLayer(0).numParams();
        for (int i = 0; i < params.length(); i++) {
            if (i < firstLayer && i % 4 != 0) {
                continue;   // every parameter of the output layer, every 4th of the hidden layer (time)
            }
            double v = params.getDouble(i);
            params.putScalar(i, v + h);
            double plus = net.score(batch);
            params.putScalar(i, v - h);
            double minus = net.score(batch);
            params.putScalar(i, v);
            double numeric = (plus - minus) / (2 * h);
            double a = analytic.getDouble(i);
            assertEquals(numeric, a, 1e-7 + 1e-5 * Math.abs(numeric),
                    fixture + ": gradient of parameter " + i + " (analytic " + a + ", central difference " + numeric + ")");
        }
    }

    private static INDArray output(Model model, INDArray x) {
        return model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).output(x)
                : ((ComputationGraph) model).outputSingle(x);
    }

    private static double score(Model model, DataSet batch) {
        return model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).score(batch)
                : ((ComputationGraph) model).score(batch);
    }

    private static void fit(Model model, DataSet batch) {
        if (model instanceof MultiLayerNetwork) {
            ((MultiLayerNetwork) model).fit(batch);
        } else {
            ((ComputationGraph) model).fit(batch);
        }
    }
}
