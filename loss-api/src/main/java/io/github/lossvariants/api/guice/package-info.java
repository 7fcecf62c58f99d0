/**
 * An optional Guice adapter: {@link io.github.lossvariants.api.guice.LossModule} binds the
 * {@link io.github.lossvariants.api.LossRegistry} and a multibinder through which an application adds
 * its own providers. Guice is an optional dependency of {@code loss-api}; nothing outside this
 * package uses it.
 *
 * @since 0.1.0
 */
package io.github.lossvariants.api.guice;
