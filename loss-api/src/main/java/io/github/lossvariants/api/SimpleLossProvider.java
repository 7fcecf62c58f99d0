package io.github.lossvariants.api;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A provider made of a loss's name, description, schema and constructor, so that registering a
 * loss is one line in its module:
 * <pre>{@code
 * public final class MyLossProvider extends SimpleLossProvider {
 *     public MyLossProvider() { super(MyLoss.NAME, "what it is (paper)", MyLoss.SCHEMA, MyLoss::new); }
 * }
 * }</pre>
 * listed in {@code META-INF/services/io.github.lossvariants.api.LossProvider}. {@link #create}
 * hands the validated values, defaults filled in, to the constructor (the one DL4J's JSON also
 * uses, see {@link io.github.lossvariants.api.dl4j.ParameterizedLoss}).
 *
 * @since 0.2.0
 */
public abstract class SimpleLossProvider implements LossProvider {
    private final String name;
    private final String description;
    private final ParameterSchema schema;
    private final Function<Map<String, Object>, ? extends LossFunction> constructor;

    /**
     * @param name        the registry name
     * @param description one line: what the loss is and its paper
     * @param schema      the loss's parameters
     * @param constructor builds the loss from parameter values by name
     */
    protected SimpleLossProvider(String name, String description, ParameterSchema schema,
                                 Function<Map<String, Object>, ? extends LossFunction> constructor) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.constructor = Objects.requireNonNull(constructor, "constructor");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final ParameterSchema parameters() {
        return schema;
    }

    @Override
    public final LossFunction create(LossParameters parameters) {
        return constructor.apply(parameters.asMap());
    }
}
