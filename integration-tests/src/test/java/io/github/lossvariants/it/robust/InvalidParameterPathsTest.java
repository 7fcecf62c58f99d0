package io.github.lossvariants.it.robust;

import com.google.inject.Guice;
import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.ParameterType;
import io.github.lossvariants.api.dl4j.SavedModels;
import io.github.lossvariants.api.guice.LossModule;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.JsonNodeFactory;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every parameter of every project loss, set to an invalid value (beyond each bound, NaN, Infinity,
 * a word, a fraction for whole numbers, a word outside a CHOICE's set) or, when required, left
 * out, through every path a user has -- registry map, spec string, Guice-provided registry, network
 * JSON edited by hand ({@code MultiLayerConfiguration.fromJson} and
 * {@code SavedModels.multiLayerConfiguration}) and a saved model whose {@code configuration.json}
 * was edited ({@code SavedModels.restoreMultiLayerNetwork}) -- fails with a
 * {@link LossConfigurationException} naming the parameter; nothing builds a loss with the invalid
 * value. The other parameters hold valid values (the required ones given). Every value that JSON
 * can hold (all but NaN and Infinity) is tried on the JSON paths; a parameter for which no valid
 * random loss could be drawn fails the test instead of being skipped.
 */
class InvalidParameterPathsTest {
    private static final LossRegistry REGISTRY = LossRegistry.discover();
    private static final LossRegistry GUICE_REGISTRY = Guice.createInjector(new LossModule())
            .getInstance(LossRegistry.class);
    private static final ObjectMapper MAPPER = NeuralNetConfiguration.mapper();
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Random draws tried to find a valid loss with a given parameter set (for the JSON paths). */
    private static final int DRAWS = 400;

    /** An invalid value for a spec: how it is given in a map, in a spec string and in JSON (null: cannot be). */
    private static final class Bad {
        final String description;
        final Object value;
        final String specText;
        final JsonNode json;

        Bad(String description, Object value, String specText, JsonNode json) {
            this.description = description;
            this.value = value;
            this.specText = specText;
            this.json = json;
        }
    }

    private static List<Bad> badValues(ParameterSpec s, int nOut) {
        List<Bad> out = new ArrayList<>();
        boolean integer = s.type() == ParameterType.INT || s.type() == ParameterType.INT_ARRAY;
        List<Double> scalars = new ArrayList<>();
        if (!Double.isInfinite(s.min())) {
            scalars.add(s.minInclusive() ? s.min() - (integer ? 1 : 0.5) : s.min());
        }
        if (!Double.isInfinite(s.max())) {
            scalars.add(s.maxInclusive() ? s.max() + (integer ? 1 : 0.5) : s.max());
        }
        for (double v : scalars) {
            String text = integer ? String.valueOf((long) v) : String.valueOf(v);
            JsonNode number = integer ? JSON.numberNode((long) v) : JSON.numberNode(v);
            switch (s.type()) {
                case DOUBLE:
                    out.add(new Bad(text, v, text, number));
                    break;
                case INT:
                    out.add(new Bad(text, (int) v, text, number));
                    break;
                case DOUBLE_ARRAY: {
                    double[] a = new double[nOut];
                    Arrays.fill(a, Math.max(s.min(), 0) + 1);
                    a[nOut - 1] = v;
                    StringJoiner b = new StringJoiner(", ", "[", "]");
                    for (double x : a) {
                        b.add(String.valueOf(x));
                    }
                    out.add(new Bad("element " + text, a, b.toString(), number));
                    break;
                }
                case INT_ARRAY:
                    out.add(new Bad("element " + text, new int[]{(int) v}, "[" + text + "]", number));
                    break;
                default:
                    break;
            }
        }
        if (s.type() == ParameterType.DOUBLE) {
            out.add(new Bad("NaN", Double.NaN, null, null));
            out.add(new Bad("Infinity", Double.POSITIVE_INFINITY, null, null));
        }
        if (s.type() != ParameterType.BOOLEAN) {
            out.add(new Bad("a word", "abc", "abc", JSON.textNode("abc")));
        }
        if (s.type() == ParameterType.INT) {
            out.add(new Bad("a fraction", 1.5, "1.5", JSON.numberNode(1.5)));
        }
        if (s.type() == ParameterType.BOOLEAN) {
            out.add(new Bad("a number", 2, "2", JSON.numberNode(2)));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> invalidValuesFailOnEveryPath(@TempDir Path dir) {
        return LossUnderTest.all().stream().filter(l -> l.projectLoss).map(l -> DynamicTest.dynamicTest(l.name, () -> {
            Activation a = l.activations.get(0);
            int nOut = l.defaultWidth(a);
            Map<String, Object> base = Generators.minimalParameters(l.provider, l.settings, a, nOut);
            for (ParameterSpec s : l.provider.parameters().specs()) {
                for (Bad bad : badValues(s, nOut)) {
                    String where = l.name + "." + s.name() + " = " + bad.description;
                    Map<String, Object> p = new LinkedHashMap<>(base);
                    p.put(s.name(), bad.value);
                    assertRejectedEverywhereButJson(where, l.name, p, s.name(), bad.specText);
                    if (bad.json != null) {
                        checkJsonPaths(l, s, where, json -> replace(json, s.name(), bad.json), dir);
                    }
                }
                if (s.isRequired()) {
                    String where = l.name + "." + s.name() + " left out";
                    Map<String, Object> p = new LinkedHashMap<>(base);
                    p.remove(s.name());
                    assertRejectedEverywhereButJson(where, l.name, p, s.name(), null);
                    checkJsonPaths(l, s, where, json -> json.remove(s.name()) != null, dir);
                }
            }
        }));
    }

    /** Registry map, spec string and Guice registry; {@code badText} replaces the parameter's value in the spec. */
    private static void assertRejectedEverywhereButJson(String where, String loss, Map<String, Object> p,
                                                        String parameter, String badText) {
        assertNamed(where + " (registry map " + Generators.describe(p) + ")", assertThrows(
                LossConfigurationException.class, () -> REGISTRY.create(loss, p), where), parameter);
        if (badText == null && p.containsKey(parameter)) {
            return; // a value a spec string cannot hold (NaN, Infinity)
        }
        String spec = spec(loss, p, parameter, badText);
        assertNamed(where + " (spec " + spec + ")", assertThrows(LossConfigurationException.class,
                () -> REGISTRY.create(spec), spec), parameter);
        assertNamed(where + " (Guice registry, spec " + spec + ")", assertThrows(LossConfigurationException.class,
                () -> GUICE_REGISTRY.create(spec), spec), parameter);
    }

    /** @return {@code name(k=v, ...)} with {@code parameter}'s value written as {@code badText} */
    private static String spec(String loss, Map<String, Object> p, String parameter, String badText) {
        StringJoiner j = new StringJoiner(", ", loss + "(", ")");
        p.forEach((k, v) -> j.add(k + "=" + (k.equals(parameter) ? badText : specValue(v))));
        return j.toString();
    }

    private static String specValue(Object v) {
        if (v instanceof double[]) {
            StringJoiner j = new StringJoiner(", ", "[", "]");
            for (double x : (double[]) v) {
                j.add(String.valueOf(x));
            }
            return j.toString();
        }
        if (v instanceof int[]) {
            return Arrays.toString((int[]) v);
        }
        return String.valueOf(v);
    }

    private static void assertNamed(String where, LossConfigurationException e, String parameter) {
        assertTrue(e.getMessage().contains(parameter), where + ": message does not name the parameter: " + e.getMessage());
    }

    /** An edit of a loss's JSON object: returns false when the field to edit is not there. */
    private interface Edit {
        boolean apply(ObjectNode loss);
    }

    /**
     * Writes a valid network whose loss has the parameter set, edits the loss's JSON, and reads it
     * back through {@code MultiLayerConfiguration.fromJson}, {@code SavedModels.multiLayerConfiguration}
     * and a saved model ({@code SavedModels.restoreMultiLayerNetwork}): each must fail naming the
     * parameter.
     */
    private static void checkJsonPaths(LossUnderTest l, ParameterSpec s, String where, Edit edit, Path dir)
            throws Exception {
        Random rng = Generators.rng(l.name, "json-path-" + s.name(), 0);
        LossFunction valid = null;
        Activation act = null;
        int nOut = 0;
        for (int i = 0; i < DRAWS && valid == null; i++) {
            act = l.activations.get(rng.nextInt(l.activations.size()));
            nOut = l.width(act, rng, 5);
            Generators.Drawn d = Generators.drawLoss(REGISTRY, l, act, nOut, rng);
            if (d.loss.parameters().get(s.name()) != null) {
                valid = d.loss;
            }
        }
        if (valid == null) {
            fail(where + ": no valid random loss with " + s.name() + " set in " + DRAWS + " draws, so the JSON paths"
                    + " could not be exercised; make the LossSettings rule of " + l.name + " produce it");
        }
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new OutputLayer.Builder(valid).nIn(2).nOut(nOut).activation(act).build())
                .build();
        JsonNode root = MAPPER.readTree(conf.toJson());
        ObjectNode lossNode = findLoss(root, valid.getClass().getName());
        if (lossNode == null) {
            fail(where + ": the loss " + valid.getClass().getName() + " is not in the network JSON");
        }
        if (!edit.apply(lossNode)) {
            fail(where + ": parameter " + s.name() + " of " + valid.spec() + " is not a field of its JSON " + lossNode
                    + " (JSON field names must be the registry's parameter names)");
        }
        String edited = MAPPER.writeValueAsString(root);
        RuntimeException e = assertThrows(RuntimeException.class, () -> MultiLayerConfiguration.fromJson(edited),
                where + ": fromJson accepted " + edited);
        LossConfigurationException ours = cause(e);
        if (ours == null) {
            throw new AssertionError(where + ": fromJson failed without our message", e);
        }
        assertTrue(e.getMessage().contains(ours.getMessage()), where + ": DL4J's message hides ours: " + e.getMessage());
        assertNamed(where + " (network JSON)", ours, s.name());
        LossConfigurationException viaSavedModels = assertThrows(LossConfigurationException.class,
                () -> SavedModels.multiLayerConfiguration(edited), where + " (SavedModels.multiLayerConfiguration)");
        assertNamed(where + " (SavedModels.multiLayerConfiguration)", viaSavedModels, s.name());

        // a saved model whose configuration.json was edited
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        File file = dir.resolve(l.name + "-" + s.name() + ".zip").toFile();
        ModelSerializer.writeModel(net, file, false);
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + file.toURI()), Map.of())) {
            Files.writeString(zip.getPath("configuration.json"), edited, StandardCharsets.UTF_8);
        }
        LossConfigurationException restored = assertThrows(LossConfigurationException.class,
                () -> SavedModels.restoreMultiLayerNetwork(file, false), where + " (SavedModels)");
        assertTrue(restored.getMessage().startsWith("Cannot restore " + file.getName() + ": "), restored.getMessage());
        assertTrue(restored.getMessage().contains(ours.getMessage()), where + " (SavedModels): " + restored.getMessage());
    }

    static LossConfigurationException cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LossConfigurationException) {
                return (LossConfigurationException) t;
            }
        }
        return null;
    }

    private static ObjectNode findLoss(JsonNode node, String className) {
        if (node instanceof ObjectNode) {
            JsonNode c = node.get("@class");
            if (c != null && className.equals(c.asText())) {
                return (ObjectNode) node;
            }
        }
        for (JsonNode child : node) {
            ObjectNode found = findLoss(child, className);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** Sets the first field of that name below the node (the last element, for an array). */
    private static boolean replace(JsonNode node, String field, JsonNode value) {
        if (node instanceof ObjectNode) {
            ObjectNode o = (ObjectNode) node;
            JsonNode v = o.get(field);
            if (v != null) {
                if (v instanceof ArrayNode) {
                    ArrayNode a = (ArrayNode) v;
                    if (a.size() == 0) {
                        return false;
                    }
                    a.set(a.size() - 1, value);
                } else {
                    o.set(field, value);
                }
                return true;
            }
        }
        Iterator<JsonNode> it = node.elements();
        while (it.hasNext()) {
            if (replace(it.next(), field, value)) {
                return true;
            }
        }
        return false;
    }
}
