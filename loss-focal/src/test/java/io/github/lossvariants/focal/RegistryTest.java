package io.github.lossvariants.focal;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.baseline.BinaryCrossEntropyLoss;
import io.github.lossvariants.api.baseline.CrossEntropyLoss;
import io.github.lossvariants.api.internal.BinaryCrossEntropyProvider;
import io.github.lossvariants.api.internal.CrossEntropyProvider;
import io.github.lossvariants.focal.internal.FocalLossProvider;
import io.github.lossvariants.focal.internal.SoftmaxFocalLossProvider;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryTest {
    private static final LossRegistry REGISTRY = LossRegistry.discover();

    @Test
    void discoveryFindsAllFourWithTheirProviders() {
        assertTrue(REGISTRY.names().containsAll(List.of("focal", "softmax-focal", "bce", "ce")), REGISTRY.names().toString());
        assertTrue(REGISTRY.loadFailures().isEmpty(), REGISTRY.loadFailures().toString());
        Map<String, String> classes = REGISTRY.providerClasses();
        assertEquals(FocalLossProvider.class.getName(), classes.get("focal"));
        assertEquals(SoftmaxFocalLossProvider.class.getName(), classes.get("softmax-focal"));
        assertEquals(BinaryCrossEntropyProvider.class.getName(), classes.get("bce"));
        assertEquals(CrossEntropyProvider.class.getName(), classes.get("ce"));
    }

    @Test
    void defaultsMatchTheDocumentedOnes() {
        FocalLoss focal = (FocalLoss) REGISTRY.create("focal");
        assertEquals(FocalLoss.defaults(), focal);
        assertEquals(2.0, focal.getGamma());
        assertNull(focal.getAlpha());
        SoftmaxFocalLoss sf = (SoftmaxFocalLoss) REGISTRY.create("softmax-focal");
        assertEquals(SoftmaxFocalLoss.defaults(), sf);
        assertNull(sf.getClassWeights());
        assertEquals(BinaryCrossEntropyLoss.defaults(), REGISTRY.create("bce"));
        assertEquals(1e-5, ((BinaryCrossEntropyLoss) REGISTRY.create("bce")).getClipEps());
        assertEquals(CrossEntropyLoss.defaults(), REGISTRY.create("ce"));
    }

    @Test
    void retinaNetSettingIsOneSpecAwayAndEveryPathAgrees() {
        LossFunction fromSpec = REGISTRY.create("focal(gamma=2, alpha=0.25)");
        assertEquals(FocalLoss.retinaNet(), fromSpec);
        assertEquals(FocalLoss.builder().gamma(2).alpha(0.25).build(), fromSpec);
        assertEquals(REGISTRY.create("focal", Map.of("gamma", 2, "alpha", 0.25)), fromSpec);
        assertEquals("focal(gamma=2, alpha=0.25)", fromSpec.spec());
        assertEquals("focal(gamma=2)", FocalLoss.defaults().spec());
    }

    @Test
    void specStringsRoundTrip() {
        for (LossFunction loss : List.of(FocalLoss.retinaNet(), new FocalLoss(0.5, null), new FocalLoss(0, 1.0),
                SoftmaxFocalLoss.defaults(), new SoftmaxFocalLoss(1.0, new double[]{0.1, 1, 2, 4}),
                BinaryCrossEntropyLoss.defaults(), new BinaryCrossEntropyLoss(new double[]{1, 2.5}, 0),
                CrossEntropyLoss.defaults(), CrossEntropyLoss.weighted(1, 3))) {
            LossFunction back = REGISTRY.create(loss.spec());
            assertEquals(loss, back, loss.spec());
            assertEquals(loss.hashCode(), back.hashCode(), loss.spec());
            assertEquals(loss.spec(), back.name());
        }
        assertEquals("softmax-focal(gamma=1, classWeights=[0.1, 1, 2, 4])",
                new SoftmaxFocalLoss(1.0, new double[]{0.1, 1, 2, 4}).spec());
        assertEquals("bce(weights=[1, 2.5], clipEps=0)", new BinaryCrossEntropyLoss(new double[]{1, 2.5}, 0).spec());
        assertEquals("ce", CrossEntropyLoss.defaults().spec());
    }

    @Test
    void classWeightsAreCopiedNotShared() {
        double[] w = {1, 2, 3};
        SoftmaxFocalLoss loss = new SoftmaxFocalLoss(2, w);
        w[0] = 99;
        assertArrayEquals(new double[]{1, 2, 3}, loss.getClassWeights());
        loss.getClassWeights()[1] = 99;
        assertArrayEquals(new double[]{1, 2, 3}, loss.getClassWeights());
    }

    @Test
    void describeListsParametersWithDefaultsAndRanges() {
        String d = REGISTRY.describe("focal");
        assertTrue(d.contains("gamma (a number >= 0, default 2)"), d);
        assertTrue(d.contains("alpha (a number [0, 1], default none)"), d);
        assertTrue(d.contains("RetinaNet"), d);
    }
}
