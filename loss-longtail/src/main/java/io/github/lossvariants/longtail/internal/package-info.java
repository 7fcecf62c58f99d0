/**
 * Providers, parameter specs and the computational kernels the losses of {@code loss-longtail}
 * share. Internal: not for public use; names and signatures may change in any release.
 */
package io.github.lossvariants.longtail.internal;
