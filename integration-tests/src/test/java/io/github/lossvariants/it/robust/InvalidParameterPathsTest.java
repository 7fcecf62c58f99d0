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
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every bounded parameter of every project loss, set to an invalid value through every path a
 * user has -- registry map, spec string, Guice-provided registry, network JSON edited by hand
 * (MultiLayerConfiguration.fromJson) and a saved model whose configuration.json was edited
 * (SavedModels / ModelSerializer) -- fails with a {@link LossConfigurationException} naming the
 * parameter and the value; nothing builds a loss with the invalid value. The Java builders and
 * constructors are the JSON path's {@code @JsonCreator} constructors.
 */
class InvalidParameterPathsTest {
    private static final LossRegistry REGISTRY = LossRegistry.discover();
    private static final LossRegistry GUICE_REGISTRY = Guice.createInjector(new LossModule())
            .getInstance(LossRegistry.class);
    private static final ObjectMapper MAPPER = NeuralNetConfiguration.mapper();

    /** An invalid value for a spec, and how it is written in a spec string and in JSON. */
    private static final class Bad {
        final String description;
        final Object value;
        final String specText;
        final double jsonNumber;

        Bad(String description, Object value, String specText, double jsonNumber) {
            this.description = description;
            this.value = value;
            this.specText = specText;
            this.jsonNumber = jsonNumber;
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
            switch (s.type()) {
                case DOUBLE:
                    out.add(new Bad(text, v, text, v));
                    break;
                case INT:
                    out.add(new Bad(text, (int) v, text, v));
                    break;
                case DOUBLE_ARRAY: {
                    double[] a = new double[nOut];
                    java.util.Arrays.fill(a, Math.max(s.min(), 0) + 1);
                    a[nOut - 1] = v;
                    StringBuilder b = new StringBuilder("[");
                    for (int i = 0; i < nOut; i++) {
                        b.append(i == 0 ? "" : ", ").append(a[i]);
                    }
                    out.add(new Bad("element " + text, a, b.append(']').toString(), v));
                    break;
                }
                case INT_ARRAY:
                    out.add(new Bad("element " + text, new int[]{(int) v}, "[" + text + "]", v));
                    break;
                default:
                    break;
            }
        }
        if (s.type() == ParameterType.DOUBLE) {
            out.add(new Bad("NaN", Double.NaN, null, Double.NaN));
            out.add(new Bad("Infinity", Double.POSITIVE_INFINITY, null, Double.NaN));
        }
        if (s.type() != ParameterType.BOOLEAN) {
            out.add(new Bad("a word", "abc", "abc", Double.NaN));
        }
        if (s.type() == ParameterType.INT) {
            out.add(new Bad("a fraction", 1.5, "1.5", Double.NaN));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> invalidValuesFailOnEveryPath(@TempDir Path dir) {
        return LossUnderTest.all().stream().filter(l -> l.projectLoss).map(l -> DynamicTest.dynamicTest(l.name, () -> {
            int nOut = l.defaultWidth(l.activations.get(0));
            int checked = 0;
            int jsonChecked = 0;
            for (ParameterSpec s : l.provider.parameters().specs()) {
                for (Bad bad : badValues(s, nOut)) {
                    String where = l.name + "." + s.name() + " = " + bad.description;
                    // the parameters the loss requires (e.g. classCounts), valid, so that the bad value is what fails
                    Map<String, Object> required = requiredOtherThan(l, s);
                    Map<String, Object> p = new LinkedHashMap<>(required);
                    p.put(s.name(), bad.value);
                    assertNamed(where + " (registry map)", assertThrows(LossConfigurationException.class,
                            () -> REGISTRY.create(l.name, p), where), s.name());
                    if (bad.specText != null) {
                        String others = required.isEmpty() ? "" : ", " + io.github.lossvariants.api.LossSpecs
                                .format("x", required).replaceFirst("^x\\(", "").replaceFirst("\\)$", "");
                        String spec = l.name + "(" + s.name() + "=" + bad.specText + others + ")";
                        assertNamed(where + " (spec " + spec + ")", assertThrows(LossConfigurationException.class,
                                () -> REGISTRY.create(spec), spec), s.name());
                        assertNamed(where + " (Guice registry, spec " + spec + ")",
                                assertThrows(LossConfigurationException.class, () -> GUICE_REGISTRY.create(spec), spec),
                                s.name());
                    }
                    if (!Double.isNaN(bad.jsonNumber) && checkJsonPaths(l, s, bad, nOut, where, dir)) {
                        jsonChecked++;
                    }
                    checked++;
                }
            }
            System.out.println("[robust] " + l.name + ": " + checked + " invalid parameter values rejected by registry"
                    + " map, spec string and Guice; " + jsonChecked + " also by network JSON and SavedModels");
        }));
    }

    /** The values the loss's default instance has for its required parameters, except {@code s}. */
    private static Map<String, Object> requiredOtherThan(LossUnderTest l, ParameterSpec s) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParameterSpec r : l.provider.parameters().specs()) {
            if (r.isRequired() && !r.name().equals(s.name())) {
                out.put(r.name(), l.defaults.parameters().get(r.name()));
            }
        }
        return out;
    }

    private static void assertNamed(String where, LossConfigurationException e, String parameter) {
        assertTrue(e.getMessage().contains(parameter), where + ": message does not name the parameter: " + e.getMessage());
    }

    /** Writes a valid network with the parameter set, edits the value in its JSON, and reads it back. */
    private static boolean checkJsonPaths(LossUnderTest l, ParameterSpec s, Bad bad, int nOut, String where, Path dir)
            throws Exception {
        Random rng = Generators.rng(l.name, "json-path-" + s.name(), 0);
        LossFunction valid = null;
        for (int i = 0; i < 50 && valid == null; i++) {
            Map<String, Object> p = Generators.parameters(l, nOut, rng, i < 10 ? 1.0 : 0.0);
            p.put(s.name(), Generators.value(s, nOut, rng));
            try {
                valid = REGISTRY.create(l.name, p);
            } catch (LossConfigurationException e) {
                // a rejected combination: draw again
            }
        }
        if (valid == null) {
            // e.g. adafocal's binEdges: numBins + 1 increasing edges, a constraint no schema expresses;
            // reported, not counted as checked
            System.out.println("[robust] " + where + ": JSON paths NOT exercised (no valid random loss with "
                    + s.name() + " set); registry, spec and Guice paths were");
            return false;
        }
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new OutputLayer.Builder(valid).nIn(2).nOut(nOut).activation(l.activations.get(0)).build())
                .build();
        JsonNode root = MAPPER.readTree(conf.toJson());
        ObjectNode lossNode = findLoss(root, valid.getClass().getName());
        if (lossNode == null) {
            fail(where + ": the loss " + valid.getClass().getName() + " is not in the network JSON");
        }
        if (!replace(lossNode, s.name(), bad.jsonNumber)) {
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
        return true;
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

    /** Sets the first field of that name below the node (a number, or the last element of an array). */
    private static boolean replace(JsonNode node, String field, double value) {
        if (node instanceof ObjectNode) {
            ObjectNode o = (ObjectNode) node;
            JsonNode v = o.get(field);
            if (v != null) {
                if (v instanceof ArrayNode) {
                    ArrayNode a = (ArrayNode) v;
                    if (a.size() == 0) {
                        return false;
                    }
                    if (a.get(0).isIntegralNumber()) {
                        a.set(a.size() - 1, MAPPER.getNodeFactory().numberNode((long) value));
                    } else {
                        a.set(a.size() - 1, MAPPER.getNodeFactory().numberNode(value));
                    }
                } else if (v.isIntegralNumber()) {
                    o.put(field, (long) value);
                } else {
                    o.put(field, value);
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
