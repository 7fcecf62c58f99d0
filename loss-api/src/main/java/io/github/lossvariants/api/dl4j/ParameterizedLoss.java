package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossParameters;
import io.github.lossvariants.api.ParameterSchema;
import org.nd4j.shade.jackson.annotation.JsonAnyGetter;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

import java.util.HashMap;
import java.util.Map;

/**
 * A loss whose identity is its registry name and its complete, validated parameter set, declared
 * once in a {@link ParameterSchema}. This class derives everything else from that set:
 * <ul>
 *   <li>{@link #registryName()}, {@link #parameters()}, {@link #spec()}, {@code name()} and
 *       {@code toString()};</li>
 *   <li>{@code equals}/{@code hashCode}: same class and equal parameters;</li>
 *   <li>DL4J's JSON (and so {@code ModelSerializer}): every parameter is written as a field of the
 *       loss's JSON object, {@code {"@class": "...FocalLoss", "gamma": 2.0}}; on restore the values
 *       go through the same schema as a spec string: a missing parameter takes its default, an
 *       unknown field or a wrong type is a {@link io.github.lossvariants.api.LossConfigurationException}
 *       naming the loss and the field;</li>
 *   <li>Java serialization (Spark ships configurations that way).</li>
 * </ul>
 *
 * <p>A subclass declares {@code NAME} and {@code SCHEMA} constants and one constructor taking the
 * values by name, annotated for DL4J's shaded Jackson, plus any typed Java constructors it likes:
 * <pre>{@code
 * @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
 * public MyLoss(Map<String, ?> parameters) {
 *     super(NAME, SCHEMA, parameters);
 *     this.margin = parameterValues().getDouble("margin");   // typed copies for the formula
 * }
 * public MyLoss(double margin) { this(ParameterSchema.valuesOf("margin", margin)); }
 * }</pre>
 * Consistency checks across parameters (e.g. a minimum below a maximum) go in that constructor,
 * after {@code super}. Typed fields are a cache of the parameter set, never serialized on their own
 * (field and getter auto-detection is off for DL4J's Jackson).
 *
 * @since 0.2.0
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public abstract class ParameterizedLoss implements LossFunction {
    private static final long serialVersionUID = 1L;

    private final LossParameters parameterValues;

    /**
     * @param name   the registry name
     * @param schema the loss's parameters
     * @param values parameter values by name (Number, Boolean, String, arrays or Lists, as a spec
     *               string, Java code or DL4J's JSON gives them); null or missing values take the
     *               default
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name, a wrong type or
     *                                                              an out-of-range value
     */
    protected ParameterizedLoss(String name, ParameterSchema schema, Map<String, ?> values) {
        this.parameterValues = schema.resolve(name, values == null ? Map.of() : values);
    }

    /** @return the complete, validated parameters (defaults filled in) */
    protected final LossParameters parameterValues() {
        return parameterValues;
    }

    /**
     * @param name  a parameter of this loss
     * @param value its new value (validated), or null for its default
     * @return this loss's parameter values with that one changed, for a copy constructor
     */
    protected final Map<String, Object> parametersWith(String name, Object value) {
        Map<String, Object> change = new HashMap<>();
        change.put(name, value);
        return parameterValues.with(change).asMap();
    }

    @Override
    public final String registryName() {
        return parameterValues.lossName();
    }

    @Override
    public final Map<String, Object> parameters() {
        return parameterValues.asMap();
    }

    /** What DL4J's JSON writes: every parameter with its effective value. */
    @JsonAnyGetter
    private Map<String, Object> jsonFields() {
        return parameterValues.asMap();
    }

    @Override
    public String name() {
        return spec();
    }

    @Override
    public String toString() {
        return spec();
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass()
                && ((ParameterizedLoss) o).parameterValues.equals(parameterValues);
    }

    @Override
    public final int hashCode() {
        return 31 * getClass().getName().hashCode() + parameterValues.hashCode();
    }
}
