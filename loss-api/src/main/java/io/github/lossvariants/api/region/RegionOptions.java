package io.github.lossvariants.api.region;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The options every region loss shares: how rows are grouped into examples, whether the counts
 * are pooled over the minibatch, which classes count and with what weight. Immutable, validated
 * on construction (Java and JSON alike), JSON-serialisable with DL4J's shaded Jackson.
 *
 * <table>
 *   <caption>Registry parameters</caption>
 *   <tr><th>name</th><th>type</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code batch}</td><td>boolean</td><td>false</td><td>pool the soft counts of every
 *       image of the minibatch per class (one loss per minibatch) instead of one loss per
 *       image</td></tr>
 *   <tr><td>{@code includeBackground}</td><td>boolean</td><td>true</td><td>false drops channel 0
 *       from the class mean</td></tr>
 *   <tr><td>{@code classes}</td><td>int list, each &gt;= 0</td><td>absent (all)</td><td>the channels
 *       that count; combined with {@code includeBackground=false}, channel 0 is dropped from
 *       it</td></tr>
 *   <tr><td>{@code classWeights}</td><td>number list, each &gt;= 0</td><td>absent (all 1)</td><td>one
 *       weight per output channel (all channels, also excluded ones); the per-example loss is
 *       sum_c w_c L_c / sum_c w_c over the counted classes</td></tr>
 *   <tr><td>{@code rowsPerExample}</td><td>int &gt;= 1</td><td>1</td><td>consecutive rows that form one
 *       example: H*W behind a {@code CnnLossLayer}, D*H*W behind a {@code Cnn3DLossLayer}, 1 for a
 *       dense {@code OutputLayer}; {@code PerImageLossLayer} sets it from the input shape</td></tr>
 * </table>
 *
 * @since 0.1.0
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class RegionOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Parameter name: pool counts over the minibatch. */
    public static final String BATCH = "batch";
    /** Parameter name: count channel 0. */
    public static final String INCLUDE_BACKGROUND = "includeBackground";
    /** Parameter name: channel subset. */
    public static final String CLASSES = "classes";
    /** Parameter name: per-channel weights. */
    public static final String CLASS_WEIGHTS = "classWeights";
    /** Parameter name: rows per example. */
    public static final String ROWS_PER_EXAMPLE = "rowsPerExample";

    private static final RegionOptions DEFAULTS = new RegionOptions(false, true, null, null, 1L);

    @JsonProperty(BATCH)
    private final boolean batch;
    @JsonProperty(INCLUDE_BACKGROUND)
    private final boolean includeBackground;
    @JsonProperty(CLASSES)
    private final int[] classes;
    @JsonProperty(CLASS_WEIGHTS)
    private final double[] classWeights;
    @JsonProperty(ROWS_PER_EXAMPLE)
    private final long rowsPerExample;

    /**
     * @param batch             pool counts over the minibatch
     * @param includeBackground count channel 0
     * @param classes           channels that count, each {@code >= 0}, no duplicates; null for all
     * @param classWeights      one weight {@code >= 0} per output channel; null for all 1
     * @param rowsPerExample    consecutive rows per example, {@code >= 1}
     * @throws LossConfigurationException naming the option, the value and what is allowed
     */
    @JsonCreator
    public RegionOptions(@JsonProperty(BATCH) boolean batch,
                         @JsonProperty(INCLUDE_BACKGROUND) Boolean includeBackground,
                         @JsonProperty(CLASSES) int[] classes,
                         @JsonProperty(CLASS_WEIGHTS) double[] classWeights,
                         @JsonProperty(ROWS_PER_EXAMPLE) Long rowsPerExample) {
        this.batch = batch;
        this.includeBackground = includeBackground == null || includeBackground;
        this.rowsPerExample = rowsPerExample == null ? 1L : rowsPerExample;
        if (this.rowsPerExample < 1) {
            throw new LossConfigurationException("Invalid value " + this.rowsPerExample + " for parameter '"
                    + ROWS_PER_EXAMPLE + "'. Must be a whole number >= 1 (H*W behind a CnnLossLayer, 1 for dense outputs).");
        }
        if (classes != null) {
            if (classes.length == 0) {
                throw new LossConfigurationException("Invalid value [] for parameter '" + CLASSES
                        + "'. Must list at least one channel index >= 0 (omit it to count every channel).");
            }
            Set<Integer> seen = new HashSet<>();
            for (int c : classes) {
                if (c < 0) {
                    throw new LossConfigurationException("Invalid value " + Arrays.toString(classes) + " for parameter '"
                            + CLASSES + "': index " + c + " is negative. Must list channel indices >= 0.");
                }
                if (!seen.add(c)) {
                    throw new LossConfigurationException("Invalid value " + Arrays.toString(classes) + " for parameter '"
                            + CLASSES + "': index " + c + " appears twice. Must list distinct channel indices.");
                }
            }
            if (!this.includeBackground && classes.length == 1 && classes[0] == 0) {
                throw new LossConfigurationException("Parameters '" + CLASSES + "'=[0] and '" + INCLUDE_BACKGROUND
                        + "'=false leave no channel to count. Allowed: a class list with an index other than 0.");
            }
            this.classes = classes.clone();
        } else {
            this.classes = null;
        }
        if (classWeights != null) {
            if (classWeights.length == 0) {
                throw new LossConfigurationException("Invalid value [] for parameter '" + CLASS_WEIGHTS
                        + "'. Must hold one weight >= 0 per output channel (omit it for equal weights).");
            }
            for (double w : classWeights) {
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new LossConfigurationException("Invalid value " + Arrays.toString(classWeights)
                            + " for parameter '" + CLASS_WEIGHTS + "': element " + w
                            + " is not allowed. Each weight must be a finite number >= 0.");
                }
            }
            this.classWeights = classWeights.clone();
        } else {
            this.classWeights = null;
        }
    }

    /** @return the defaults: per image, every channel, equal weights, one row per example */
    public static RegionOptions defaults() {
        return DEFAULTS;
    }

    /**
     * @return the registry parameters every region loss accepts, in this order: {@code batch},
     * {@code includeBackground}, {@code classes}, {@code classWeights}, {@code rowsPerExample}
     */
    public static List<ParameterSpec> parameterSpecs() {
        return List.of(
                ParameterSpec.ofBoolean(BATCH, false,
                        "pool the soft counts over the whole minibatch (one loss per minibatch) instead of per image"),
                ParameterSpec.ofBoolean(INCLUDE_BACKGROUND, true, "false excludes channel 0 from the class mean"),
                ParameterSpec.ofIntArray(CLASSES, null, "channel indices that count (absent: all)").atLeast(0),
                ParameterSpec.ofDoubleArray(CLASS_WEIGHTS, null,
                        "one weight per output channel; per-example loss = sum w_c L_c / sum w_c (absent: all 1)").atLeast(0),
                ParameterSpec.ofInt(ROWS_PER_EXAMPLE, 1,
                        "consecutive rows per example: H*W behind CnnLossLayer, 1 for dense outputs").atLeast(1));
    }

    /**
     * @param p parameters resolved against a schema that includes some or all of
     *          {@link #parameterSpecs()}; options it does not declare take their defaults
     * @return the options they describe
     * @throws LossConfigurationException when the options are inconsistent
     */
    public static RegionOptions from(LossParameters p) {
        List<String> declared = p.schema().names();
        return new RegionOptions(declared.contains(BATCH) && p.getBoolean(BATCH),
                !declared.contains(INCLUDE_BACKGROUND) || p.getBoolean(INCLUDE_BACKGROUND),
                declared.contains(CLASSES) ? p.getIntArray(CLASSES) : null,
                declared.contains(CLASS_WEIGHTS) ? p.getDoubleArray(CLASS_WEIGHTS) : null,
                declared.contains(ROWS_PER_EXAMPLE) ? (long) p.getInt(ROWS_PER_EXAMPLE) : 1L);
    }

    /**
     * @param p a region loss's parameters
     * @return those parameters with these options (absent classes or weights removed)
     * @throws LossConfigurationException when the loss does not declare an option that differs from
     *                                    its default
     */
    Map<String, Object> mergeInto(LossParameters p) {
        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put(BATCH, batch);
        changes.put(INCLUDE_BACKGROUND, includeBackground);
        changes.put(CLASSES, classes);
        changes.put(CLASS_WEIGHTS, classWeights);
        changes.put(ROWS_PER_EXAMPLE, rowsPerExample);
        List<String> declared = p.schema().names();
        RegionOptions defaults = defaults();
        Map<String, Object> defaultValues = new LinkedHashMap<>();
        defaults.putParameters(defaultValues);
        for (Map.Entry<String, Object> e : new LinkedHashMap<>(changes).entrySet()) {
            if (!declared.contains(e.getKey())) {
                Object normalized = e.getValue() instanceof Long ? Integer.valueOf(((Long) e.getValue()).intValue()) : e.getValue();
                if (!Objects.equals(normalized, defaultValues.get(e.getKey()))) {
                    throw new LossConfigurationException("Loss '" + p.lossName() + "' has no option '" + e.getKey()
                            + "' (it supports " + declared + "); leave it at its default");
                }
                changes.remove(e.getKey());
            }
        }
        return p.with(changes).asMap();
    }

    /**
     * Reads the JSON form of 0.1.0, which nested the options in an {@code "options"} object
     * (written for every region loss, also options its schema does not declare, at their
     * defaults): its entries become top-level values, dropping the undeclared ones that hold the
     * default. Values without an {@code "options"} entry are returned unchanged.
     *
     * @param schema the loss's schema
     * @param values the values as given (a JSON object's fields, or Java values)
     * @return flat values
     */
    public static Map<String, ?> flattenLegacyJson(ParameterSchema schema, Map<String, ?> values) {
        if (values == null || !(values.get("options") instanceof Map)) {
            return values;
        }
        Map<String, Object> flat = new LinkedHashMap<>(values);
        flat.remove("options");
        Map<String, Object> defaultValues = new LinkedHashMap<>();
        defaults().putParameters(defaultValues);
        for (Map.Entry<?, ?> e : ((Map<?, ?>) values.get("options")).entrySet()) {
            String key = String.valueOf(e.getKey());
            boolean atDefault = e.getValue() == null || String.valueOf(e.getValue()).equals(String.valueOf(defaultValues.get(key)));
            if (schema.spec(key).isPresent() || !atDefault) {
                flat.put(key, e.getValue());
            }
        }
        return flat;
    }

    /**
     * Adds the options to a loss's parameter map in schema order; optional options that are off
     * are left out.
     *
     * @param out the map to add to
     */
    public void putParameters(Map<String, Object> out) {
        out.put(BATCH, batch);
        out.put(INCLUDE_BACKGROUND, includeBackground);
        if (classes != null) {
            List<Integer> l = new ArrayList<>();
            for (int c : classes) {
                l.add(c);
            }
            out.put(CLASSES, Collections.unmodifiableList(l));
        }
        if (classWeights != null) {
            List<Double> l = new ArrayList<>();
            for (double w : classWeights) {
                l.add(w);
            }
            out.put(CLASS_WEIGHTS, Collections.unmodifiableList(l));
        }
        out.put(ROWS_PER_EXAMPLE, (int) Math.min(Integer.MAX_VALUE, rowsPerExample));
    }

    /** @return whether counts are pooled over the minibatch */
    public boolean isBatch() {
        return batch;
    }

    /** @return whether channel 0 counts */
    public boolean isIncludeBackground() {
        return includeBackground;
    }

    /** @return a copy of the channel subset, or null for all */
    public int[] getClasses() {
        return classes == null ? null : classes.clone();
    }

    /** @return a copy of the per-channel weights, or null for all 1 */
    public double[] getClassWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    /** @return consecutive rows per example */
    public long getRowsPerExample() {
        return rowsPerExample;
    }

    /** @return equal options except for {@code rowsPerExample} (this instance if unchanged) */
    public RegionOptions withRowsPerExample(long rows) {
        return rows == rowsPerExample ? this : new RegionOptions(batch, includeBackground, classes, classWeights, rows);
    }

    /** @return equal options except for {@code batch} */
    public RegionOptions withBatch(boolean b) {
        return b == batch ? this : new RegionOptions(b, includeBackground, classes, classWeights, rowsPerExample);
    }

    /** @return equal options except for {@code includeBackground} */
    public RegionOptions withIncludeBackground(boolean b) {
        return new RegionOptions(batch, b, classes, classWeights, rowsPerExample);
    }

    /** @return equal options except for {@code classes} (null for all) */
    public RegionOptions withClasses(int... c) {
        return new RegionOptions(batch, includeBackground, c, classWeights, rowsPerExample);
    }

    /** @return equal options except for {@code classWeights} (null for all 1) */
    public RegionOptions withClassWeights(double... w) {
        return new RegionOptions(batch, includeBackground, classes, w, rowsPerExample);
    }

    /**
     * The normalised class weights for {@code nClasses} output channels: w_c / sum of the counted
     * w, and 0 for channels that do not count.
     *
     * @param loss     the loss's name, for messages
     * @param nClasses the number of output channels
     * @param type     the data type of the result
     * @return a {@code [1, nClasses]} row
     * @throws LossConfigurationException when a class index or the weight count does not fit
     *                                    {@code nClasses}, or the counted weights sum to 0
     */
    public INDArray normalizedWeights(String loss, long nClasses, DataType type) {
        if (classWeights != null && classWeights.length != nClasses) {
            throw new LossConfigurationException(loss + ": parameter '" + CLASS_WEIGHTS + "' has "
                    + classWeights.length + " weights " + Arrays.toString(classWeights) + " but the output has "
                    + nClasses + " channels; give exactly one weight per output channel");
        }
        boolean[] counted = counted(loss, nClasses);
        double[] w = new double[(int) nClasses];
        double sum = 0;
        for (int c = 0; c < nClasses; c++) {
            if (counted[c]) {
                w[c] = classWeights == null ? 1.0 : classWeights[c];
                sum += w[c];
            }
        }
        if (!(sum > 0)) {
            throw noClassCounts(loss, nClasses, sum);
        }
        for (int c = 0; c < nClasses; c++) {
            w[c] /= sum;
        }
        return Nd4j.createFromArray(new double[][]{w}).castTo(type);
    }

    /**
     * Which of {@code nClasses} output channels count ({@code classes}, {@code includeBackground});
     * {@code classWeights} are ignored. For losses that combine the counted classes themselves
     * (see {@link RegionLoss#classReduction}).
     *
     * @param loss     the loss's name, for messages
     * @param nClasses the number of output channels
     * @param type     the data type of the result
     * @return a {@code [1, nClasses]} row of 1 (counted) and 0
     * @throws LossConfigurationException when a class index does not fit {@code nClasses} or no
     *                                    channel counts
     * @since 0.2.0
     */
    public INDArray countedClasses(String loss, long nClasses, DataType type) {
        boolean[] counted = counted(loss, nClasses);
        double[] w = new double[(int) nClasses];
        double sum = 0;
        for (int c = 0; c < nClasses; c++) {
            w[c] = counted[c] ? 1.0 : 0.0;
            sum += w[c];
        }
        if (sum == 0) {
            throw noClassCounts(loss, nClasses, sum);
        }
        return Nd4j.createFromArray(new double[][]{w}).castTo(type);
    }

    private boolean[] counted(String loss, long nClasses) {
        boolean[] counted = new boolean[(int) nClasses];
        if (classes == null) {
            Arrays.fill(counted, true);
        } else {
            for (int c : classes) {
                if (c >= nClasses) {
                    throw new LossConfigurationException(loss + ": parameter '" + CLASSES + "' = "
                            + Arrays.toString(classes) + " names channel " + c + " but the output has only "
                            + nClasses + " channels (indices 0.." + (nClasses - 1) + ")");
                }
                counted[c] = true;
            }
        }
        if (!includeBackground) {
            counted[0] = false;
        }
        return counted;
    }

    private LossConfigurationException noClassCounts(String loss, long nClasses, double sum) {
        return new LossConfigurationException(loss + ": no class counts: the weights of the counted channels sum to "
                + sum + " (" + CLASSES + "=" + (classes == null ? "all" : Arrays.toString(classes)) + ", "
                + INCLUDE_BACKGROUND + "=" + includeBackground + ", " + CLASS_WEIGHTS + "="
                + (classWeights == null ? "all 1" : Arrays.toString(classWeights))
                + ", " + nClasses + " channels); at least one counted channel needs a weight > 0");
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RegionOptions)) {
            return false;
        }
        RegionOptions r = (RegionOptions) o;
        return r.batch == batch && r.includeBackground == includeBackground && Arrays.equals(r.classes, classes)
                && Arrays.equals(r.classWeights, classWeights) && r.rowsPerExample == rowsPerExample;
    }

    @Override
    public int hashCode() {
        int h = Boolean.hashCode(batch);
        h = 31 * h + Boolean.hashCode(includeBackground);
        h = 31 * h + Arrays.hashCode(classes);
        h = 31 * h + Arrays.hashCode(classWeights);
        return 31 * h + Long.hashCode(rowsPerExample);
    }

    @Override
    public String toString() {
        Map<String, Object> m = new LinkedHashMap<>();
        putParameters(m);
        return m.toString();
    }
}
