package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.LossConfigurationException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Restores models saved with {@link ModelSerializer}, turning DL4J's misleading message for a
 * missing loss class ("configuration may have a custom layer ... pre version 1.0.0-beta JSON
 * format") into one that names the missing class and the module that provides it, and a loss
 * parameter that its constructor rejects (a configuration edited or written by other code, e.g.
 * {@code "gamma" : -1}) into a {@link LossConfigurationException} that leads with the loss's own
 * message instead of Jackson's wrapper.
 *
 * <pre>{@code MultiLayerNetwork net = SavedModels.restoreMultiLayerNetwork(new File("model.zip"), true);}</pre>
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
     * @throws LossConfigurationException naming each class of the configuration that is not on the
     *                                    class path, and its module when it is one of this project's
     */
    public static MultiLayerNetwork restoreMultiLayerNetwork(File file, boolean loadUpdater) throws IOException {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(file, loadUpdater);
        } catch (RuntimeException e) {
            throw explain(file, e);
        }
    }

    /**
     * @see ModelSerializer#restoreComputationGraph(File, boolean)
     * @throws LossConfigurationException naming each class of the configuration that is not on the
     *                                    class path, and its module when it is one of this project's
     */
    public static ComputationGraph restoreComputationGraph(File file, boolean loadUpdater) throws IOException {
        try {
            return ModelSerializer.restoreComputationGraph(file, loadUpdater);
        } catch (RuntimeException e) {
            throw explain(file, e);
        }
    }

    /**
     * @return the classes named by {@code "@class"} in the model's configuration that cannot be
     * loaded by this class's class loader
     */
    public static List<String> missingClasses(File file) throws IOException {
        List<String> missing = new ArrayList<>();
        for (String name : classIds(file)) {
            try {
                Class.forName(name, false, SavedModels.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                missing.add(name);
            }
        }
        return missing;
    }

    private static Set<String> classIds(File file) throws IOException {
        Set<String> ids = new LinkedHashSet<>();
        try (ZipFile zip = new ZipFile(file)) {
            ZipEntry entry = zip.getEntry("configuration.json");
            if (entry == null) {
                return ids;
            }
            try (InputStream in = zip.getInputStream(entry)) {
                Matcher m = CLASS_ID.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                while (m.find()) {
                    ids.add(m.group(1));
                }
            }
        }
        return ids;
    }

    private static RuntimeException explain(File file, RuntimeException original) {
        List<String> missing;
        try {
            missing = missingClasses(file);
        } catch (IOException | RuntimeException e) {
            return original;
        }
        if (missing.isEmpty()) {
            for (Throwable t = original; t != null; t = t.getCause()) {
                if (t instanceof LossConfigurationException) {
                    // a loss constructor rejected a value in the configuration (e.g. an edited gamma=-1)
                    return new LossConfigurationException("Cannot restore " + file.getName() + ": its configuration"
                            + " holds an invalid loss setting: " + t.getMessage(), original);
                }
            }
            return original;
        }
        StringBuilder b = new StringBuilder("Cannot restore ").append(file.getName())
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

    private static java.util.Optional<String> moduleOf(String className) {
        for (Map.Entry<String, String> e : MODULE_OF_PACKAGE.entrySet()) {
            if (className.startsWith(e.getKey() + ".")) {
                return java.util.Optional.of(e.getValue());
            }
        }
        return java.util.Optional.empty();
    }
}
