/** Providers and parameter schemas of {@code loss-focal}. Internal: not for public use. */
package io.github.lossvariants.focal.internal;
