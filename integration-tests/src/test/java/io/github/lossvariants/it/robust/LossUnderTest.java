package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * What the generic robustness tests need to know about one registered loss, found by probing its
 * default instance rather than by a hand-written list, so that every current and future provider is
 * covered: which output activations it accepts (a loss that rejects SIGMOID with a
 * {@link LossConfigurationException} is a softmax loss, and vice versa), whether it accepts
 * labels-shaped (per-output) masks, whether it accepts soft labels, whether it groups rows into
 * examples ({@link RowGroupedLoss}).
 */
final class LossUnderTest {
    /**
     * Losses whose Javadoc allows a negative score: {@code poly-focal} (with alpha and epsilon &lt; 0 a
     * well-classified element scores slightly below 0, as in the paper). Every other loss of this
     * project is a (weighted) cross-entropy, focal or region term, or a calibration penalty that is a
     * mean of absolute values, all >= 0. Add a loss here only when its Javadoc says it can be negative.
     */
    static final Set<String> MAY_BE_NEGATIVE = Set.of("poly-focal");

    /**
     * Losses whose Javadoc asks for an IDENTITY output activation (defined on the raw logits):
     * {@code two-way} (it also accepts SIGMOID). The "identity output layer" mistake does not apply.
     */
    static final Set<String> DEFINED_ON_IDENTITY = Set.of("two-way");

    /**
     * Losses whose documented gradient is not the derivative of their score where a parameter clips
     * the probabilities: {@code bce} returns DL4J's LossBinaryXENT gradient, which uses the clipped
     * probability in dL/dp but the unclipped sigmoid derivative (see its Javadoc). Finite
     * differences are checked for them only where clipping is inactive: |z| below
     * log((1 - clipEps)/clipEps).
     */
    static final Set<String> STRAIGHT_THROUGH_CLIP = Set.of("bce");

    /**
     * Losses whose Javadoc requires a per-output mask to be constant within a row (a softmax loss
     * whose row term couples two classes): {@code dual-focal}. Their per-output masks are drawn
     * row-constant. Not enforced by the loss (its kernel does not see the mask); see RELIABILITY.md.
     */
    static final Set<String> ROW_CONSTANT_PER_OUTPUT_MASK = Set.of("dual-focal");

    /**
     * Boolean parameters that, when true, make a loss return a documented surrogate gradient rather
     * than the derivative of its score: {@code asymmetric}'s {@code detachFocusingWeight} (ASL's
     * reference treats the focusing weight as a constant in backprop). Finite differences are
     * checked with the parameter false; the other properties with both values.
     */
    static final java.util.Map<String, String> SURROGATE_GRADIENT_FLAG = java.util.Map.of("asymmetric",
            "detachFocusingWeight");

    /** Only these losses when {@code -Drobust.losses=a,b} is given (for iterating on one loss). */
    static final Set<String> ONLY = System.getProperty("robust.losses", "").isBlank() ? Set.of()
            : Set.of(System.getProperty("robust.losses").split(","));

    final LossProvider provider;
    final String name;
    final LossFunction defaults;
    final List<Activation> activations;
    final boolean perOutputMask;
    final boolean softLabels;
    final boolean rowGrouped;
    final boolean projectLoss;
    /** Output widths accepted per activation: null for any width from 2 (and 1 if accepted) up. */
    final java.util.Map<Activation, List<Integer>> fixedWidths;
    /** Per activation, the default instance or the first choice variant that accepts it. */
    private final java.util.Map<Activation, LossFunction> instances;

    private LossUnderTest(LossProvider provider, LossFunction defaults, List<Activation> activations,
                          boolean perOutputMask, boolean softLabels, java.util.Map<Activation, List<Integer>> fixedWidths,
                          java.util.Map<Activation, LossFunction> instances) {
        this.fixedWidths = fixedWidths;
        this.instances = instances;
        this.provider = provider;
        this.name = provider.name();
        this.defaults = defaults;
        this.activations = activations;
        this.perOutputMask = perOutputMask;
        this.softLabels = softLabels;
        this.rowGrouped = defaults instanceof RowGroupedLoss;
        this.projectLoss = defaults.getClass().getName().startsWith("io.github.lossvariants.");
    }

    /**
     * @return a random output width the loss accepts with this activation: 1..max for sigmoid-only
     * dense losses, 2..max otherwise, or one of the fixed widths a loss requires (e.g. unified-focal:
     * 2 channels with softmax, 1 with sigmoid)
     */
    int width(Activation a, java.util.Random rng, int max) {
        List<Integer> fixed = fixedWidths.get(a);
        if (fixed != null) {
            return fixed.get(rng.nextInt(fixed.size()));
        }
        int min = !activations.contains(Activation.SOFTMAX) && !rowGrouped ? 1 : 2;
        return min + rng.nextInt(max - min + 1);
    }

    /** @return 3, or the loss's first fixed width for this activation */
    int defaultWidth(Activation a) {
        List<Integer> fixed = fixedWidths.get(a);
        return fixed == null || fixed.contains(3) ? 3 : fixed.get(0);
    }

    /**
     * @return the loss with default parameters, or, when the defaults reject this activation, with
     * the choice that accepts it (e.g. {@code lovasz(mode=binary)} for SIGMOID)
     */
    LossFunction instance(Activation a) {
        return instances.getOrDefault(a, defaults);
    }

    boolean nonNegative() {
        return !MAY_BE_NEGATIVE.contains(name);
    }

    @Override
    public String toString() {
        return name;
    }

    /** @return every registered loss, probed */
    static List<LossUnderTest> all() {
        LossRegistry registry = LossRegistry.discover();
        List<LossUnderTest> out = new ArrayList<>();
        for (LossProvider p : registry.providers()) {
            if (!ONLY.isEmpty() && !ONLY.contains(p.name())) {
                continue;
            }
            LossFunction defaults = withRequiredParameters(registry, p);
            out.add(probe(p, defaults, variants(registry, p, defaults)));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The loss with its defaults and values for the parameters it requires (no default, e.g. the
     * class counts of the long-tail losses), drawn from the schema with fixed seeds and redrawn (up
     * to 50 times) when the provider rejects a combination (schemas cannot express constraints
     * between parameters); lists get {@value #REQUIRED_WIDTH} elements, so such a loss is probed (and
     * then tested) at that output width.
     */
    static LossFunction withRequiredParameters(LossRegistry registry, LossProvider provider) {
        io.github.lossvariants.api.LossConfigurationException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            java.util.Map<String, Object> values = new java.util.LinkedHashMap<>();
            java.util.Random rng = Generators.rng(provider.name(), "required", attempt);
            for (io.github.lossvariants.api.ParameterSpec s : provider.parameters().specs()) {
                if (s.isRequired()) {
                    values.put(s.name(), Generators.value(s, REQUIRED_WIDTH, rng));
                }
            }
            try {
                return registry.create(provider.name(), values);
            } catch (io.github.lossvariants.api.LossConfigurationException e) {
                last = e;
            }
        }
        throw new AssertionError(provider.name() + ": 50 draws of its required parameters were all rejected; last: "
                + last.getMessage(), last);
    }

    /** Output width of the default instance of a loss with required list parameters. */
    static final int REQUIRED_WIDTH = 3;

    /**
     * The loss with each value of each of its choice parameters (e.g. {@code lovasz(mode=binary)}),
     * which may accept other activations than the defaults.
     */
    private static List<LossFunction> variants(LossRegistry registry, LossProvider provider, LossFunction defaults) {
        List<LossFunction> out = new ArrayList<>();
        for (io.github.lossvariants.api.ParameterSpec s : provider.parameters().specs()) {
            for (String choice : s.choices()) {
                java.util.Map<String, Object> values = new java.util.LinkedHashMap<>(defaults.parameters());
                values.put(s.name(), choice);
                try {
                    out.add(registry.create(provider.name(), values));
                } catch (LossConfigurationException e) {
                    // a choice that needs other parameters: not probed
                }
            }
        }
        return out;
    }

    static LossUnderTest probe(LossProvider provider, LossFunction loss) {
        return probe(provider, loss, List.of());
    }

    /**
     * @param variants more instances of the loss (other choices); an activation counts when the
     *                 default or a variant accepts it, and the mask and label probes use the first
     *                 of them that accepts the first activation found
     */
    static LossUnderTest probe(LossProvider provider, LossFunction defaults, List<LossFunction> variants) {
        List<LossFunction> candidates = new ArrayList<>();
        candidates.add(defaults);
        candidates.addAll(variants);
        List<Activation> acts = new ArrayList<>();
        java.util.Map<Activation, List<Integer>> fixed = new java.util.HashMap<>();
        for (Activation a : new Activation[]{Activation.SIGMOID, Activation.SOFTMAX}) {
            List<Integer> widths = new ArrayList<>();
            for (int w = 1; w <= 4; w++) {
                for (LossFunction candidate : candidates) {
                    if (accepts(candidate, oneHot(w), logits(w), a, null)) {
                        widths.add(w);
                        break;
                    }
                }
            }
            if (widths.isEmpty()) {
                continue;
            }
            acts.add(a);
            if (!(widths.contains(3) && widths.contains(4))) {
                fixed.put(a, List.copyOf(widths));
            }
        }
        if (acts.isEmpty()) {
            throw new AssertionError(provider.name() + ": accepts neither SIGMOID nor SOFTMAX on one-hot labels "
                    + "of width 1 to 4 and default parameters; the robustness tests cannot drive it");
        }
        java.util.Map<Activation, LossFunction> instances = new java.util.HashMap<>();
        for (Activation act : acts) {
            int width = fixed.containsKey(act) ? fixed.get(act).get(fixed.get(act).size() - 1) : 3;
            instances.put(act, candidates.stream().filter(c -> acceptsActivation(c, act, width)).findFirst()
                    .orElse(defaults));
        }
        Activation a = acts.get(0);
        int w = fixed.containsKey(a) ? fixed.get(a).get(fixed.get(a).size() - 1) : 3;
        LossFunction loss = instances.get(a);
        boolean perOutput = accepts(loss, oneHot(w), logits(w), a, Nd4j.ones(DataType.DOUBLE, 2, w));
        INDArray soft = Nd4j.createFromArray(new double[][]{{0.6, 0.3, 0.1, 0.0}, {0.2, 0.5, 0.1, 0.2}})
                .get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, w)).dup();
        if (w == 1) {
            soft = Nd4j.createFromArray(new double[][]{{0.6}, {0.2}});
        }
        boolean softLabels = accepts(loss, soft, logits(w), a, null);
        return new LossUnderTest(provider, defaults, List.copyOf(acts), perOutput, softLabels, fixed, instances);
    }

    private static INDArray oneHot(int w) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 2, w);
        y.putScalar(0, 0, 1.0);
        y.putScalar(1, w - 1, 1.0);
        return y;
    }

    private static INDArray logits(int w) {
        return Nd4j.linspace(-1, 1.5, 2 * w, DataType.DOUBLE).reshape('c', 2, w);
    }

    /** @return whether the loss accepts the activation with {@code width} outputs (one-hot labels, no mask) */
    static boolean acceptsActivation(LossFunction loss, Activation a, int width) {
        return accepts(loss, oneHot(width), logits(width), a, null);
    }

    private static boolean accepts(LossFunction loss, INDArray y, INDArray z, Activation a, INDArray mask) {
        try {
            loss.computeGradientAndScore(y, z, a.getActivationFunction(), mask, false);
            return true;
        } catch (LossConfigurationException e) {
            return false;
        }
    }
}
