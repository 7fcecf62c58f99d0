/**
 * The contracts of the library: {@link io.github.lossvariants.api.LossFunction} (a DL4J loss that
 * knows its registry name and parameters), the {@link io.github.lossvariants.api.LossProvider} SPI
 * (listed in {@code META-INF/services}; {@link io.github.lossvariants.api.SimpleLossProvider} makes a
 * provider one line), {@link io.github.lossvariants.api.ParameterSchema} (each loss's parameters,
 * declared once), {@link io.github.lossvariants.api.LossRegistry} (losses by name and spec string,
 * plain Java), {@link io.github.lossvariants.api.CompoundLoss} (weighted sums) and
 * {@link io.github.lossvariants.api.LossConfigurationException}.
 *
 * @since 0.1.0
 */
package io.github.lossvariants.api;
