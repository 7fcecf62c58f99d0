package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.focal.FocalLoss;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spec strings and model JSON from an untrusted source: the registry builds only registered
 * providers by name and never loads or instantiates a class a spec names.
 */
class UntrustedInputTest {
    /** Set by {@link Trap}'s static initialiser (read here, so that reading it does not initialise Trap). */
    static volatile boolean trapInitialized;
    /** Counts constructions of {@link Trap} and {@link JsonTrap}. */
    static final AtomicInteger CONSTRUCTED = new AtomicInteger();

    /** Named by spec strings: would record any class initialisation or construction. */
    public static final class Trap {
        static {
            trapInitialized = true;
        }

        public Trap() {
            CONSTRUCTED.incrementAndGet();
        }
    }

    /** Named by model JSON: would record any construction. */
    public static final class JsonTrap {
        public JsonTrap() {
            CONSTRUCTED.incrementAndGet();
        }
    }

    private static final String JSON_TRAP = "io.github.lossvariants.it.robust.UntrustedInputTest$JsonTrap";

    @ParameterizedTest
    @ValueSource(strings = {"io.github.lossvariants.it.robust.UntrustedInputTest$Trap",
            "io.github.lossvariants.it.robust.UntrustedInputTest$Trap()",
            "focal + io.github.lossvariants.it.robust.UntrustedInputTest$Trap",
            "focal(gamma=io.github.lossvariants.it.robust.UntrustedInputTest$Trap)",
            "java.lang.Runtime", "org.nd4j.linalg.lossfunctions.impl.LossMSE", "Trap", "focal(@class=x)",
            "{\"@class\":\"io.github.lossvariants.it.robust.UntrustedInputTest$Trap\"}"})
    void specStringsNeverNameClasses(String spec) {
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> LossRegistry.discover().create(spec));
        assertFalse(e.getMessage().isBlank());
        assertFalse(trapInitialized, "the registry initialised a class named by a spec: " + e.getMessage());
        assertEquals(0, CONSTRUCTED.get());
    }

    /**
     * Model JSON is DL4J's format: Jackson resolves "@class" itself, for ILossFunction subtypes only.
     * A class that is not an ILossFunction is never constructed; the registry is not involved.
     */
    @Test
    void modelJsonCannotConstructANonLossClass() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new OutputLayer.Builder(FocalLoss.defaults()).nIn(2).nOut(2).activation(Activation.SIGMOID)
                        .build()).build();
        String json = conf.toJson().replace(FocalLoss.class.getName(), JSON_TRAP);
        assertTrue(json.contains(JSON_TRAP));
        RuntimeException e = assertThrows(RuntimeException.class, () -> MultiLayerConfiguration.fromJson(json));
        assertEquals(0, CONSTRUCTED.get(), "fromJson constructed a non-loss class: " + e);
        assertTrue(String.valueOf(e.getMessage()).contains("JsonTrap") || String.valueOf(e.getCause()).contains("JsonTrap"),
                "DL4J's error does not name the class: " + e);
    }
}
