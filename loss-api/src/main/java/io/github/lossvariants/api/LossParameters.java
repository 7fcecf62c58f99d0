package io.github.lossvariants.api;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Validated, complete parameters of one loss, handed to {@link LossProvider#create}. Values are
 * already checked against the {@link ParameterSchema}; defaults are filled in; optional
 * parameters without a value are absent. Immutable and serializable; two instances are equal when
 * they belong to the same loss name and hold equal values.
 *
 * @since 0.1.0
 */
public final class LossParameters implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String lossName;
    private final ParameterSchema schema;
    private final Map<String, Object> values;

    LossParameters(String lossName, ParameterSchema schema, Map<String, Object> values) {
        this.lossName = lossName;
        this.schema = schema;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * @return the registry name of the loss these parameters are for
     * @since 0.2.0
     */
    public String lossName() {
        return lossName;
    }

    /**
     * @return the schema the values were validated against
     * @since 0.2.0
     */
    public ParameterSchema schema() {
        return schema;
    }

    /**
     * @param changes new values by parameter name, validated like every other value; a null value
     *                removes an optional parameter (or restores a parameter's default)
     * @return parameters equal to these except for the changes
     * @throws LossConfigurationException for an unknown name or an invalid value
     * @since 0.2.0
     */
    public LossParameters with(Map<String, ?> changes) {
        Map<String, Object> merged = new LinkedHashMap<>(values);
        merged.putAll(changes);
        return schema.resolve(lossName, merged);
    }

    /**
     * @return the value of a choice parameter (one of {@link ParameterSpec#choices()}), or null when
     * it is optional and absent
     * @since 0.2.0
     */
    public String getString(String name) {
        checkDeclared(name);
        return (String) values.get(name);
    }

    /** @return the value of a double parameter that has a default or was given */
    public double getDouble(String name) {
        return ((Number) require(name)).doubleValue();
    }

    /** @return the value of an optional double parameter, empty when absent */
    public OptionalDouble optionalDouble(String name) {
        checkDeclared(name);
        Object v = values.get(name);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(((Number) v).doubleValue());
    }

    /** @return the value of an int parameter */
    public int getInt(String name) {
        return ((Number) require(name)).intValue();
    }

    /** @return the value of a boolean parameter */
    public boolean getBoolean(String name) {
        return (Boolean) require(name);
    }

    /** @return a copy of a number-list parameter, or null when it is optional and absent */
    public double[] getDoubleArray(String name) {
        checkDeclared(name);
        Object v = values.get(name);
        if (v == null) {
            return null;
        }
        List<?> l = (List<?>) v;
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) l.get(i)).doubleValue();
        }
        return out;
    }

    /** @return a copy of a whole-number-list parameter, or null when it is optional and absent */
    public int[] getIntArray(String name) {
        double[] d = getDoubleArray(name);
        if (d == null) {
            return null;
        }
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (int) d[i];
        }
        return out;
    }

    /** @return true when the parameter has a value (given or default) */
    public boolean has(String name) {
        checkDeclared(name);
        return values.containsKey(name);
    }

    /** @return all present values by name, in schema order (Double, Integer, Boolean or List) */
    public Map<String, Object> asMap() {
        return values;
    }

    private Object require(String name) {
        checkDeclared(name);
        Object v = values.get(name);
        if (v == null) {
            throw new LossConfigurationException("Parameter '" + name + "' of loss '" + lossName
                    + "' has no value and no default");
        }
        return v;
    }

    private void checkDeclared(String name) {
        if (schema.spec(name).isEmpty()) {
            throw new IllegalArgumentException("Loss '" + lossName + "' declares no parameter '" + name
                    + "'; declared: " + schema.names());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LossParameters && ((LossParameters) o).lossName.equals(lossName)
                && ((LossParameters) o).values.equals(values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lossName, values);
    }

    @Override
    public String toString() {
        return LossSpecs.format(lossName, values);
    }
}
