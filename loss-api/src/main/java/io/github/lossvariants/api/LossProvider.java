package io.github.lossvariants.api;

/**
 * The service-provider interface: one implementation per loss name, listed in
 * {@code META-INF/services/io.github.lossvariants.api.LossProvider}. Providers are stateless and
 * have a public no-arg constructor that does no work; the registry validates parameters against
 * {@link #parameters()} before it calls {@link #create}.
 *
 * <p>Names are lowercase kebab-case ({@code focal}, {@code focal-tversky}) and unique on the class
 * path. The names of this project's losses are reserved for its own packages.
 *
 * @since 0.1.0
 */
public interface LossProvider {

    /** @return the unique registry name, lowercase kebab-case; never null or blank */
    String name();

    /** @return a one-line description: what the loss is and its paper */
    String description();

    /** @return the parameters this loss accepts */
    ParameterSchema parameters();

    /**
     * Builds the loss.
     *
     * @param parameters values already validated against {@link #parameters()}, defaults filled in
     * @return a new immutable loss
     * @throws LossConfigurationException when values are individually valid but inconsistent
     */
    LossFunction create(LossParameters parameters);
}
