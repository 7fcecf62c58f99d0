/**
 * Helpers shared by this project's loss modules (input checks, the scratch workspace, stable
 * softmax, the Tversky index, the spec parser, the baseline providers). Internal: not for public
 * use, may change without notice.
 */
package io.github.lossvariants.api.internal;
