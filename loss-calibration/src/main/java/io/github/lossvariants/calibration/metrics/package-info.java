/**
 * Calibration metrics on DL4J outputs (ECE, MCE, adaptive ECE, classwise ECE, Brier, NLL,
 * reliability diagrams, multi-label and segmentation ECE) and the binning they share with AdaFocal.
 *
 * @since 0.1.0
 */
package io.github.lossvariants.calibration.metrics;
