/** Keras model import with this project's losses. */
package io.github.lossvariants.keras;
