package io.github.lossvariants.api;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One parameter of a loss: its name, type, default, allowed range and one-line meaning.
 *
 * <p>A parameter with no default is optional: when absent, the loss applies no such option
 * (for example {@code alpha} of {@code focal}: no class balancing). For the array types the
 * range applies to every element. Instances are immutable; build them with the static
 * factories and the {@code atLeast}/{@code atMost}/{@code between} refinements.
 *
 * @since 0.1.0
 */
public final class ParameterSpec implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final ParameterType type;
    private final Object defaultValue;
    private final double min;
    private final boolean minInclusive;
    private final double max;
    private final boolean maxInclusive;
    private final String description;
    private final List<String> choices;
    private final boolean required;

    private ParameterSpec(String name, ParameterType type, Object defaultValue, double min, boolean minInclusive,
                          double max, boolean maxInclusive, String description) {
        this(name, type, defaultValue, min, minInclusive, max, maxInclusive, description, List.of(), false);
    }

    private ParameterSpec(String name, ParameterType type, Object defaultValue, double min, boolean minInclusive,
                          double max, boolean maxInclusive, String description, List<String> choices,
                          boolean required) {
        if (name == null || !name.matches("[a-zA-Z][a-zA-Z0-9]*")) {
            throw new IllegalArgumentException("Parameter name must be a camelCase identifier, got '" + name + "'");
        }
        this.name = name;
        this.type = Objects.requireNonNull(type, "type");
        this.min = min;
        this.minInclusive = minInclusive;
        this.max = max;
        this.maxInclusive = maxInclusive;
        this.description = Objects.requireNonNull(description, "description");
        this.choices = List.copyOf(choices);
        this.required = required;
        if (required && defaultValue != null) {
            throw new IllegalArgumentException("Parameter '" + name + "' is required and so cannot have a default");
        }
        if (type == ParameterType.CHOICE && this.choices.isEmpty()) {
            throw new IllegalArgumentException("Parameter '" + name + "' of type CHOICE needs at least one choice");
        }
        this.defaultValue = defaultValue == null ? null : ParameterValues.normalize(this, defaultValue, "default of");
    }

    /** A real-valued parameter; {@code defaultValue} may be null (optional parameter). */
    public static ParameterSpec ofDouble(String name, Double defaultValue, String description) {
        return new ParameterSpec(name, ParameterType.DOUBLE, defaultValue, Double.NEGATIVE_INFINITY, true,
                Double.POSITIVE_INFINITY, true, description);
    }

    /** A whole-number parameter; {@code defaultValue} may be null (optional parameter). */
    public static ParameterSpec ofInt(String name, Integer defaultValue, String description) {
        return new ParameterSpec(name, ParameterType.INT, defaultValue, Double.NEGATIVE_INFINITY, true,
                Double.POSITIVE_INFINITY, true, description);
    }

    /** A boolean parameter; {@code defaultValue} may be null (optional parameter). */
    public static ParameterSpec ofBoolean(String name, Boolean defaultValue, String description) {
        return new ParameterSpec(name, ParameterType.BOOLEAN, defaultValue, Double.NEGATIVE_INFINITY, true,
                Double.POSITIVE_INFINITY, true, description);
    }

    /** A list of real numbers; {@code defaultValue} may be null (optional parameter). */
    public static ParameterSpec ofDoubleArray(String name, double[] defaultValue, String description) {
        return new ParameterSpec(name, ParameterType.DOUBLE_ARRAY, defaultValue, Double.NEGATIVE_INFINITY, true,
                Double.POSITIVE_INFINITY, true, description);
    }

    /** A list of whole numbers; {@code defaultValue} may be null (optional parameter). */
    public static ParameterSpec ofIntArray(String name, int[] defaultValue, String description) {
        return new ParameterSpec(name, ParameterType.INT_ARRAY, defaultValue, Double.NEGATIVE_INFINITY, true,
                Double.POSITIVE_INFINITY, true, description);
    }

    /**
     * A parameter whose value is one word of a fixed set, e.g. {@code mode} of {@code lovasz}
     * ({@code multiclass} or {@code binary}). Spec strings write the word bare:
     * {@code lovasz(mode=binary)}.
     *
     * @param name         the parameter name
     * @param defaultValue one of the choices, or null (optional parameter)
     * @param description  the one-line meaning
     * @param choices      the allowed words, at least one
     * @return the spec
     * @since 0.2.0
     */
    public static ParameterSpec ofChoice(String name, String defaultValue, String description, String... choices) {
        return new ParameterSpec(name, ParameterType.CHOICE, defaultValue, Double.NEGATIVE_INFINITY, true,
                Double.POSITIVE_INFINITY, true, description, List.of(choices), false);
    }

    /** @return a copy allowing values (or elements) {@code >= min} */
    public ParameterSpec atLeast(double min) {
        return new ParameterSpec(name, type, defaultValue, min, true, max, maxInclusive, description, choices, required);
    }

    /** @return a copy allowing values (or elements) {@code > min} */
    public ParameterSpec greaterThan(double min) {
        return new ParameterSpec(name, type, defaultValue, min, false, max, maxInclusive, description, choices, required);
    }

    /** @return a copy allowing values (or elements) {@code <= max} */
    public ParameterSpec atMost(double max) {
        return new ParameterSpec(name, type, defaultValue, min, minInclusive, max, true, description, choices, required);
    }

    /** @return a copy allowing values (or elements) {@code < max} */
    public ParameterSpec lessThan(double max) {
        return new ParameterSpec(name, type, defaultValue, min, minInclusive, max, false, description, choices, required);
    }

    /** @return a copy allowing values (or elements) in the closed interval {@code [min, max]} */
    public ParameterSpec between(double min, double max) {
        return new ParameterSpec(name, type, defaultValue, min, true, max, true, description, choices, required);
    }

    /**
     * @return a copy that must be given: a spec string, a Java constructor or a saved model without
     * it is rejected with a message naming it (for values that depend on the user's data, such as
     * class counts). A required parameter has no default.
     * @since 0.2.0
     */
    public ParameterSpec required() {
        return new ParameterSpec(name, type, defaultValue, min, minInclusive, max, maxInclusive, description, choices, true);
    }

    /**
     * @return true when the parameter must be given ({@link #required()})
     * @since 0.2.0
     */
    public boolean isRequired() {
        return required;
    }

    /**
     * @return the allowed words of a {@link ParameterType#CHOICE} parameter, in declaration order;
     * empty for the other types
     * @since 0.2.0
     */
    public List<String> choices() {
        return choices;
    }

    /** @return the parameter's registry name, e.g. {@code gamma} */
    public String name() {
        return name;
    }

    /** @return the value type */
    public ParameterType type() {
        return type;
    }

    /**
     * @return the normalized default (Double, Integer, Boolean or an unmodifiable {@code List}), or
     * null when the parameter is optional and absent by default
     */
    public Object defaultValue() {
        return defaultValue;
    }

    /** @return true when the parameter has no default and is not required: absent means the option is off */
    public boolean isOptional() {
        return defaultValue == null && !required;
    }

    /** @return the one-line meaning */
    public String description() {
        return description;
    }

    /**
     * @return the lower bound of the allowed range (of every element for the array types);
     * {@code Double.NEGATIVE_INFINITY} when there is none
     */
    public double min() {
        return min;
    }

    /** @return whether {@link #min()} itself is allowed */
    public boolean minInclusive() {
        return minInclusive;
    }

    /**
     * @return the upper bound of the allowed range (of every element for the array types);
     * {@code Double.POSITIVE_INFINITY} when there is none
     */
    public double max() {
        return max;
    }

    /** @return whether {@link #max()} itself is allowed */
    public boolean maxInclusive() {
        return maxInclusive;
    }

    /**
     * @return the allowed range in interval notation, e.g. {@code [0, 1]} or {@code >= 0}, or the
     * choices as {@code {multiclass, binary}}; empty if unbounded
     */
    public String rangeText() {
        if (type == ParameterType.CHOICE) {
            return "{" + String.join(", ", choices) + "}";
        }
        boolean lower = min != Double.NEGATIVE_INFINITY;
        boolean upper = max != Double.POSITIVE_INFINITY;
        if (lower && upper) {
            return (minInclusive ? "[" : "(") + ParameterValues.format(min) + ", " + ParameterValues.format(max)
                    + (maxInclusive ? "]" : ")");
        }
        if (lower) {
            return (minInclusive ? ">= " : "> ") + ParameterValues.format(min);
        }
        if (upper) {
            return (maxInclusive ? "<= " : "< ") + ParameterValues.format(max);
        }
        return "";
    }

    boolean inRange(double v) {
        if (Double.isNaN(v)) {
            return false;
        }
        boolean aboveMin = minInclusive ? v >= min : v > min;
        boolean belowMax = maxInclusive ? v <= max : v < max;
        return aboveMin && belowMax;
    }

    /**
     * Checks and normalizes a value for this parameter.
     *
     * @param lossName the loss the value is for (used in messages only)
     * @param value    a Number, Boolean, String, number array or List of numbers; not null
     * @return the normalized value: Double, Integer, Boolean or an unmodifiable List
     * @throws LossConfigurationException naming the parameter, the value and what is allowed
     */
    public Object validate(String lossName, Object value) {
        return ParameterValues.normalize(this, value, "loss '" + lossName + "':");
    }

    /** @return e.g. {@code gamma (a number >= 0, default 2): focusing exponent} */
    public String describe() {
        StringBuilder b = new StringBuilder(name).append(" (").append(type.description());
        String range = rangeText();
        if (!range.isEmpty()) {
            b.append(' ').append(range);
        }
        b.append(required ? ", required" : ", default " + (defaultValue == null ? "none" : ParameterValues.formatPlain(defaultValue)))
                .append(")");
        return b.append(": ").append(description).toString();
    }

    @Override
    public String toString() {
        return describe();
    }

    static List<ParameterSpec> list(ParameterSpec... specs) {
        return List.of(specs);
    }
}
