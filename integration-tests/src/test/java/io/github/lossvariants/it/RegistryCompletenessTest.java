package io.github.lossvariants.it;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.ParameterSpec;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With every module on the class path, the registry holds every loss exactly once, and each rebuilds from its spec. */
class RegistryCompletenessTest {
    private static final Set<String> EXPECTED = new TreeSet<>(List.of(
            "focal", "softmax-focal", "bce", "ce",
            "tversky", "focal-tversky", "dice", "generalized-dice", "jaccard", "lovasz", "mcc",
            "asymmetric", "unified-focal",
            "focal-adaptive", "focal-adaptive-sigmoid", "dual-focal", "adafocal", "label-smoothing", "focal-label-smoothing", "mdca", "mbls",
            "class-balanced", "ldam", "balanced-softmax", "poly", "poly-focal", "distribution-balanced", "two-way",
            "squared-hinge"));
    /** Values for the parameters that depend on the user's data and so have no default. */
    private static final Map<String, Object> REQUIRED = Map.of("classCounts", List.of(500, 50, 5), "trainNum", 1000);

    @Test
    void everyLossIsRegisteredOnceAndNothingFailedToLoad() {
        LossRegistry registry = LossRegistry.discover();
        assertEquals(EXPECTED, registry.names());
        assertTrue(registry.loadFailures().isEmpty(), registry.loadFailures().toString());
    }

    @Test
    void everyLossRebuildsFromItsSpecWithItsDefaults() {
        LossRegistry registry = LossRegistry.discover();
        for (LossProvider provider : registry.providers()) {
            Map<String, Object> required = new LinkedHashMap<>();
            provider.parameters().specs().stream().filter(ParameterSpec::isRequired).forEach(spec -> {
                assertTrue(REQUIRED.containsKey(spec.name()), provider.name() + " requires " + spec.name()
                        + ": give this test a value for it");
                required.put(spec.name(), REQUIRED.get(spec.name()));
            });
            LossFunction loss = registry.create(provider.name(), required);
            assertEquals(provider.name(), loss.registryName());
            assertEquals(loss, registry.create(loss.spec()), loss.spec());
            assertEquals(loss.hashCode(), registry.create(loss.spec()).hashCode(), loss.spec());
            assertFalse(provider.description().isBlank(), provider.name() + " has no description");
            provider.parameters().specs().forEach(s -> assertFalse(s.description().isBlank(),
                    provider.name() + "." + s.name() + " has no description"));
        }
    }
}
