package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The {@link LossSettings} table is complete (one entry per registered loss, none for a loss that is
 * not registered) and true: what an entry declares -- activations and widths, soft labels, how
 * labels-shaped masks are taken, fractional mask values -- is what the loss accepts, and what it
 * does not declare is rejected with a {@link LossConfigurationException}. So the generators draw
 * everything a loss accepts and nothing it rejects.
 */
class LossSettingsTest {
    private static final LossRegistry REGISTRY = LossRegistry.discover();
    /** Random parameter draws per loss and declared activation. */
    private static final int DRAWS = 8;
    private static final List<Activation> ACTIVATIONS = List.of(Activation.SIGMOID, Activation.SOFTMAX,
            Activation.IDENTITY, Activation.TANH, Activation.RELU);

    @Test
    void everyRegisteredLossHasAnEntryAndEveryEntryIsRegistered() {
        Set<String> missing = new TreeSet<>(REGISTRY.names());
        missing.removeAll(LossSettings.names());
        Set<String> stale = new TreeSet<>(LossSettings.names());
        stale.removeAll(REGISTRY.names());
        assertTrue(missing.isEmpty(), "Registered losses without an entry in LossSettings (add one each): " + missing);
        assertTrue(stale.isEmpty(), "LossSettings entries for losses that are not registered: " + stale);
    }

    @TestFactory
    Stream<DynamicTest> everyEntryDeclaresWhatTheLossAccepts() {
        return LossUnderTest.all().stream().map(l -> DynamicTest.dynamicTest(l.name, () -> {
            LossSettings s = l.settings;
            for (Activation a : s.activations()) {
                for (int i = 0; i < DRAWS; i++) {
                    Random rng = Generators.rng(l.name, "settings-" + a, i);
                    int w = s.widths.get(a)[i % s.widths.get(a).length];
                    Generators.Drawn d = Generators.drawLoss(REGISTRY, l, a, w, rng);
                    String where = l.name + " " + Generators.describe(d.parameters) + " with " + a + ", width " + w;
                    LossFunction loss = d.loss;
                    INDArray hard = hardLabels(a, w);
                    INDArray z = Nd4j.linspace(-2, 3, 4L * w, DataType.DOUBLE).reshape('c', 4, w);
                    accepted(where + ", hard labels", loss, hard, z, a, null);
                    INDArray soft = softLabels(w);
                    if (s.softLabels) {
                        accepted(where + ", soft labels (declared)", loss, soft, z, a, null);
                    } else {
                        rejected(where + ", soft labels (not declared)", loss, soft, z, a, null);
                    }
                    INDArray fractional = Nd4j.createFromArray(new double[][]{{0.5}, {2.5}, {1}, {0}});
                    if (s.fractionalMasks) {
                        accepted(where + ", fractional per-row mask (declared)", loss, hard, z, a, fractional);
                    } else {
                        rejected(where + ", fractional per-row mask (not declared)", loss, hard, z, a, fractional);
                    }
                    accepted(where + ", 0/1 per-row mask", loss, hard, z, a,
                            Nd4j.createFromArray(new double[][]{{1}, {0}, {1}, {1}}));
                    INDArray rowConstant = Nd4j.ones(DataType.DOUBLE, 4, w);
                    rowConstant.getRow(1).assign(0);
                    accepted(where + ", row-constant per-output mask", loss, hard, z, a, rowConstant);
                    if (w > 1) {
                        INDArray partial = Nd4j.ones(DataType.DOUBLE, 4, w);
                        partial.putScalar(3, w - 1, 0);
                        if (s.perOutputMask(a) == LossSettings.PerOutputMask.ANY) {
                            accepted(where + ", per-output mask differing within a row (declared ANY)", loss, hard, z, a,
                                    partial);
                        } else {
                            rejected(where + ", per-output mask differing within a row (declared ROW_CONSTANT)", loss,
                                    hard, z, a, partial);
                        }
                    }
                    for (Activation other : ACTIVATIONS) {
                        if (!s.activations().contains(other)) {
                            rejected(where + ", activation " + other + " (not declared)", loss, hard, z, other, null);
                        }
                    }
                }
            }
        }));
    }

    private static INDArray hardLabels(Activation a, int w) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 4, w);
        for (int r = 0; r < 4; r++) {
            y.putScalar(r, r % w, 1.0);
            if (a != Activation.SOFTMAX && w > 1 && r % 2 == 1) {
                y.putScalar(r, (r + 1) % w, 1.0);
            }
        }
        return y;
    }

    private static INDArray softLabels(int w) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 4, w);
        for (int r = 0; r < 4; r++) {
            if (w == 1) {
                y.putScalar(r, 0, 0.3 + 0.1 * r);
            } else {
                y.putScalar(r, r % w, 0.7);
                y.putScalar(r, (r + 1) % w, 0.3);
            }
        }
        return y;
    }

    private static void accepted(String where, LossFunction loss, INDArray y, INDArray z, Activation a, INDArray mask) {
        try {
            loss.computeGradientAndScore(y, z, a.getActivationFunction(), mask, false);
        } catch (LossConfigurationException e) {
            fail(where + ": rejected, but the LossSettings entry says it is accepted: " + e.getMessage());
        }
    }

    private static void rejected(String where, LossFunction loss, INDArray y, INDArray z, Activation a, INDArray mask) {
        try {
            loss.computeGradientAndScore(y, z, a.getActivationFunction(), mask, false);
        } catch (LossConfigurationException e) {
            return;
        }
        fail(where + ": accepted, but the LossSettings entry says it is rejected (the generators would never draw it)");
    }
}
