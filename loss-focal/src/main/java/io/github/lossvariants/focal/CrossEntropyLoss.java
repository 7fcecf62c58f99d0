package io.github.lossvariants.focal;

import io.github.lossvariants.focal.internal.LegacyJson;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.databind.annotation.JsonDeserialize;

/**
 * The class name under which release 0.1.0 saved {@code ce}, kept so that those models restore.
 * {@code ce} now lives in {@code loss-api} (so that every variant can combine with it):
 * {@link io.github.lossvariants.api.baseline.CrossEntropyLoss}. DL4J's JSON reader resolves a saved
 * {@code "@class": "io.github.lossvariants.focal.CrossEntropyLoss"} to this type, whose deserializer
 * returns an equal {@code io.github.lossvariants.api.baseline.CrossEntropyLoss}. Nothing else uses it.
 *
 * @deprecated since 0.2.0: use {@link io.github.lossvariants.api.baseline.CrossEntropyLoss}
 * @since 0.1.0
 */
@Deprecated
@JsonDeserialize(using = LegacyJson.CrossEntropy.class)
public abstract class CrossEntropyLoss implements ILossFunction {
    private static final long serialVersionUID = 1L;

    private CrossEntropyLoss() {
    }
}
