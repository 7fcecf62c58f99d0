/**
 * Providers and kernels of loss-calibration. Internal package, not for public use.
 */
package io.github.lossvariants.calibration.internal;
