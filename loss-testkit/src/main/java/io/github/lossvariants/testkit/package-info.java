/**
 * JUnit 5 checks any DL4J loss can run, this project's and a user's own:
 * {@link io.github.lossvariants.testkit.LossContractTest} (extend it, name the loss and activation),
 * the static checks behind it in {@link io.github.lossvariants.testkit.LossChecks}, and
 * {@link io.github.lossvariants.testkit.ConformanceTests}, which turns reference vectors into tests.
 *
 * @since 0.1.0
 */
package io.github.lossvariants.testkit;
