/**
 * Post-hoc calibration: temperature scaling (multi-class) and per-label Platt scaling
 * (binary / multi-label), and a wrapper applying either to a network's outputs.
 *
 * @since 0.1.0
 */
package io.github.lossvariants.calibration.scaling;
