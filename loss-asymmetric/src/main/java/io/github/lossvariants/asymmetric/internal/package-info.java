/**
 * Providers and kernels of loss-asymmetric. Internal: not for public use; may change without notice.
 */
package io.github.lossvariants.asymmetric.internal;
