package io.github.lossvariants.api;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossRegistryTest {

    /** A provider outside the project's packages, to test name rules. */
    private static final class NamedProvider implements LossProvider {
        private final String name;

        NamedProvider(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return "named";
        }

        @Override
        public ParameterSchema parameters() {
            return ParameterSchema.empty();
        }

        @Override
        public LossFunction create(LossParameters p) {
            return new ScaledSquaredLoss(1.0);
        }
    }

    private final LossRegistry registry = LossRegistry.of(new ScaledSquaredLoss.Provider(), new FocalLikeProvider());

    @Test
    void createsBySpecAndByMapAndRoundTripsTheSpec() {
        LossFunction bySpec = registry.create("scaled-squared(scale=2.5)");
        LossFunction byMap = registry.create("scaled-squared", Map.of("scale", 2.5));
        assertEquals(bySpec, byMap);
        assertEquals("scaled-squared(scale=2.5)", bySpec.spec());
        assertEquals(bySpec, registry.create(bySpec.spec()));
        assertEquals(new ScaledSquaredLoss(1.0), registry.create("scaled-squared"));
        assertEquals(new ScaledSquaredLoss(1.0), registry.create("scaled-squared()"));
    }

    @Test
    void createFillingGivesEachTermTheValuesItsLossDeclaresAndDoesNotSet() {
        Map<String, Object> fill = Map.of("weights", List.of(1.0, 3.0), "scale", 2.0, "unknownToAll", 7);
        assertEquals(registry.create("focal-like(gamma=1, weights=[1, 3])"),
                registry.createFilling("focal-like(gamma=1)", fill));
        assertEquals(registry.create("focal-like(weights=[5, 5])"), registry.createFilling("focal-like(weights=[5, 5])", fill),
                "a value the spec sets wins");
        LossFunction sum = registry.createFilling("0.5*focal-like + scaled-squared", fill);
        assertEquals(registry.create("0.5*focal-like(weights=[1, 3]) + scaled-squared(scale=2)"), sum);
        assertEquals(registry.create("scaled-squared"), registry.createFilling("scaled-squared", Map.of()));
        LossConfigurationException bad = assertThrows(LossConfigurationException.class,
                () -> registry.createFilling("focal-like", Map.of("weights", List.of(-1.0))));
        assertTrue(bad.getMessage().contains("weights"), bad.getMessage());
        assertThrows(LossConfigurationException.class, () -> registry.createFilling("focall", fill));
    }

    @Test
    void fractionsAndListsAndBooleansAreParsed() {
        LossFunction loss = registry.create("focal-like(gamma=4/3, weights=[0.1, 1, 2e0], flag=true)");
        Map<String, Object> p = loss.parameters();
        assertEquals(4.0 / 3.0, (Double) p.get("gamma"), 1e-15);
        assertEquals(List.of(0.1, 1.0, 2.0), p.get("weights"));
        assertEquals(true, p.get("flag"));
    }

    @Test
    void unknownNameListsAvailableNamesAndTheLikelyTypo() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> registry.create("scaled-squard(scale=1)"));
        assertEquals("Unknown loss 'scaled-squard'. Did you mean 'scaled-squared'? Available: focal-like, scaled-squared.",
                e.getMessage());
    }

    @Test
    void builtInNameNotOnClassPathNamesTheModule() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> registry.create("tversky"));
        assertEquals("Unknown loss 'tversky'. It is provided by loss-tversky, which is not on the class path: add"
                + " io.github.lossvariants:loss-tversky as a dependency. Available: focal-like, scaled-squared.", e.getMessage());
    }

    @Test
    void unknownParameterSuggestsTheClosestOne() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> registry.create("focal-like(gama=2)"));
        assertEquals("Unknown parameter 'gama' for loss 'focal-like'. Did you mean 'gamma'? Allowed: gamma, alpha, weights, flag, mode.",
                e.getMessage());
    }

    @Test
    void outOfRangeValuesNameParameterValueAndRange() {
        LossConfigurationException gamma = assertThrows(LossConfigurationException.class,
                () -> registry.create("focal-like(gamma=-1)"));
        assertEquals("loss 'focal-like': invalid value for parameter gamma=-1. Must be finite and >= 0.", gamma.getMessage());
        LossConfigurationException alpha = assertThrows(LossConfigurationException.class,
                () -> registry.create("focal-like", Map.of("alpha", 1.5)));
        assertEquals("loss 'focal-like': invalid value for parameter alpha=1.5. Must be finite and [0, 1].", alpha.getMessage());
        LossConfigurationException weights = assertThrows(LossConfigurationException.class,
                () -> registry.create("focal-like(weights=[1, 0])"));
        assertEquals("loss 'focal-like': invalid value for parameter weights=[1, 0]: element 1 is 0, every element must be finite and > 0",
                weights.getMessage());
    }

    @Test
    void wrongTypesAreNamed() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> registry.create("focal-like", Map.of("flag", 3)));
        assertEquals("loss 'focal-like': parameter 'flag' must be true or false, got Integer 3", e.getMessage());
        LossConfigurationException s = assertThrows(LossConfigurationException.class,
                () -> registry.create("focal-like", Map.of("gamma", "two")));
        assertEquals("loss 'focal-like': parameter 'gamma' must be a number >= 0, got String \"two\"", s.getMessage());
        LossConfigurationException b = assertThrows(LossConfigurationException.class,
                () -> registry.create("focal-like(gamma=true)"));
        assertEquals("loss 'focal-like': parameter 'gamma' must be a number >= 0, got String \"true\"", b.getMessage());
    }

    @Test
    void nanIsOutOfEveryRange() {
        assertThrows(LossConfigurationException.class, () -> registry.create("focal-like", Map.of("gamma", Double.NaN)));
        assertThrows(LossConfigurationException.class,
                () -> registry.create("focal-like", Map.of("gamma", Double.POSITIVE_INFINITY)));
    }

    @Test
    void duplicateNamesNameBothClasses() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> LossRegistry.of(new NamedProvider("mine"), new NamedProvider("mine")));
        String n = NamedProvider.class.getName();
        assertEquals("Duplicate loss name 'mine' provided by " + n + " and " + n, e.getMessage());
    }

    @Test
    void builtInNamesAreReservedForTheProject() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> LossRegistry.of(new com.example.thirdparty.ThirdPartyProvider("focal")));
        assertTrue(e.getMessage().startsWith("Loss name 'focal' is reserved for loss-focal but is claimed by "), e.getMessage());
    }

    @Test
    void invalidNamesAreRejected() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> LossRegistry.of(new NamedProvider("My Loss")));
        assertTrue(e.getMessage().contains("has an invalid name 'My Loss'"), e.getMessage());
    }

    @Test
    void weightedSumsBecomeCompoundLosses() {
        LossFunction loss = registry.create("0.7*scaled-squared(scale=2) + 0.3 * scaled-squared");
        CompoundLoss c = assertInstanceOf(CompoundLoss.class, loss);
        assertEquals(List.of(new ScaledSquaredLoss(2), new ScaledSquaredLoss(1)), c.getLosses());
        assertEquals("0.7*scaled-squared(scale=2) + 0.3*scaled-squared(scale=1)", c.spec());
        assertEquals(c, registry.create(c.spec()));
        assertInstanceOf(CompoundLoss.class, registry.create("2*scaled-squared"));
        assertEquals(registry.create("scaled-squared*2"), registry.create("2*scaled-squared"));
    }

    @Test
    void describeListsParameters() {
        String d = registry.describe("focal-like");
        assertTrue(d.startsWith("focal-like: focal-like test provider\n"), d);
        assertTrue(d.contains("gamma (a number >= 0, default 2): focusing exponent"), d);
        assertTrue(d.contains("alpha (a number [0, 1], default none): balance"), d);
        assertEquals(List.of("focal-like", "scaled-squared"), List.copyOf(registry.names()));
    }

    @Test
    void discoveryFindsServiceProvidersAndSkipsBrokenOnes() {
        LossRegistry discovered = LossRegistry.discover();
        assertTrue(discovered.names().contains("scaled-squared"), discovered.toString());
        assertEquals(1, discovered.loadFailures().size(), discovered.loadFailures().toString());
        assertTrue(discovered.loadFailures().get(0).contains(BrokenProvider.class.getName()),
                discovered.loadFailures().get(0));
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> discovered.create("broken"));
        assertTrue(e.getMessage().contains("Providers that failed to load: "), e.getMessage());
        assertTrue(e.getMessage().contains("constructor refuses"), e.getMessage());
    }

    @Test
    void aWordWhereANumberBelongsNamesTheParameter() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> registry.create("focal-like(gamma=abc)"));
        assertEquals("loss 'focal-like': parameter 'gamma' must be a number >= 0, got String \"abc\"", e.getMessage());
    }

    @Test
    void choiceParametersTakeOneOfTheirWords() {
        assertEquals("binary", registry.create("focal-like(mode=binary)").parameters().get("mode"));
        assertEquals("focal-like(gamma=2, flag=false, mode=binary)", registry.create("focal-like(mode=binary)").spec());
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> registry.create("focal-like(mode=tertiary)"));
        assertEquals("loss 'focal-like': invalid value for parameter mode=tertiary. Must be one of {multiclass, binary}.",
                e.getMessage());
    }

    @Test
    void aRequiredParameterMustBeGivenAndIsNamedWhenMissing() {
        ParameterSchema schema = ParameterSchema.of(
                ParameterSpec.ofDoubleArray("classCounts", null, "training examples per class").greaterThan(0).required());
        LossRegistry counted = LossRegistry.of(new SimpleLossProvider("counted", "test", schema,
                v -> new FocalLikeProvider.EchoLoss(Map.of())) {
        });
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> counted.create("counted"));
        assertEquals("loss 'counted': parameter 'classCounts' is required (a list of numbers such as [1, 2.5] > 0):"
                + " training examples per class", e.getMessage());
        assertTrue(schema.spec("classCounts").orElseThrow().describe().contains("required"));
        assertTrue(counted.create("counted(classCounts=[10, 2])") instanceof LossFunction);
    }
}
