/**
 * Calibration-aware losses for DL4J: {@code focal-adaptive} (FLSD-53) and its per-label sigmoid form
 * {@code focal-adaptive-sigmoid}, {@code dual-focal},
 * {@code adafocal} (with {@link io.github.lossvariants.calibration.AdaFocalCalibrator}),
 * {@code label-smoothing}, {@code focal-label-smoothing}, and the auxiliary terms {@code mdca} and
 * {@code mbls} that combine with any registered loss by spec string
 * ({@code focal(gamma=1)+mdca(beta=1)}). Metrics are in {@code .metrics}, post-hoc scaling in
 * {@code .scaling}; see {@code docs/calibration.md}.
 *
 * @since 0.1.0
 */
package io.github.lossvariants.calibration;
