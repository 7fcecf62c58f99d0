package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.LossConfigurationException;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.databind.JsonNode;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Restores saved models and configurations with messages that name the cause. DL4J's own message
 * for a loss it cannot build is misleading ("configuration may have a custom layer ... pre version
 * 1.0.0-beta JSON format"); these methods report instead
 * <ul>
 *   <li>a loss class that is not on the class path, with the module that provides it;</li>
 *   <li>a class named as a loss that is not an {@link ILossFunction} (a tampered or foreign
 *       configuration), with where it appears;</li>
 *   <li>a loss parameter that the loss rejects (an edited {@code "gamma" : -1}, a wrong type, an
 *       unknown field), leading with the loss's own message instead of Jackson's wrapper.</li>
 * </ul>
 * Use them wherever a model or configuration is restored:
 * <pre>{@code
 * MultiLayerNetwork net = SavedModels.restoreMultiLayerNetwork(new File("model.zip"), true);
 * MultiLayerConfiguration conf = SavedModels.multiLayerConfiguration(json);
 * }</pre>
 *
 * @since 0.1.0
 */
public final class SavedModels {
    private static final Pattern CLASS_ID = Pattern.compile("\"@class\"\\s*:\\s*\"([A-Za-z0-9_.$]+)\"");
    private static final Map<String, String> MODULE_OF_PACKAGE = Map.of(
            "io.github.lossvariants.api", "loss-api",
            "io.github.lossvariants.focal", "loss-focal",
            "io.github.lossvariants.tversky", "loss-tversky",
            "io.github.lossvariants.asymmetric", "loss-asymmetric",
            "io.github.lossvariants.calibration", "loss-calibration",
            "io.github.lossvariants.longtail", "loss-longtail");

    private SavedModels() {
    }

    /**
     * @see ModelSerializer#restoreMultiLayerNetwork(File, boolean)
     * @throws LossConfigurationException naming the cause when a loss of the configuration cannot be
     *                                    built (see the class comment)
     */
    public static MultiLayerNetwork restoreMultiLayerNetwork(File file, boolean loadUpdater) throws IOException {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(file, loadUpdater);
        } catch (RuntimeException e) {
            throw explain(file.getName(), configurationOf(file), e);
        }
    }

    /**
     * @see ModelSerializer#restoreComputationGraph(File, boolean)
     * @throws LossConfigurationException naming the cause when a loss of the configuration cannot be
     *                                    built (see the class comment)
     */
    public static ComputationGraph restoreComputationGraph(File file, boolean loadUpdater) throws IOException {
        try {
            return ModelSerializer.restoreComputationGraph(file, loadUpdater);
        } catch (RuntimeException e) {
            throw explain(file.getName(), configurationOf(file), e);
        }
    }

    /**
     * @param json a {@code MultiLayerConfiguration} as {@code toJson()} writes it
     * @return the configuration
     * @throws LossConfigurationException naming the cause when a loss cannot be built (see the class comment)
     * @see MultiLayerConfiguration#fromJson(String)
     * @since 0.2.0
     */
    public static MultiLayerConfiguration multiLayerConfiguration(String json) {
        try {
            return MultiLayerConfiguration.fromJson(json);
        } catch (RuntimeException e) {
            throw explain("the configuration", json, e);
        }
    }

    /**
     * @param json a {@code ComputationGraphConfiguration} as {@code toJson()} writes it
     * @return the configuration
     * @throws LossConfigurationException naming the cause when a loss cannot be built (see the class comment)
     * @see ComputationGraphConfiguration#fromJson(String)
     * @since 0.2.0
     */
    public static ComputationGraphConfiguration computationGraphConfiguration(String json) {
        try {
            return ComputationGraphConfiguration.fromJson(json);
        } catch (RuntimeException e) {
            throw explain("the configuration", json, e);
        }
    }

    /**
     * @return the classes named by {@code "@class"} in the model's configuration that cannot be
     * loaded by this class's class loader
     */
    public static List<String> missingClasses(File file) throws IOException {
        return missingClasses(configurationOf(file));
    }

    private static List<String> missingClasses(String json) {
        List<String> missing = new ArrayList<>();
        Matcher m = CLASS_ID.matcher(json);
        Set<String> ids = new LinkedHashSet<>();
        while (m.find()) {
            ids.add(m.group(1));
        }
        for (String name : ids) {
            if (load(name) == null) {
                missing.add(name);
            }
        }
        return missing;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, SavedModels.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /** @return the configuration JSON of a ModelSerializer zip, "" when it has none */
    private static String configurationOf(File file) throws IOException {
        try (ZipFile zip = new ZipFile(file)) {
            ZipEntry entry = zip.getEntry("configuration.json");
            if (entry == null) {
                return "";
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    /**
     * @return where the configuration names a loss class that is not an {@link ILossFunction}, as
     * "class (at path)" texts: the {@code lossFn} of a layer, or a part of a compound loss
     */
    private static List<String> nonLossClasses(String json) {
        List<String> found = new ArrayList<>();
        try {
            collectNonLosses(NeuralNetConfiguration.mapper().readTree(json), "", false, found);
        } catch (IOException | RuntimeException e) {
            return found;
        }
        return found;
    }

    private static void collectNonLosses(JsonNode node, String path, boolean lossPosition, List<String> found) {
        if (lossPosition && node.isObject() && node.has("@class")) {
            String name = node.get("@class").asText();
            Class<?> c = load(name);
            if (c != null && !ILossFunction.class.isAssignableFrom(c)) {
                found.add(name + " (at " + path + ")");
            }
        }
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                boolean losses = "losses".equals(f.getKey()) && f.getValue().isArray();
                collectNonLosses(f.getValue(), path + "/" + f.getKey(), "lossFn".equals(f.getKey()) || losses, found);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectNonLosses(node.get(i), path + "/" + i, lossPosition, found);
            }
        }
    }

    private static RuntimeException explain(String source, String json, RuntimeException original) {
        List<String> missing = missingClasses(json);
        if (!missing.isEmpty()) {
            StringBuilder b = new StringBuilder("Cannot restore ").append(source)
                    .append(": its configuration uses classes that are not on the class path: ");
            for (int i = 0; i < missing.size(); i++) {
                String name = missing.get(i);
                b.append(i == 0 ? "" : ", ").append(name);
                moduleOf(name).ifPresent(module -> b.append(" (add io.github.lossvariants:").append(module)
                        .append(" as a dependency)"));
            }
            b.append(". Loss classes are part of a saved model's format: the same class names must be available"
                    + " when it is restored.");
            return new LossConfigurationException(b.toString(), original);
        }
        List<String> notLosses = nonLossClasses(json);
        if (!notLosses.isEmpty()) {
            return new LossConfigurationException("Cannot restore " + source + ": its configuration names "
                    + String.join(", ", notLosses) + " as a loss, but "
                    + (notLosses.size() == 1 ? "that class is" : "those classes are") + " not an "
                    + ILossFunction.class.getName() + ". The configuration was edited or written by other code.",
                    original);
        }
        for (Throwable t = original; t != null; t = t.getCause()) {
            if (t instanceof LossConfigurationException) {
                // a loss rejected a value in the configuration (e.g. an edited gamma=-1)
                return new LossConfigurationException("Cannot restore " + source + ": its configuration"
                        + " holds an invalid loss setting: " + t.getMessage(), original);
            }
        }
        return original;
    }

    private static Optional<String> moduleOf(String className) {
        for (Map.Entry<String, String> e : MODULE_OF_PACKAGE.entrySet()) {
            if (className.startsWith(e.getKey() + ".")) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }
}
