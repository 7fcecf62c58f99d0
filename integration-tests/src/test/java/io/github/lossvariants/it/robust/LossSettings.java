package io.github.lossvariants.it.robust;

import org.nd4j.linalg.activations.Activation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * What the robustness suite needs to know about each registered loss, one entry per registry name
 * (a new loss is one entry; {@code LossSettingsTest} fails naming every registered loss without
 * one, and checks each entry against the loss's behaviour, so an entry cannot claim more or less
 * than the loss does).
 *
 * <p>An entry states: the output activations the loss accepts and the output widths drawn for each;
 * whether it accepts soft labels (else one-hot rows for SOFTMAX, 0/1 for the others); how it takes
 * labels-shaped masks (any, or only constant within each row); whether mask values other than 0
 * and 1 are allowed; whether a per-row mask scales the row's score and gradient linearly; when its
 * score may be negative; and a {@link Rule} that makes randomly drawn parameters satisfy the
 * constraints between parameters that a {@code ParameterSchema} cannot express (e.g.
 * {@code trainNum} above every class count, {@code gamma} only with {@code baseLoss=focal}). The
 * parameters themselves are drawn from the provider's schema ({@link Generators#parameters}).
 */
final class LossSettings {
    /** Widths drawn at most (keeps a case small). */
    static final int MAX_WIDTH = 6;

    /**
     * Completes or corrects drawn parameters for one activation and output width: the constraints
     * between parameters. Called after every parameter was drawn from the schema.
     */
    interface Rule {
        void apply(Map<String, Object> parameters, Activation activation, int nOut, Random rng);

        Rule NONE = (p, a, n, r) -> {
        };
    }

    /** How a loss takes a labels-shaped (per-output) mask. */
    enum PerOutputMask {
        /** Any labels-shaped mask (independent outputs). */
        ANY,
        /** Only masks constant within each row (whole examples or pixels): softmax couples a row's classes. */
        ROW_CONSTANT
    }

    final String name;
    /** Accepted activations, each with the widths drawn for it (ascending). */
    final Map<Activation, int[]> widths;
    final boolean softLabels;
    final boolean regionLoss;
    final boolean rowConstantMaskUnderSigmoid;
    final boolean fractionalMasks;
    final boolean linearRowMask;
    final Predicate<Map<String, Object>> mayBeNegative;
    final Rule rule;
    final String surrogateGradientFlag;
    final boolean straightThroughClip;

    private LossSettings(Builder b) {
        this.name = b.name;
        this.widths = Collections.unmodifiableMap(new LinkedHashMap<>(b.widths));
        this.softLabels = b.softLabels;
        this.regionLoss = b.regionLoss;
        this.rowConstantMaskUnderSigmoid = b.rowConstantMaskUnderSigmoid;
        this.fractionalMasks = b.fractionalMasks;
        this.linearRowMask = b.linearRowMask;
        this.mayBeNegative = b.mayBeNegative;
        this.rule = b.rule;
        this.surrogateGradientFlag = b.surrogateGradientFlag;
        this.straightThroughClip = b.straightThroughClip;
    }

    List<Activation> activations() {
        return List.copyOf(widths.keySet());
    }

    PerOutputMask perOutputMask(Activation a) {
        return a == Activation.SOFTMAX || rowConstantMaskUnderSigmoid ? PerOutputMask.ROW_CONSTANT : PerOutputMask.ANY;
    }

    /** @return whether the loss may score below 0 with these parameters (its Javadoc says when) */
    boolean mayBeNegative(Map<String, Object> parameters) {
        return mayBeNegative.test(parameters);
    }

    /** @return a width to draw for the activation, at most {@code max} */
    int width(Activation a, Random rng, int max) {
        int[] w = widths.get(a);
        int n = 0;
        while (n < w.length && w[n] <= max) {
            n++;
        }
        return w[rng.nextInt(Math.max(1, n))];
    }

    /** @return 3 if the activation allows it, else its largest width up to 3 (or its smallest) */
    int defaultWidth(Activation a) {
        int[] w = widths.get(a);
        int best = w[0];
        for (int v : w) {
            if (v <= 3) {
                best = v;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return name;
    }

    // ------------------------------------------------------------------ the table

    private static final Map<String, LossSettings> TABLE = table();

    /** @return the entry for a registry name, or null when there is none */
    static LossSettings of(String name) {
        return TABLE.get(name);
    }

    /** @return every entry's registry name */
    static List<String> names() {
        return new ArrayList<>(TABLE.keySet());
    }

    private static Map<String, LossSettings> table() {
        List<LossSettings> all = List.of(
                // focal family and the baselines (loss-focal, loss-api)
                sigmoidElementwise("focal").build(),
                softmaxElementwise("softmax-focal").build(),
                sigmoidElementwise("bce").straightThroughClip().build(),
                softmaxElementwise("ce").build(),
                // region family (loss-tversky)
                region("tversky").build(),
                region("dice").build(),
                region("focal-tversky").build(),
                region("generalized-dice").build(),
                region("jaccard").build(),
                region("mcc").build(),
                // Lovasz-Softmax (mode=multiclass) under SOFTMAX, the Lovasz hinge (mode=binary) on logits
                new Builder("lovasz").softmax(range(2, MAX_WIDTH)).sigmoid(range(1, MAX_WIDTH))
                        .identity(range(1, MAX_WIDTH)).oneHotLabels().binaryMasksOnly().regionLoss().rule(LossSettings::lovasz).build(),
                // asymmetric family
                sigmoidElementwise("asymmetric").surrogateGradientFlag("detachFocusingWeight").build(),
                new Builder("unified-focal").softmax(2).sigmoid(1).softLabels().regionLoss().build(),
                // calibration family
                softmaxElementwise("focal-adaptive").build(),
                sigmoidElementwise("focal-adaptive-sigmoid").build(),
                softmaxElementwise("dual-focal").oneHotLabels().build(),
                softmaxElementwise("adafocal").oneHotLabels().rule(LossSettings::adaFocal).build(),
                softmaxElementwise("label-smoothing").build(),
                softmaxElementwise("focal-label-smoothing").build(),
                // a batch term: means over the minibatch couple the rows, also under SIGMOID
                new Builder("mdca").sigmoid(range(1, MAX_WIDTH)).softmax(range(2, MAX_WIDTH)).softLabels()
                        .rowConstantMaskUnderSigmoid().build(),
                softmaxElementwise("mbls").build(),
                // long-tail family
                new Builder("class-balanced").sigmoid(range(1, MAX_WIDTH)).softmax(range(2, MAX_WIDTH)).softLabels()
                        .linearRowMask().rule(LossSettings::classBalanced).build(),
                softmaxElementwise("ldam").build(),
                softmaxElementwise("balanced-softmax").build(),
                softmaxElementwise("poly").build(),
                sigmoidElementwise("poly-focal").mayBeNegative(p -> p.containsKey("alpha")
                        && ((Number) p.getOrDefault("epsilon", 1.0)).doubleValue() < 0).build(),
                sigmoidElementwise("distribution-balanced").rule(LossSettings::distributionBalanced).build(),
                // the minibatch is one loss: rows are coupled; masks select outputs (0/1 only)
                new Builder("two-way").sigmoid(range(1, MAX_WIDTH)).identity(range(1, MAX_WIDTH)).softLabels()
                        .binaryMasksOnly().build(),
                // the custom loss of integration-tests (com.example.custom), registered through META-INF/services
                sigmoidElementwise("squared-hinge").build());
        Map<String, LossSettings> m = new LinkedHashMap<>();
        for (LossSettings s : all) {
            if (m.put(s.name, s) != null) {
                throw new IllegalStateException("two settings entries for " + s.name);
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** A sigmoid loss of independent outputs: widths 1..6, soft labels, any mask, rows independent. */
    private static Builder sigmoidElementwise(String name) {
        return new Builder(name).sigmoid(range(1, MAX_WIDTH)).softLabels().linearRowMask();
    }

    /** A softmax loss of one row at a time: widths 2..6, soft labels, row-constant masks, rows independent. */
    private static Builder softmaxElementwise(String name) {
        return new Builder(name).softmax(range(2, MAX_WIDTH)).softLabels().linearRowMask();
    }

    /** A region loss (loss-api's RegionOptions): SIGMOID 1..6 or SOFTMAX 2..6 channels, grouped rows. */
    private static Builder region(String name) {
        return new Builder(name).sigmoid(range(1, MAX_WIDTH)).softmax(range(2, MAX_WIDTH)).softLabels().regionLoss()
                .rule(LossSettings::regionOptions);
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from + 1];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    // ------------------------------------------------------------------ rules (constraints between parameters)

    /**
     * RegionOptions: a channel list within the output, and at least one channel counted:
     * {@code includeBackground=false} needs a channel other than 0.
     */
    static void regionOptions(Map<String, Object> p, Activation a, int nOut, Random rng) {
        boolean background = !Boolean.FALSE.equals(p.get("includeBackground"));
        Object classes = p.get("classes");
        if (nOut == 1) {
            p.remove("includeBackground");
            if (classes != null) {
                p.put("classes", new int[]{0});
            }
            return;
        }
        if (!background && classes instanceof int[] && Arrays.equals((int[]) classes, new int[]{0})) {
            p.put("classes", new int[]{0, 1 + rng.nextInt(nOut - 1)});
        }
    }

    /** lovasz: {@code mode=multiclass} needs SOFTMAX, {@code mode=binary} SIGMOID or IDENTITY. */
    static void lovasz(Map<String, Object> p, Activation a, int nOut, Random rng) {
        p.put("mode", a == Activation.SOFTMAX ? "multiclass" : "binary");
    }

    /**
     * class-balanced: {@code baseLoss=softmax} needs SOFTMAX, the sigmoid bases SIGMOID; {@code gamma}
     * belongs to {@code baseLoss=focal} only.
     */
    static void classBalanced(Map<String, Object> p, Activation a, int nOut, Random rng) {
        if (a == Activation.SOFTMAX) {
            p.put("baseLoss", "softmax");
        } else if ("softmax".equals(p.get("baseLoss"))) {
            p.put("baseLoss", rng.nextBoolean() ? "sigmoid" : "focal");
        }
        Object base = p.getOrDefault("baseLoss", "focal");
        if (!"focal".equals(base)) {
            p.remove("gamma");
        }
    }

    /** distribution-balanced: {@code trainNum} above every class count (the bias uses log(trainNum/n - 1)). */
    static void distributionBalanced(Map<String, Object> p, Activation a, int nOut, Random rng) {
        double max = 0;
        for (double c : (double[]) p.get("classCounts")) {
            max = Math.max(max, c);
        }
        double trainNum = rng.nextDouble() < 0.2 ? Math.floor(max) + 1 : Math.floor(max * (1 + 10 * rng.nextDouble())) + 1;
        p.put("trainNum", trainNum);
    }

    /**
     * adafocal: gammaMin &lt;= gammaInitial &lt;= gammaMax, and its state (when drawn): one gamma per
     * bin inside [gammaMin, gammaMax], numBins + 1 non-decreasing edges in [0, 1].
     */
    static void adaFocal(Map<String, Object> p, Activation a, int nOut, Random rng) {
        double[] g = {num(p, "gammaMin", -2.0), num(p, "gammaInitial", 1.0), num(p, "gammaMax", 20.0)};
        Arrays.sort(g);
        p.put("gammaMin", g[0]);
        p.put("gammaInitial", g[1]);
        p.put("gammaMax", g[2]);
        int bins = ((Number) p.getOrDefault("numBins", 15)).intValue();
        if (p.containsKey("gammas") && bins > 30) {
            // an updated state costs about four ND4J ops per bin whose gamma differs from the one
            // below (AdaFocalLoss.computeTargetTerms): up to 1000 bins are drawn for the initial
            // state only (cheap), up to 30 with a drawn state (the paper uses 15)
            bins = 1 + rng.nextInt(30);
            p.put("numBins", bins);
        }
        if (p.containsKey("gammas")) {
            double[] gammas = new double[bins];
            for (int b = 0; b < bins; b++) {
                gammas[b] = g[0] + rng.nextDouble() * (g[2] - g[0]);
            }
            p.put("gammas", gammas);
        }
        if (p.containsKey("binEdges")) {
            double[] edges = new double[bins + 1];
            for (int b = 1; b < bins; b++) {
                edges[b] = rng.nextDouble();
            }
            edges[bins] = 1.0;
            Arrays.sort(edges);
            p.put("binEdges", edges);
        }
    }

    private static double num(Map<String, Object> p, String name, double otherwise) {
        Object v = p.get(name);
        return v == null ? otherwise : ((Number) v).doubleValue();
    }

    // ------------------------------------------------------------------ builder

    private static final class Builder {
        final String name;
        final Map<Activation, int[]> widths = new LinkedHashMap<>();
        boolean softLabels;
        boolean regionLoss;
        boolean rowConstantMaskUnderSigmoid;
        boolean fractionalMasks = true;
        boolean linearRowMask;
        Predicate<Map<String, Object>> mayBeNegative = p -> false;
        Rule rule = Rule.NONE;
        String surrogateGradientFlag;
        boolean straightThroughClip;

        Builder(String name) {
            this.name = name;
        }

        Builder sigmoid(int... w) {
            widths.put(Activation.SIGMOID, w);
            return this;
        }

        Builder softmax(int... w) {
            widths.put(Activation.SOFTMAX, w);
            return this;
        }

        Builder identity(int... w) {
            widths.put(Activation.IDENTITY, w);
            return this;
        }

        Builder softLabels() {
            softLabels = true;
            return this;
        }

        /** Defined for one-hot labels only (soft rows are rejected). */
        Builder oneHotLabels() {
            softLabels = false;
            return this;
        }

        /** A region loss: rows grouped into examples (RowGroupedLoss); per-row masks weight pixels in sums. */
        Builder regionLoss() {
            regionLoss = true;
            linearRowMask = false;
            return this;
        }

        Builder rowConstantMaskUnderSigmoid() {
            rowConstantMaskUnderSigmoid = true;
            return this;
        }

        Builder binaryMasksOnly() {
            fractionalMasks = false;
            return this;
        }

        /** A per-row mask m scales the row's score and gradient by m (rows are independent). */
        Builder linearRowMask() {
            linearRowMask = true;
            return this;
        }

        Builder mayBeNegative(Predicate<Map<String, Object>> when) {
            mayBeNegative = when;
            return this;
        }

        Builder rule(Rule r) {
            rule = r;
            return this;
        }

        /**
         * A boolean parameter that, when true, makes the loss return a documented surrogate gradient
         * (finite differences run with it false).
         */
        Builder surrogateGradientFlag(String parameter) {
            surrogateGradientFlag = parameter;
            return this;
        }

        /** The gradient is DL4J's straight-through one where clipEps clips (finite differences only inside). */
        Builder straightThroughClip() {
            straightThroughClip = true;
            return this;
        }

        LossSettings build() {
            return new LossSettings(this);
        }
    }
}
