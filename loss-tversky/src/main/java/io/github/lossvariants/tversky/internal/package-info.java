/** Providers and shared parameter declarations of {@code loss-tversky}. Internal: not for public use. */
package io.github.lossvariants.tversky.internal;
