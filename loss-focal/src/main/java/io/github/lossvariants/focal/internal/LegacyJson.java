package io.github.lossvariants.focal.internal;

import io.github.lossvariants.api.baseline.BinaryCrossEntropyLoss;
import io.github.lossvariants.api.baseline.CrossEntropyLoss;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.core.JsonParser;
import org.nd4j.shade.jackson.databind.DeserializationContext;
import org.nd4j.shade.jackson.databind.JsonDeserializer;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads the JSON of losses that release 0.1.0 saved under class names of this module and that
 * have moved since: the fields are handed, by name, to the loss's new class. Internal: not for
 * public use.
 */
public final class LegacyJson {
    private LegacyJson() {
    }

    /** The deserializer of a moved loss: the saved fields go to its new constructor. */
    abstract static class Moved extends JsonDeserializer<ILossFunction> {
        private final Function<Map<String, Object>, ILossFunction> constructor;

        Moved(Function<Map<String, Object>, ILossFunction> constructor) {
            this.constructor = constructor;
        }

        @Override
        @SuppressWarnings("unchecked")
        public ILossFunction deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Map<String, Object> fields = ctxt.readValue(p, LinkedHashMap.class);
            return constructor.apply(fields);
        }
    }

    /** {@code io.github.lossvariants.focal.CrossEntropyLoss} of 0.1.0. */
    public static final class CrossEntropy extends Moved {
        /** For Jackson. */
        public CrossEntropy() {
            super(CrossEntropyLoss::new);
        }
    }

    /** {@code io.github.lossvariants.focal.BinaryCrossEntropyLoss} of 0.1.0. */
    public static final class BinaryCrossEntropy extends Moved {
        /** For Jackson. */
        public BinaryCrossEntropy() {
            super(BinaryCrossEntropyLoss::new);
        }
    }
}
