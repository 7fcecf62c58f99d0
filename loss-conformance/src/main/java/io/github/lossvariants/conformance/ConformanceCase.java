package io.github.lossvariants.conformance;

import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One reference-vector case: a JSON file in the format of {@code shared/conformance/README.md}.
 * Arrays are flattened row-major ('c' order) in the layout of {@code shape}.
 *
 * <p>Fields, and what the {@link ConformanceRunner} does with each:
 * <ul>
 *   <li>compared with the loss: {@code total}, {@code per_example}, {@code gradient}, and
 *       {@code per_element} through its sums per example (which must equal {@code per_example});</li>
 *   <li>inputs: {@code id} (the case's name), {@code loss}, {@code params}, {@code activation},
 *       {@code kind}, {@code shape}, {@code logits}, {@code labels};</li>
 *   <li>checked for consistency: {@code schema} (must be 1 when present), {@code class_counts}
 *       (must equal {@code params.classCounts});</li>
 *   <li>read and deliberately not compared ({@link #INFORMATIONAL_FIELDS}):
 *       {@code reference}, {@code note}, {@code per_class} (compared through its mean,
 *       {@code per_example}), and the reference's derived constants {@code class_weights},
 *       {@code margins}, {@code neg_class_counts}, {@code ground_truth_counts} and its own reduced
 *       value {@code reference_output}, which are there for debugging.</li>
 * </ul>
 * Any other field is recorded in {@link #unknownFields()}, and the runner fails such a case: a
 * field it does not understand may change what the case means, so it is never silently skipped.
 *
 * <p>Files are parsed with DL4J's shaded Jackson; a malformed file fails with an
 * {@link IllegalArgumentException} naming the file and what is wrong. Instances are immutable
 * (array accessors return copies).
 *
 * @since 0.1.0
 */
public final class ConformanceCase {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Fields that are read but not compared with the loss: descriptions, the per-class values of
     * region cases (compared through their mean, {@code per_example}) and constants the reference
     * derived, kept in the files for debugging.
     *
     * @since 0.2.0
     */
    public static final Set<String> INFORMATIONAL_FIELDS = Set.of("reference", "note", "per_class", "class_weights",
            "margins", "neg_class_counts", "ground_truth_counts", "reference_output");

    /** Every field this class understands. */
    private static final Set<String> KNOWN_FIELDS = union(INFORMATIONAL_FIELDS, Set.of("schema", "id", "loss",
            "params", "activation", "kind", "shape", "logits", "labels", "per_element", "per_example", "total",
            "gradient", "class_counts"));

    /** The version of the case format this class reads. */
    static final int SCHEMA_VERSION = 1;

    private final Path source;
    private final String id;
    private final String loss;
    private final String activation;
    private final String kind;
    private final Map<String, Object> params;
    private final long[] shape;
    private final double[] logits;
    private final double[] labels;
    private final double[] perElement;
    private final double[] perClass;
    private final double[] perExample;
    private final double[] gradient;
    private final double total;
    private final double[] classCounts;
    private final Integer schema;
    private final List<String> unknownFields;

    private ConformanceCase(Path source, String id, String loss, String activation, String kind,
                            Map<String, Object> params, long[] shape, double[] logits, double[] labels,
                            double[] perElement, double[] perClass, double[] perExample, double[] gradient,
                            double total, double[] classCounts, Integer schema, List<String> unknownFields) {
        this.source = source;
        this.id = id;
        this.loss = loss;
        this.activation = activation;
        this.kind = kind;
        this.params = params;
        this.shape = shape;
        this.logits = logits;
        this.labels = labels;
        this.perElement = perElement;
        this.perClass = perClass;
        this.perExample = perExample;
        this.gradient = gradient;
        this.total = total;
        this.classCounts = classCounts;
        this.schema = schema;
        this.unknownFields = unknownFields;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /**
     * Reads every {@code *.json} file of a folder, sorted by file name.
     *
     * @param dir the folder; must exist
     * @return the cases, possibly empty
     * @throws IllegalArgumentException naming the folder when it is missing, or naming the file and
     *                                  the problem when a file is malformed
     */
    public static List<ConformanceCase> readAll(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("conformance directory " + (dir == null ? "null"
                    : dir.toAbsolutePath().normalize()) + " does not exist or is not a directory");
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : s) {
                if (Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list conformance directory " + dir.toAbsolutePath(), e);
        }
        files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        List<ConformanceCase> cases = new ArrayList<>(files.size());
        for (Path f : files) {
            cases.add(read(f));
        }
        return Collections.unmodifiableList(cases);
    }

    /**
     * Reads one case file.
     *
     * @param file the JSON file
     * @return the case
     * @throws IllegalArgumentException naming the file and the problem when it is malformed
     */
    public static ConformanceCase read(Path file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed conformance case file " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(file, root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed conformance case file " + file + ": " + e.getMessage(), e);
        }
    }

    private static ConformanceCase parse(Path file, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object at the top level");
        }
        String id = text(root, "id");
        String loss = text(root, "loss");
        String activation = text(root, "activation");
        String kind = root.hasNonNull("kind") ? text(root, "kind") : "elementwise";
        Map<String, Object> params = new LinkedHashMap<>();
        JsonNode p = root.get("params");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                throw new IllegalArgumentException("'params' must be an object, got " + p.getNodeType());
            }
            Iterator<Map.Entry<String, JsonNode>> it = p.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                params.put(e.getKey(), value("params." + e.getKey(), e.getValue()));
            }
        }
        JsonNode s = root.get("shape");
        if (s == null || !s.isArray() || s.size() < 2) {
            throw new IllegalArgumentException("'shape' must be an array of at least 2 dimensions [N, C, ...]");
        }
        long[] shape = new long[s.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!s.get(i).canConvertToLong() || s.get(i).asLong() < 1) {
                throw new IllegalArgumentException("'shape' entries must be positive integers, got " + s);
            }
            shape[i] = s.get(i).asLong();
            count *= shape[i];
        }
        double[] logits = array(root, "logits", true, count);
        double[] labels = array(root, "labels", true, count);
        double[] perElement = array(root, "per_element", false, count);
        double[] gradient = array(root, "gradient", false, count);
        double[] perClass = array(root, "per_class", false, -1);
        double[] perExample = array(root, "per_example", false, -1);
        JsonNode t = root.get("total");
        if (t == null || !t.isNumber()) {
            throw new IllegalArgumentException("'total' must be a number");
        }
        double[] classCounts = array(root, "class_counts", false, -1);
        for (String numeric : List.of("class_weights", "margins", "neg_class_counts", "ground_truth_counts")) {
            array(root, numeric, false, -1); // informational, but still well-formed
        }
        JsonNode ref = root.get("reference_output");
        if (ref != null && !ref.isNull() && !ref.isNumber()) {
            throw new IllegalArgumentException("'reference_output' must be a number, got " + ref.getNodeType());
        }
        Integer schema = null;
        JsonNode sv = root.get("schema");
        if (sv != null && !sv.isNull()) {
            if (!sv.canConvertToInt() || !sv.isIntegralNumber()) {
                throw new IllegalArgumentException("'schema' must be a whole number, got " + sv);
            }
            schema = sv.asInt();
        }
        Set<String> unknown = new TreeSet<>();
        root.fieldNames().forEachRemaining(name -> {
            if (!KNOWN_FIELDS.contains(name)) {
                unknown.add(name);
            }
        });
        return new ConformanceCase(file, id, loss, activation, kind, Collections.unmodifiableMap(params), shape,
                logits, labels, perElement, perClass, perExample, gradient, t.asDouble(), classCounts, schema,
                List.copyOf(unknown));
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new IllegalArgumentException("'" + field + "' must be a non-empty string");
        }
        return n.asText();
    }

    private static Object value(String where, JsonNode n) {
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToInt() ? (Object) n.asInt() : (Object) n.asLong();
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            for (JsonNode e : n) {
                l.add(value(where, e));
            }
            return Collections.unmodifiableList(l);
        }
        throw new IllegalArgumentException("'" + where + "' has an unsupported value " + n);
    }

    private static double[] array(JsonNode root, String field, boolean required, long expectedLength) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new IllegalArgumentException("'" + field + "' is missing");
            }
            return null;
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException("'" + field + "' must be an array of numbers, got " + n.getNodeType());
        }
        if (expectedLength >= 0 && n.size() != expectedLength) {
            throw new IllegalArgumentException("'" + field + "' has " + n.size() + " values but shape holds "
                    + expectedLength);
        }
        double[] a = new double[n.size()];
        for (int i = 0; i < a.length; i++) {
            JsonNode e = n.get(i);
            if (!e.isNumber()) {
                throw new IllegalArgumentException("'" + field + "'[" + i + "] is not a number: " + e);
            }
            a[i] = e.asDouble();
        }
        return a;
    }

    /** @return the file this case was read from */
    public Path source() {
        return source;
    }

    /** @return the case name */
    public String id() {
        return id;
    }

    /** @return the registry name of the loss */
    public String loss() {
        return loss;
    }

    /** @return {@code sigmoid}, {@code softmax} or {@code none} (the loss reads the raw logits) as the file says */
    public String activation() {
        return activation;
    }

    /**
     * @return {@code elementwise}, {@code region}, {@code per-example} or {@code minibatch} as the
     * file says ({@code elementwise} when absent); the runner fails any other
     */
    public String kind() {
        return kind;
    }

    /** @return the parameters by registry name (Double, Integer, Boolean, String or List); unmodifiable */
    public Map<String, Object> params() {
        return params;
    }

    /** @return the array shape: batch, classes, then spatial dimensions */
    public long[] shape() {
        return shape.clone();
    }

    /** @return the pre-activations, 'c' order */
    public double[] logits() {
        return logits.clone();
    }

    /** @return the targets, 'c' order */
    public double[] labels() {
        return labels.clone();
    }

    /** @return each element's loss, or null when absent */
    public double[] perElement() {
        return perElement == null ? null : perElement.clone();
    }

    /** @return each (example, class) loss of a region case, or null when absent */
    public double[] perClass() {
        return perClass == null ? null : perClass.clone();
    }

    /** @return each example's loss (one entry when {@code batch} is true), or null when absent */
    public double[] perExample() {
        return perExample == null ? null : perExample.clone();
    }

    /** @return d(total)/d(logits), 'c' order, or null when absent */
    public double[] gradient() {
        return gradient == null ? null : gradient.clone();
    }

    /** @return the sum of the per-example losses */
    public double total() {
        return total;
    }

    /**
     * @return {@code class_counts} (training examples per class; the same numbers as
     * {@code params.classCounts}), or null when absent
     * @since 0.2.0
     */
    public double[] classCounts() {
        return classCounts == null ? null : classCounts.clone();
    }

    /**
     * @return the format version ({@code schema}), or null when the file does not say
     * @since 0.2.0
     */
    public Integer schema() {
        return schema;
    }

    /**
     * @return the top-level fields this class does not understand, sorted; the runner fails a case
     * that has any
     * @since 0.2.0
     */
    public List<String> unknownFields() {
        return unknownFields;
    }

    @Override
    public String toString() {
        return id + " (" + loss + ", " + activation + ", " + kind + ", shape " + Arrays.toString(shape) + ")";
    }
}
