package io.github.lossvariants.it;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.LossRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
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
            "squared-hinge"));

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
            LossFunction loss = registry.create(provider.name());
            assertEquals(provider.name(), loss.registryName());
            assertEquals(loss, registry.create(loss.spec()), loss.spec());
            assertEquals(loss.hashCode(), registry.create(loss.spec()).hashCode(), loss.spec());
            assertFalse(provider.description().isBlank(), provider.name() + " has no description");
            provider.parameters().specs().forEach(s -> assertFalse(s.description().isBlank(),
                    provider.name() + "." + s.name() + " has no description"));
        }
    }
}
