package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import org.nd4j.linalg.activations.Activation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * One registered loss as the robustness tests drive it: its provider (the parameter schema) and its
 * {@link LossSettings} entry. {@link #all()} covers every registered loss and fails, naming them,
 * when some have no entry.
 */
final class LossUnderTest {
    /** Only these losses when {@code -Drobust.losses=a,b} is given (for iterating on one loss). */
    static final Set<String> ONLY = System.getProperty("robust.losses", "").isBlank() ? Set.of()
            : Set.of(System.getProperty("robust.losses").split(","));

    final LossProvider provider;
    final String name;
    final LossSettings settings;
    final List<Activation> activations;
    final boolean projectLoss;

    private LossUnderTest(LossProvider provider, LossSettings settings, boolean projectLoss) {
        this.provider = provider;
        this.name = provider.name();
        this.settings = settings;
        this.activations = settings.activations();
        this.projectLoss = projectLoss;
    }

    /** @return a width the loss accepts with this activation, at most {@code max} */
    int width(Activation a, Random rng, int max) {
        return settings.width(a, rng, max);
    }

    /** @return 3, or the width closest below it that the activation allows */
    int defaultWidth(Activation a) {
        return settings.defaultWidth(a);
    }

    /**
     * The loss with its defaults, the required parameters for {@code nOut} outputs and what the
     * activation needs (e.g. {@code class-balanced(baseLoss=softmax)} under SOFTMAX); a region loss
     * with one row per example.
     */
    LossFunction defaults(LossRegistry registry, Activation a, int nOut) {
        return registry.create(name, Generators.minimalParameters(provider, settings, a, nOut));
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * @return every registered loss (or those of {@code -Drobust.losses})
     * @throws AssertionError naming every registered loss without a {@link LossSettings} entry
     */
    static List<LossUnderTest> all() {
        LossRegistry registry = LossRegistry.discover();
        Set<String> missing = new TreeSet<>();
        List<LossUnderTest> out = new ArrayList<>();
        for (LossProvider p : registry.providers()) {
            LossSettings s = LossSettings.of(p.name());
            if (s == null) {
                missing.add(p.name());
                continue;
            }
            if (!ONLY.isEmpty() && !ONLY.contains(p.name())) {
                continue;
            }
            LossFunction probe = registry.create(p.name(), Generators.minimalParameters(p, s, s.activations().get(0),
                    s.defaultWidth(s.activations().get(0))));
            if (s.regionLoss != probe instanceof RowGroupedLoss) {
                throw new AssertionError(p.name() + ": its LossSettings entry says regionLoss=" + s.regionLoss
                        + " but the loss is " + (probe instanceof RowGroupedLoss ? "" : "not ") + "a RowGroupedLoss");
            }
            out.add(new LossUnderTest(p, s, probe.getClass().getName().startsWith("io.github.lossvariants.")));
        }
        if (!missing.isEmpty()) {
            throw new AssertionError("Registered losses without an entry in LossSettings (the robustness suite cannot"
                    + " generate cases for them; add one entry each): " + missing);
        }
        return Collections.unmodifiableList(out);
    }
}
