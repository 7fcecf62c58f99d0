package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.ScaledSquaredLoss;
import io.github.lossvariants.api.baseline.BinaryCrossEntropyLoss;
import io.github.lossvariants.api.baseline.CrossEntropyLoss;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every loss gets from its parameter schema: identity, JSON, Java serialization. */
class ParameterizedLossTest {
    private static final ObjectMapper JSON = NeuralNetConfiguration.mapper();

    private static ILossFunction fromJson(String json) throws Exception {
        return JSON.readValue(json, ILossFunction.class);
    }

    private static String toJson(ILossFunction loss) throws Exception {
        return JSON.writerFor(ILossFunction.class).writeValueAsString(loss);
    }

    @Test
    void jsonHoldsEveryParameterAsAFieldAndNothingElse() throws Exception {
        String json = toJson(new BinaryCrossEntropyLoss(new double[]{1, 2}, 0.001));
        assertEquals("{\"@class\":\"io.github.lossvariants.api.baseline.BinaryCrossEntropyLoss\","
                + "\"weights\":[1.0,2.0],\"clipEps\":0.001}", json.replaceAll("\\s", ""));
        assertEquals(new BinaryCrossEntropyLoss(new double[]{1, 2}, 0.001), fromJson(json));
    }

    @Test
    void aMissingParameterRestoresAsItsDefault() throws Exception {
        ILossFunction restored = fromJson("{\"@class\":\"io.github.lossvariants.api.ScaledSquaredLoss\"}");
        assertEquals(new ScaledSquaredLoss(1.0), restored);
        ILossFunction bce = fromJson("{\"@class\":\"io.github.lossvariants.api.baseline.BinaryCrossEntropyLoss\","
                + "\"weights\":null}");
        assertEquals(BinaryCrossEntropyLoss.defaults(), bce);
    }

    @Test
    void anUnknownFieldNamesTheLossAndTheField() {
        Exception e = assertThrows(Exception.class,
                () -> fromJson("{\"@class\":\"io.github.lossvariants.api.ScaledSquaredLoss\",\"scael\":2}"));
        LossConfigurationException cause = rootCause(e);
        assertEquals("Unknown parameter 'scael' for loss 'scaled-squared'. Did you mean 'scale'? Allowed: scale.",
                cause.getMessage());
    }

    @Test
    void aWrongTypeNamesTheParameter() {
        Exception e = assertThrows(Exception.class,
                () -> fromJson("{\"@class\":\"io.github.lossvariants.api.ScaledSquaredLoss\",\"scale\":\"abc\"}"));
        assertEquals("loss 'scaled-squared': parameter 'scale' must be a number > 0, got String \"abc\"",
                rootCause(e).getMessage());
    }

    @Test
    void anOutOfRangeValueIsRejectedAsFromASpecString() {
        Exception e = assertThrows(Exception.class,
                () -> fromJson("{\"@class\":\"io.github.lossvariants.api.ScaledSquaredLoss\",\"scale\":-1}"));
        assertEquals("loss 'scaled-squared': invalid value for parameter scale=-1. Must be finite and > 0.",
                rootCause(e).getMessage());
    }

    @Test
    void equalityIsClassAndParameters() {
        assertEquals(new ScaledSquaredLoss(2), new ScaledSquaredLoss(Map.of("scale", 2)));
        assertEquals(new ScaledSquaredLoss(2).hashCode(), new ScaledSquaredLoss(Map.of("scale", 2.0)).hashCode());
        assertNotEquals(new ScaledSquaredLoss(2), new ScaledSquaredLoss(3));
        assertEquals("scaled-squared(scale=2)", new ScaledSquaredLoss(2).toString());
        assertEquals(new CrossEntropyLoss(new double[]{1, 2}), new CrossEntropyLoss(Map.of("weights", List.of(1, 2))));
    }

    @Test
    void javaSerializationRoundTrips() throws Exception {
        for (ILossFunction loss : List.of(new ScaledSquaredLoss(2.5), new BinaryCrossEntropyLoss(new double[]{1, 2}, 0),
                CrossEntropyLoss.weighted(0.5, 2))) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(loss);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                assertEquals(loss, in.readObject());
            }
        }
    }

    private static LossConfigurationException rootCause(Throwable e) {
        Throwable t = e;
        while (t != null && !(t instanceof LossConfigurationException)) {
            t = t.getCause();
        }
        assertTrue(t instanceof LossConfigurationException, "no LossConfigurationException in the causes of " + e);
        return (LossConfigurationException) t;
    }
}
