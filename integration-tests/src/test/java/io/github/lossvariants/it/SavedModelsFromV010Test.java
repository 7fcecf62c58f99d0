package io.github.lossvariants.it;

import io.github.lossvariants.api.CompoundLoss;
import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.dl4j.SavedModels;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models saved by release 0.1.0 (the fixtures in {@code saved-0.1.0/}, see its README) restore, forever,
 * to losses equal to the spec strings they were written from; a parameter missing from a saved loss
 * restores as its registry default; an unknown field or a wrong type is an error naming the loss, the
 * field or the parameter.
 */
class SavedModelsFromV010Test {
    private static final String DIR = "/saved-0.1.0/";
    private static final LossRegistry REGISTRY = LossRegistry.discover();
    private static final ObjectMapper MAPPER = NeuralNetConfiguration.mapper();

    /** One row of index.tsv: the file stem, the spec the loss was created from, the output activation. */
    private static final class Fixture {
        final String stem;
        final String spec;
        final String activation;

        Fixture(String stem, String spec, String activation) {
            this.stem = stem;
            this.spec = spec;
            this.activation = activation;
        }

        String json() {
            return resource(stem + ".json");
        }
    }

    private static List<Fixture> fixtures() {
        List<Fixture> out = new ArrayList<>();
        for (String line : resource("index.tsv").split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] cols = line.split("\t");
            assertEquals(3, cols.length, "index.tsv row: " + line);
            out.add(new Fixture(cols[0], cols[1], cols[2].trim()));
        }
        assertEquals(21, out.size(), "rows of index.tsv");
        return out;
    }

    private static Fixture fixture(String stem) {
        return fixtures().stream().filter(f -> f.stem.equals(stem)).findFirst()
                .orElseThrow(() -> new AssertionError("no fixture " + stem));
    }

    private static String resource(String name) {
        try (InputStream in = SavedModelsFromV010Test.class.getResourceAsStream(DIR + name)) {
            assertNotNull(in, "missing test resource " + DIR + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static File resourceFile(String name) throws URISyntaxException {
        URL url = SavedModelsFromV010Test.class.getResource(DIR + name);
        assertNotNull(url, "missing test resource " + DIR + name);
        return new File(url.toURI());
    }

    private static Layer outputLayer(MultiLayerConfiguration conf) {
        return conf.getConf(conf.getConfs().size() - 1).getLayer();
    }

    private static ILossFunction lossOf(Layer layer) {
        if (layer instanceof BaseOutputLayer) {
            return ((BaseOutputLayer) layer).getLossFn();
        }
        if (layer instanceof CnnLossLayer) { // PerImageLossLayer is one
            return ((CnnLossLayer) layer).getLossFn();
        }
        return ((LossLayer) layer).getLossFn();
    }

    private static IActivation activationOf(Layer layer) {
        return ((BaseLayer) layer).getActivationFn();
    }

    // ---- every JSON fixture ----

    @TestFactory
    Stream<DynamicTest> everyJsonFixtureRestoresToTheLossOfItsSpec() {
        return fixtures().stream().map(f -> DynamicTest.dynamicTest(f.stem + ": " + f.spec, () -> {
            LossFunction expected = REGISTRY.create(f.spec);
            MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(f.json());
            Layer out = outputLayer(conf);
            assertEquals(f.activation, activationOf(out).toString().toUpperCase(), "the fixture's activation");
            ILossFunction restored = lossOf(out);
            assertEquals(expected, restored, f.stem);
            assertEquals(expected.hashCode(), restored.hashCode(), f.stem);
            assertEquals(expected.spec(), ((LossFunction) restored).spec(), f.stem);
            // the documented way to restore gives the same, and today's JSON of it restores to it too
            assertEquals(expected, lossOf(outputLayer(SavedModels.multiLayerConfiguration(f.json()))), f.stem);
            assertEquals(expected, lossOf(outputLayer(MultiLayerConfiguration.fromJson(conf.toJson()))), f.stem);
        }));
    }

    // ---- the two ModelSerializer zips ----

    @Test
    void denseFocalZipRestoresWithItsLossAndComputes() throws Exception {
        File file = resourceFile("focal-dense.zip");
        LossFunction expected = REGISTRY.create("focal(gamma=3, alpha=0.1)");
        INDArray x = Nd4j.createFromArray(new float[][]{{0.5f, -1f, 2f, 0f}, {-0.25f, 0.75f, -1.5f, 1f}});
        INDArray y = Nd4j.createFromArray(new float[][]{{1, 0, 1}, {0, 1, 0}});
        for (Restorer restorer : Restorer.values()) {
            MultiLayerNetwork net = restorer.restore.apply(file);
            assertEquals(expected, lossOf(outputLayer(net.getLayerWiseConfigurations())), restorer.name());
            INDArray output = net.output(x);
            assertEquals(List.of(2L, 3L), List.of(output.size(0), output.size(1)));
            assertAllFinite(output, restorer.name() + " output");
            assertTrue(output.minNumber().doubleValue() > 0 && output.maxNumber().doubleValue() < 1,
                    "sigmoid outputs in (0, 1): " + output);
            double score = net.score(new DataSet(x, y));
            assertTrue(Double.isFinite(score) && score > 0, restorer.name() + " score " + score);
        }
    }

    @Test
    void perImageCeDiceZipRestoresWithItsLossAndComputes() throws Exception {
        File file = resourceFile("ce-dice-perimage.zip");
        LossFunction expected = REGISTRY.create("0.000186*ce + dice(includeBackground=false)");
        // two 1-channel 4x5 images, fixed values; labels one-hot over the 3 output channels
        float[] pixels = new float[40];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = -1f + 2f * i / (pixels.length - 1);
        }
        INDArray x = Nd4j.createFromArray(pixels).reshape(2, 1, 4, 5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 2, 3, 4, 5);
        for (int n = 0; n < 2; n++) {
            for (int h = 0; h < 4; h++) {
                for (int w = 0; w < 5; w++) {
                    y.putScalar(new long[]{n, (n + h + w) % 3, h, w}, 1f);
                }
            }
        }
        for (Restorer restorer : Restorer.values()) {
            MultiLayerNetwork net = restorer.restore.apply(file);
            ILossFunction loss = lossOf(outputLayer(net.getLayerWiseConfigurations()));
            assertInstanceOf(CompoundLoss.class, loss);
            assertEquals(expected, loss, restorer.name());
            INDArray output = net.output(x);
            assertEquals(List.of(2L, 3L, 4L, 5L), List.of(output.size(0), output.size(1), output.size(2), output.size(3)));
            assertAllFinite(output, restorer.name() + " output");
            INDArray channelSums = output.sum(1);
            assertEquals(0.0, channelSums.sub(1.0).amaxNumber().doubleValue(), 1e-5, "softmax over the channels");
            double score = net.score(new DataSet(x, y));
            assertTrue(Double.isFinite(score) && score > 0, restorer.name() + " score " + score);
        }
    }

    /** The two ways to restore a ModelSerializer zip (with its updater, as saved). */
    private enum Restorer {
        MODEL_SERIALIZER(f -> {
            try {
                return ModelSerializer.restoreMultiLayerNetwork(f, true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }),
        SAVED_MODELS(f -> {
            try {
                return SavedModels.restoreMultiLayerNetwork(f, true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        final Function<File, MultiLayerNetwork> restore;

        Restorer(Function<File, MultiLayerNetwork> restore) {
            this.restore = restore;
        }
    }

    private static void assertAllFinite(INDArray a, String what) {
        assertFalse(a.isNaN().any() || a.isInfinite().any(), what + " not finite: " + a);
    }

    // ---- a parameter missing from the saved JSON ----

    /** The cases of the robustness issue, with the documented defaults written out. */
    @ParameterizedTest(name = "{0} without {1} restores {1} = {2}")
    @CsvSource({
            "focal, gamma, 2",
            "softmax-focal, gamma, 2",
            "mdca, beta, 1",
            "tversky, beta, 0.5",
            "asymmetric, clip, 0.05",
            "asymmetric, gammaNeg, 4",
            "dual-focal, gamma, 5",
            "dice, smooth, 1e-5",
            "focal-tversky, gamma, 1.3333333333333333",
            "unified-focal, delta, 0.6",
            "focal-adaptive, gamma, 3"})
    void aMissingParameterRestoresAsItsRegistryDefault(String stem, String parameter, double documentedDefault)
            throws Exception {
        Fixture f = fixture(stem);
        LossFunction saved = REGISTRY.create(f.spec);
        assertTrue(saved.parameters().containsKey(parameter), stem + " saves " + parameter);
        assertFalse(((Number) saved.parameters().get(parameter)).doubleValue() == documentedDefault,
                stem + ": the fixture must hold a value other than the default, or the test proves nothing");
        Object registryDefault = REGISTRY.provider(saved.registryName()).orElseThrow().parameters().spec(parameter)
                .orElseThrow().defaultValue();
        assertEquals(documentedDefault, ((Number) registryDefault).doubleValue(), "the registry default of " + parameter);

        ILossFunction restored = restoreEdited(f, loss -> removeField(loss, parameter));
        Map<String, Object> expectedParameters = new LinkedHashMap<>(saved.parameters());
        expectedParameters.put(parameter, registryDefault);
        assertEquals(REGISTRY.create(saved.registryName(), expectedParameters), restored);
        assertEquals(documentedDefault, ((Number) ((LossFunction) restored).parameters().get(parameter)).doubleValue());
    }

    /**
     * Every field of every saved loss (and every entry of a region loss's 0.1.0 {@code "options"}),
     * left out: the loss restores as the registry builds it from the other values, or, where the
     * registry rejects that combination (adafocal's state without {@code numBins}), fails with the
     * registry's message.
     */
    @TestFactory
    Stream<DynamicTest> everySavedFieldCanBeLeftOut() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Fixture f : fixtures()) {
            LossFunction saved = REGISTRY.create(f.spec);
            if (saved instanceof CompoundLoss) {
                continue;
            }
            ObjectNode loss = lossNode(f.json());
            List<String[]> paths = new ArrayList<>();
            for (Iterator<String> it = loss.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!field.equals("@class")) {
                    paths.add(new String[]{field});
                }
            }
            if (loss.has("options")) {
                for (Iterator<String> it = loss.get("options").fieldNames(); it.hasNext(); ) {
                    paths.add(new String[]{"options", it.next()});
                }
            }
            for (String[] path : paths) {
                String where = f.stem + " without " + String.join(".", path);
                tests.add(DynamicTest.dynamicTest(where, () -> {
                    Map<String, Object> expectedParameters = new LinkedHashMap<>(saved.parameters());
                    if (path.length == 1 && path[0].equals("options")) {
                        expectedParameters.keySet().removeAll(List.of("batch", "includeBackground", "classes",
                                "classWeights", "rowsPerExample"));
                    } else {
                        expectedParameters.remove(path[path.length - 1]);
                    }
                    LossFunction expected;
                    try {
                        expected = REGISTRY.create(saved.registryName(), expectedParameters);
                    } catch (LossConfigurationException rejected) {
                        RuntimeException e = assertThrows(RuntimeException.class,
                                () -> restoreEdited(f, node -> removePath(node, path)), where);
                        assertEquals(rejected.getMessage(), configurationCause(e).getMessage(), where);
                        return;
                    }
                    assertEquals(expected, restoreEdited(f, node -> removePath(node, path)), where);
                }));
            }
        }
        assertTrue(tests.size() >= 50, "fields checked: " + tests.size());
        return tests.stream();
    }

    /**
     * 0.1.0 wrote adafocal's state (and {@code "initialState"}) also before any update; such a model
     * restores to the untrained loss the registry builds, whose spec carries no state.
     */
    @Test
    void anUntrainedAdaFocalSavedBy010EqualsTheRegistryDefault() {
        String untrained = edit(fixture("adafocal").json(), loss -> {
            loss.putArray("gammas").add(2.0).add(2.0).add(2.0).add(2.0);
            loss.putArray("binEdges").add(0.0).add(0.25).add(0.5).add(0.75).add(1.0);
            loss.put("initialState", true);
        });
        LossFunction expected = REGISTRY.create(
                "adafocal(numBins=4, lambda=0.5, gammaInitial=2, gammaMax=10, gammaMin=-1, switchPoint=0.1)");
        ILossFunction restored = lossOf(outputLayer(MultiLayerConfiguration.fromJson(untrained)));
        assertEquals(expected, restored);
        assertEquals(expected.spec(), ((LossFunction) restored).spec());
        assertFalse(((LossFunction) restored).parameters().containsKey("gammas"), restored.toString());
    }

    // ---- unknown fields, wrong types ----

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "focal | gamam | Unknown parameter 'gamam' for loss 'focal'. Did you mean 'gamma'? Allowed: gamma, alpha.",
            "mdca | betta | Unknown parameter 'betta' for loss 'mdca'. Did you mean 'beta'? Allowed: beta.",
            "adafocal | initialstate | Unknown parameter 'initialstate' for loss 'adafocal'.",
            "tversky | weight | Unknown parameter 'weight' for loss 'tversky'.",
            "tversky | options.batchh | Unknown parameter 'batchh' for loss 'tversky'.",
            "unified-focal | options.classWeights | Unknown parameter 'classWeights' for loss 'unified-focal'."})
    void anUnknownFieldIsAnErrorNamingTheLossAndTheField(String stem, String field, String expectedStart) {
        Fixture f = fixture(stem);
        String[] path = field.split("\\.");
        String edited = edit(f.json(), loss -> {
            ObjectNode target = path.length == 1 ? loss : (ObjectNode) loss.get(path[0]);
            if (path[path.length - 1].equals("classWeights")) {
                target.putArray("classWeights").add(1.0).add(2.0);
            } else {
                target.put(path[path.length - 1], true);
            }
        });
        LossConfigurationException fromDl4j = configurationCause(
                assertThrows(RuntimeException.class, () -> MultiLayerConfiguration.fromJson(edited)));
        assertTrue(fromDl4j.getMessage().startsWith(expectedStart), fromDl4j.getMessage());
        LossConfigurationException explained = assertThrows(LossConfigurationException.class,
                () -> SavedModels.multiLayerConfiguration(edited));
        assertTrue(explained.getMessage().startsWith("Cannot restore the configuration")
                && explained.getMessage().contains(expectedStart), explained.getMessage());
    }

    @ParameterizedTest(name = "{0}.{1} = \"abc\"")
    @CsvSource({
            "focal, gamma, a number >= 0",
            "tversky, beta, a number >= 0",
            "asymmetric, detachFocusingWeight, true or false",
            "adafocal, numBins, 'a whole number [1, 1000]'"})
    void aWrongTypeNamesTheParameter(String stem, String parameter, String allowed) {
        Fixture f = fixture(stem);
        String edited = edit(f.json(), loss -> loss.put(parameter, "abc"));
        String name = REGISTRY.create(f.spec).registryName();
        String expected = "loss '" + name + "': parameter '" + parameter + "' must be " + allowed + ", got String \"abc\"";
        assertEquals(expected, configurationCause(
                assertThrows(RuntimeException.class, () -> MultiLayerConfiguration.fromJson(edited))).getMessage());
        LossConfigurationException explained = assertThrows(LossConfigurationException.class,
                () -> SavedModels.multiLayerConfiguration(edited));
        assertTrue(explained.getMessage().startsWith("Cannot restore the configuration")
                && explained.getMessage().contains(expected), explained.getMessage());
    }

    // ---- helpers ----

    private interface Edit {
        void apply(ObjectNode loss);
    }

    private static ILossFunction restoreEdited(Fixture f, Edit edit) {
        return lossOf(outputLayer(MultiLayerConfiguration.fromJson(edit(f.json(), edit))));
    }

    private static String edit(String json, Edit edit) {
        try {
            JsonNode root = MAPPER.readTree(json);
            edit.apply(lossNode(root));
            return MAPPER.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode lossNode(String json) {
        try {
            return lossNode(MAPPER.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode lossNode(JsonNode root) {
        JsonNode confs = root.get("confs");
        JsonNode loss = confs.get(confs.size() - 1).get("layer").get("lossFn");
        assertInstanceOf(ObjectNode.class, loss, "the output layer's lossFn");
        return (ObjectNode) loss;
    }

    private static void removeField(ObjectNode loss, String field) {
        assertNotNull(loss.remove(field), "the saved loss has no field " + field + ": " + loss);
    }

    private static void removePath(ObjectNode loss, String[] path) {
        removeField(path.length == 1 ? loss : (ObjectNode) loss.get(path[0]), path[path.length - 1]);
    }

    private static LossConfigurationException configurationCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LossConfigurationException) {
                return (LossConfigurationException) t;
            }
        }
        throw new AssertionError("no LossConfigurationException in the causes of " + e, e);
    }
}
