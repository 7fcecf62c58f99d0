/**
 * Conformance against reference vectors: {@link io.github.lossvariants.conformance.ConformanceCase}
 * reads one case in the format of the shared conformance folder (torchvision, MONAI and the papers'
 * code, with gradients), {@link io.github.lossvariants.conformance.ConformanceRunner} runs the
 * registered losses against a folder of them in double and float and returns a
 * {@link io.github.lossvariants.conformance.ConformanceReport}. No test framework: {@code loss-testkit}
 * turns the cases into JUnit tests, the app's {@code conformance} command prints the report.
 *
 * @since 0.2.0
 */
package io.github.lossvariants.conformance;
