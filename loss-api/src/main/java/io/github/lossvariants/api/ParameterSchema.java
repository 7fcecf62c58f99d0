package io.github.lossvariants.api;

import io.github.lossvariants.api.internal.Names;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ordered list of parameters a loss accepts. The registry validates every request against
 * it before a provider sees the values: unknown names, wrong types and out-of-range values are
 * rejected with a message naming the parameter, the value and what is allowed.
 *
 * <p>A loss class declares its schema once (a {@code SCHEMA} constant) and every path reads it: the
 * registry's spec strings, the loss's Java constructors, the JSON restore of saved models (a missing
 * parameter takes its default here), the error messages and the README catalogue.
 *
 * @since 0.1.0
 */
public final class ParameterSchema implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Map<String, ParameterSpec> specs;

    private ParameterSchema(List<ParameterSpec> specs) {
        Map<String, ParameterSpec> m = new LinkedHashMap<>();
        for (ParameterSpec s : specs) {
            if (m.put(s.name(), s) != null) {
                throw new IllegalArgumentException("Parameter '" + s.name() + "' declared twice");
            }
        }
        this.specs = Collections.unmodifiableMap(m);
    }

    /** @return a schema with the given parameters, in that order */
    public static ParameterSchema of(ParameterSpec... specs) {
        return new ParameterSchema(List.of(specs));
    }

    /**
     * @param specs the parameters, in order
     * @return a schema with the given parameters
     * @since 0.2.0
     */
    public static ParameterSchema of(List<ParameterSpec> specs) {
        return new ParameterSchema(specs);
    }

    /**
     * @param more parameters to append
     * @return a schema with this schema's parameters followed by {@code more}
     * @since 0.2.0
     */
    public ParameterSchema plus(List<ParameterSpec> more) {
        List<ParameterSpec> all = new ArrayList<>(specs.values());
        all.addAll(more);
        return new ParameterSchema(all);
    }

    /**
     * Collects name-value pairs for {@link #resolve} from Java constructor arguments, e.g.
     * {@code valuesOf("gamma", gamma, "alpha", alpha)}: a null value is left out, so that the
     * parameter takes its default (or stays absent when it is optional).
     *
     * @param namesAndValues alternating parameter names (String) and values
     * @return the non-null values by name, in the given order
     * @since 0.2.0
     */
    public static Map<String, Object> valuesOf(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("valuesOf needs name-value pairs, got " + namesAndValues.length + " arguments");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                m.put((String) namesAndValues[i], namesAndValues[i + 1]);
            }
        }
        return m;
    }

    /** @return the schema of a loss without parameters */
    public static ParameterSchema empty() {
        return new ParameterSchema(List.of());
    }

    /** @return the parameters in declaration order */
    public List<ParameterSpec> specs() {
        return List.copyOf(specs.values());
    }

    /** @return the parameter of that name, if declared */
    public Optional<ParameterSpec> spec(String name) {
        return Optional.ofNullable(specs.get(name));
    }

    /** @return the declared parameter names in order */
    public List<String> names() {
        return List.copyOf(specs.keySet());
    }

    /**
     * Validates the given values and fills in defaults.
     *
     * @param lossName the loss the values are for (used in messages)
     * @param values   parameter values by name; null or empty for all defaults; a missing or null
     *                 value takes the parameter's default (or stays absent when it is optional)
     * @return the complete, normalized parameters
     * @throws LossConfigurationException for an unknown name, a wrong type, an out-of-range value or a
     *                                    missing required parameter
     */
    public LossParameters resolve(String lossName, Map<String, ?> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (values != null) {
            for (String key : values.keySet()) {
                if (!specs.containsKey(key)) {
                    throw unknownParameter(lossName, key);
                }
            }
        }
        for (ParameterSpec s : specs.values()) {
            Object raw = values == null ? null : values.get(s.name());
            if (raw != null) {
                out.put(s.name(), s.validate(lossName, raw));
            } else if (s.defaultValue() != null) {
                out.put(s.name(), s.defaultValue());
            } else if (s.isRequired()) {
                throw new LossConfigurationException("loss '" + lossName + "': parameter '" + s.name() + "' is required ("
                        + ParameterValues.allowed(s) + "): " + s.description());
            }
        }
        return new LossParameters(lossName, this, out);
    }

    private LossConfigurationException unknownParameter(String lossName, String key) {
        List<String> known = new ArrayList<>(specs.keySet());
        String suggestion = Names.closest(key, known).map(c -> " Did you mean '" + c + "'?").orElse("");
        return new LossConfigurationException("Unknown parameter '" + key + "' for loss '" + lossName + "'."
                + suggestion + " Allowed: " + (known.isEmpty() ? "none (this loss has no parameters)" : String.join(", ", known)) + ".");
    }

    /** @return one line per parameter, as {@link ParameterSpec#describe()} */
    public String describe() {
        StringBuilder b = new StringBuilder();
        for (ParameterSpec s : specs.values()) {
            b.append("  ").append(s.describe()).append('\n');
        }
        return b.toString();
    }
}
