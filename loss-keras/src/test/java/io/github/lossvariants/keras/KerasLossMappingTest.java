package io.github.lossvariants.keras;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.keras.internal.KerasLossMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Keras-to-ours mapping by itself: names and their defaults (Keras's documented defaults:
 * BinaryFocalCrossentropy gamma 2 with alpha 0.25 only under apply_class_balancing, from_logits
 * False; CategoricalFocalCrossentropy alpha 0.25 on every class, gamma 2; TF-Addons
 * SigmoidFocalCrossEntropy alpha 0.25, gamma 2, reduction NONE; Dice; Tversky alpha = beta = 0.5),
 * each setting's translation, and a clear error naming the setting for everything without a
 * counterpart.
 */
class KerasLossMappingTest {
    private static final LossRegistry REGISTRY = LossRegistry.discover();

    private static KerasOutputLoss loss(String name, String spec, boolean exclusive, boolean logits, double smoothing,
                                        boolean mean, boolean pooled, boolean sum) {
        return new KerasOutputLoss(name, REGISTRY.create(spec), exclusive, logits, smoothing, mean, pooled, sum);
    }

    private static Map<String, Object> config(Object... keyValues) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static Map<String, Object> object(String className, Map<String, Object> config) {
        return Map.of("class_name", className, "config", config);
    }

    @Test
    void stringFormsGetKerasDefaults() {
        assertEquals(loss("binary_focal_crossentropy", "focal(gamma=2)", false, false, 0, true, false, false),
                KerasLosses.fromKeras("binary_focal_crossentropy"));
        assertEquals(loss("categorical_focal_crossentropy", "0.25*softmax-focal(gamma=2)", true, false, 0, false, false,
                false), KerasLosses.fromKeras("categorical_focal_crossentropy"));
        assertEquals(loss("sigmoid_focal_crossentropy", "focal(gamma=2, alpha=0.25)", false, false, 0, false, false,
                false), KerasLosses.fromKeras("Addons>sigmoid_focal_crossentropy"));
        assertEquals(loss("dice", "dice(smooth=5e-8, batch=true)", false, false, 0, false, true, false),
                KerasLosses.fromKeras("dice"));
        assertEquals(loss("tversky", "tversky(alpha=0.5, beta=0.5, smooth=1e-7, batch=true)", false, false, 0, false,
                true, false), KerasLosses.fromKeras("tversky"));
        // class names as strings: Keras resolves them to an instance with the class's defaults
        assertEquals(loss("SigmoidFocalCrossEntropy", "focal(gamma=2, alpha=0.25)", false, false, 0, false, false, true),
                KerasLosses.fromKeras("Addons>SigmoidFocalCrossEntropy"));
        assertEquals(loss("BinaryFocalCrossentropy", "focal(gamma=2)", false, false, 0, true, false, false),
                KerasLosses.fromKeras("BinaryFocalCrossentropy"));
    }

    @Test
    void objectFormsMapEverySetting() {
        assertEquals(loss("BinaryFocalCrossentropy", "focal(gamma=4, alpha=0.1)", false, true, 0.2, true, false, true),
                KerasLosses.fromKeras(object("BinaryFocalCrossentropy", config("apply_class_balancing", true, "alpha", 0.1,
                        "gamma", 4, "from_logits", true, "label_smoothing", 0.2, "axis", -1, "reduction", "sum",
                        "name", "whatever"))));
        // alpha without apply_class_balancing is ignored by Keras, and so here
        assertEquals(loss("BinaryFocalCrossentropy", "focal(gamma=2)", false, false, 0, true, false, false),
                KerasLosses.fromKeras(object("BinaryFocalCrossentropy", config("apply_class_balancing", false, "alpha",
                        0.9))));
        assertEquals(loss("CategoricalFocalCrossentropy", "softmax-focal(gamma=1, classWeights=[1, 2])", true, false, 0,
                false, false, false), KerasLosses.fromKeras(object("CategoricalFocalCrossentropy", config("alpha",
                List.of(1, 2), "gamma", 1.0))));
        assertEquals(loss("CategoricalFocalCrossentropy", "softmax-focal(gamma=0)", true, true, 0, false, false, false),
                KerasLosses.fromKeras(object("CategoricalFocalCrossentropy", config("alpha", 1.0, "gamma", 0,
                        "from_logits", true))));
        // TF-Addons: alpha None or 0 means no balancing ("if alpha:")
        assertEquals(loss("SigmoidFocalCrossEntropy", "focal(gamma=2)", false, false, 0, false, false, true),
                KerasLosses.fromKeras(object("Addons>SigmoidFocalCrossEntropy", config("alpha", null))));
        assertEquals(loss("SigmoidFocalCrossEntropy", "focal(gamma=2)", false, true, 0, false, false, false),
                KerasLosses.fromKeras(object("Addons>SigmoidFocalCrossEntropy", config("alpha", 0.0, "from_logits", true,
                        "reduction", "auto"))));
        // Keras's Tversky alpha multiplies sum((1 - p) y), our FN weight beta
        assertEquals(loss("Tversky", "tversky(alpha=0.9, beta=0.1, smooth=1e-7, batch=true)", false, false, 0, false, true,
                false), KerasLosses.fromKeras(object("Tversky", config("alpha", 0.1, "beta", 0.9, "axis", null,
                "reduction", "sum_over_batch_size", "dtype", null))));
    }

    static Stream<Arguments> unsupported() {
        return Stream.of(
                Arguments.of(object("BinaryFocalCrossentropy", config("axis", 1)), "axis=1"),
                Arguments.of(object("BinaryFocalCrossentropy", config("label_smoothing", 1.5)), "label_smoothing=1.5"),
                Arguments.of(object("BinaryFocalCrossentropy", config("gamma", -1)), "gamma"),
                Arguments.of(object("BinaryFocalCrossentropy", config("apply_class_balancing", true, "alpha", 1.5)), "alpha"),
                Arguments.of(object("BinaryFocalCrossentropy", config("from_logits", "yes")), "from_logits=yes"),
                Arguments.of(object("BinaryFocalCrossentropy", config("focal_weight", 2)), "focal_weight"),
                Arguments.of(object("BinaryFocalCrossentropy", config("reduction", "weighted_mean")), "reduction=weighted_mean"),
                Arguments.of(object("CategoricalFocalCrossentropy", config("alpha", 0.0)), "alpha=0.0"),
                Arguments.of(object("CategoricalFocalCrossentropy", config("alpha", List.of(0.5, -1))), "classWeights"),
                Arguments.of(object("Addons>SigmoidFocalCrossEntropy", config("gamma", -0.5)), "gamma=-0.5"),
                Arguments.of(object("Addons>SigmoidFocalCrossEntropy", config("label_smoothing", 0.1)), "label_smoothing"),
                Arguments.of(object("Dice", config("axis", List.of(1, 2))), "axis=[1, 2]"),
                Arguments.of(object("Tversky", config("alpha", -0.2)), "beta"),
                Arguments.of(object("Addons>Dice", config()), "Addons>Dice"),
                Arguments.of(object("BinaryCrossentropy", config()), "BinaryCrossentropy"),
                Arguments.of(List.of("dice"), "a name or"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("unsupported")
    void settingsWithoutACounterpartAreClearErrorsNamingThem(Object kerasLoss, String named) {
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> KerasLosses.fromKeras(kerasLoss));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    @Test
    void theNamesDl4jLooksUpAreKerasAndTfAddonsNamesLowercased() {
        Set<String> names = KerasLossMapper.dl4jLookupNames();
        assertEquals(Set.of("binary_focal_crossentropy", "binaryfocalcrossentropy", "categorical_focal_crossentropy",
                "categoricalfocalcrossentropy", "sigmoid_focal_crossentropy", "sigmoidfocalcrossentropy",
                "addons>sigmoid_focal_crossentropy", "addons>sigmoidfocalcrossentropy", "dice", "tversky"), names);
        for (String n : names) {
            assertEquals(n.toLowerCase(java.util.Locale.ROOT), n);
        }
        Map<String, ?> defaults = KerasLosses.defaults();
        assertEquals(names, defaults.keySet());
        // class-name keys carry the class's defaults: TF-Addons's class reduces with NONE (a sum in fit)
        assertTrue(((KerasOutputLoss) defaults.get("sigmoidfocalcrossentropy")).isSumOverBatch());
        assertFalse(((KerasOutputLoss) defaults.get("sigmoid_focal_crossentropy")).isSumOverBatch());
    }
}
