package io.github.lossvariants.keras.internal;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.LossSpecs;
import io.github.lossvariants.keras.KerasOutputLoss;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps a Keras loss, as a model's {@code training_config} names it, to this project's loss: the
 * loss's identifier (function name, class name, or a TF-Addons registered name such as
 * {@code Addons>SigmoidFocalCrossEntropy}) and its config (empty for the string form, where Keras
 * uses the function's defaults). Each Keras setting maps to ours or is a clear error; nothing is
 * dropped silently. The mapping, with its reasons, is documented in docs/keras-import.md.
 */
public final class KerasLossMapper {
    /** The Keras losses this module maps. */
    public enum Family {
        /** {@code keras.losses.BinaryFocalCrossentropy} / {@code binary_focal_crossentropy}. */
        BINARY_FOCAL("BinaryFocalCrossentropy", "binary_focal_crossentropy"),
        /** {@code keras.losses.CategoricalFocalCrossentropy} / {@code categorical_focal_crossentropy}. */
        CATEGORICAL_FOCAL("CategoricalFocalCrossentropy", "categorical_focal_crossentropy"),
        /** TF-Addons {@code tfa.losses.SigmoidFocalCrossEntropy} / {@code sigmoid_focal_crossentropy}. */
        SIGMOID_FOCAL("SigmoidFocalCrossEntropy", "sigmoid_focal_crossentropy"),
        /** {@code keras.losses.Dice} / {@code dice} (Keras 3). */
        DICE("Dice", "dice"),
        /** {@code keras.losses.Tversky} / {@code tversky} (Keras 3). */
        TVERSKY("Tversky", "tversky");

        private final String className;
        private final String functionName;

        Family(String className, String functionName) {
            this.className = className;
            this.functionName = functionName;
        }

        /** @return the Keras class name, e.g. {@code BinaryFocalCrossentropy} */
        public String className() {
            return className;
        }

        /** @return the Keras function name, e.g. {@code binary_focal_crossentropy} */
        public String functionName() {
            return functionName;
        }
    }

    /** Keras's {@code backend.epsilon()}. */
    static final double KERAS_EPSILON = KerasOutputLoss.EPSILON;
    private static final String ADDONS_PREFIX = "addons>";

    private final LossRegistry registry;

    /** @param registry where the losses are created, by name; not null */
    public KerasLossMapper(LossRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param identifier a Keras loss identifier, in any case
     * @return the family it names: function or class names of Keras and TF-Addons (with or without
     * the {@code Addons>} prefix, which only TF-Addons's loss may carry); empty when it is none of ours
     */
    public static Optional<Family> family(String identifier) {
        if (identifier == null) {
            return Optional.empty();
        }
        String id = identifier.trim().toLowerCase(Locale.ROOT);
        boolean addons = id.startsWith(ADDONS_PREFIX);
        if (addons) {
            id = id.substring(ADDONS_PREFIX.length());
        }
        for (Family f : Family.values()) {
            if (id.equals(f.functionName) || id.equals(f.className.toLowerCase(Locale.ROOT))) {
                return addons && f != Family.SIGMOID_FOCAL ? Optional.empty() : Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * @return every identifier, lowercased as DL4J's Keras import looks them up, under which a loss
     * of this module is registered: function and class names, and TF-Addons's {@code Addons>} names
     */
    public static Set<String> dl4jLookupNames() {
        Set<String> names = new TreeSet<>();
        for (Family f : Family.values()) {
            names.add(f.functionName);
            names.add(f.className.toLowerCase(Locale.ROOT));
            if (f == Family.SIGMOID_FOCAL) {
                names.add(ADDONS_PREFIX + f.functionName);
                names.add(ADDONS_PREFIX + f.className.toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    /**
     * Maps the string form of a loss ({@code loss="binary_focal_crossentropy"}), as Keras resolves
     * it: a function name means the function with its defaults, wrapped by {@code compile} with the
     * default (mean) reduction; a class name means an instance with the class's defaults.
     *
     * @param identifier the string from {@code training_config}
     * @return the loss
     * @throws LossConfigurationException when the identifier is none of this module's losses
     */
    public KerasOutputLoss fromString(String identifier) {
        Family f = family(identifier).orElseThrow(() -> unknown(identifier));
        String bare = identifier.trim();
        if (bare.toLowerCase(Locale.ROOT).startsWith(ADDONS_PREFIX)) {
            bare = bare.substring(ADDONS_PREFIX.length());
        }
        boolean functionForm = bare.toLowerCase(Locale.ROOT).equals(bare) || bare.contains("_");
        return map(f, functionForm ? f.functionName : f.className, Map.of(), functionForm);
    }

    /**
     * Maps the object form {@code {"class_name": ..., "config": {...}}}.
     *
     * @param className the {@code class_name}
     * @param config    the {@code config}; null or empty for the class's defaults
     * @return the loss
     * @throws LossConfigurationException when the class is none of this module's losses, or a setting
     *                                    has no counterpart here (naming it and what is allowed)
     */
    public KerasOutputLoss fromObject(String className, Map<String, ?> config) {
        Family f = family(className).orElseThrow(() -> unknown(className));
        return map(f, f.className, config == null ? Map.of() : config, false);
    }

    private static LossConfigurationException unknown(String identifier) {
        List<String> names = new ArrayList<>();
        for (Family f : Family.values()) {
            names.add(f.functionName + "/" + f.className);
        }
        return new LossConfigurationException("Keras loss '" + identifier + "' is not one this module maps; it maps "
                + String.join(", ", names) + " (and Addons>SigmoidFocalCrossEntropy)");
    }

    private KerasOutputLoss map(Family f, String kerasName, Map<String, ?> config, boolean functionForm) {
        Settings s = new Settings(kerasName, config);
        switch (f) {
            case BINARY_FOCAL:
                return binaryFocal(s);
            case CATEGORICAL_FOCAL:
                return categoricalFocal(s);
            case SIGMOID_FOCAL:
                return sigmoidFocal(s, functionForm);
            case DICE:
                return region(s, "dice", null, null);
            case TVERSKY:
                return region(s, "tversky", s.number("alpha", 0.5), s.number("beta", 0.5));
            default:
                throw new IllegalStateException("unmapped Keras family " + f);
        }
    }

    /**
     * Keras: mean over the last axis of w_t (1 - p_t)^gamma BCE (w_t = alpha y + (1 - alpha)(1 - y)
     * only with apply_class_balancing=True), labels smoothed towards 0.5.
     */
    private KerasOutputLoss binaryFocal(Settings s) {
        boolean balancing = s.bool("apply_class_balancing", false);
        double alpha = s.number("alpha", 0.25);
        double gamma = s.number("gamma", 2.0);
        boolean fromLogits = s.bool("from_logits", false);
        double smoothing = s.labelSmoothing();
        s.lastAxis();
        boolean sum = s.sumReduction("auto");
        s.finish();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("gamma", gamma);
        if (balancing) {
            p.put("alpha", alpha);
        }
        LossFunction focal = create(s, "focal", p);
        return new KerasOutputLoss(s.kerasName, focal, false, fromLogits, smoothing, true, false, sum);
    }

    /**
     * Keras: sum over classes of alpha_c (1 - p_c)^gamma (-y_c log p_c), alpha a scalar for every
     * class or one value per class; labels smoothed towards 1/K.
     */
    private KerasOutputLoss categoricalFocal(Settings s) {
        Object alpha = s.raw("alpha", 0.25);
        double gamma = s.number("gamma", 2.0);
        boolean fromLogits = s.bool("from_logits", false);
        double smoothing = s.labelSmoothing();
        s.lastAxis();
        boolean sum = s.sumReduction("auto");
        s.finish();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("gamma", gamma);
        LossFunction loss;
        if (alpha instanceof List) {
            List<Double> weights = new ArrayList<>();
            for (Object a : (List<?>) alpha) {
                if (!(a instanceof Number)) {
                    throw s.error("alpha=" + alpha + " must be a number or a list of numbers");
                }
                weights.add(((Number) a).doubleValue());
            }
            p.put("classWeights", weights);
            loss = create(s, "softmax-focal", p);
        } else if (alpha instanceof Number) {
            double a = ((Number) alpha).doubleValue();
            if (!(a > 0) || Double.isInfinite(a)) {
                throw s.error("alpha=" + alpha + " weights every class, so the loss is identically " + (a == 0 ? "0" : "of"
                        + " the wrong sign") + "; this mapping needs a finite alpha > 0 (Keras's default is 0.25)");
            }
            LossFunction focal = create(s, "softmax-focal", p);
            loss = a == 1.0 ? focal : create(s, LossSpecs.formatWeight(a) + "*" + focal.spec());
        } else {
            throw s.error("alpha=" + alpha + " must be a number or a list of numbers");
        }
        return new KerasOutputLoss(s.kerasName, loss, true, fromLogits, smoothing, false, false, sum);
    }

    /**
     * TF-Addons: sum over the last axis of alpha_t (1 - p_t)^gamma BCE, with alpha_t only when alpha
     * is truthy ({@code if alpha:}: None or 0 means no balancing) and gamma &gt;= 0. The class's
     * default reduction is NONE (Keras's fit then adds the per-example losses); the function wrapped
     * by compile averages them.
     */
    private KerasOutputLoss sigmoidFocal(Settings s, boolean functionForm) {
        Object alphaRaw = s.raw("alpha", 0.25);
        double gamma = s.number("gamma", 2.0);
        boolean fromLogits = s.bool("from_logits", false);
        boolean sum = s.sumReduction(functionForm ? "auto" : "none");
        s.finish();
        if (gamma < 0) {
            throw s.error("gamma=" + gamma + " is negative; TF-Addons itself rejects it (gamma >= 0)");
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("gamma", gamma);
        if (alphaRaw != null) {
            if (!(alphaRaw instanceof Number)) {
                throw s.error("alpha=" + alphaRaw + " must be a number or null");
            }
            double alpha = ((Number) alphaRaw).doubleValue();
            if (alpha != 0) {
                p.put("alpha", alpha);
            }
        }
        LossFunction focal = create(s, "focal", p);
        return new KerasOutputLoss(s.kerasName, focal, false, fromLogits, 0, false, false, sum);
    }

    /**
     * Keras 3: with axis=None one value for the whole batch, 1 - TP / (TP + a FN + b FP + eps) in
     * standard terms (Keras's code names sum((1 - p) y) "fp" and weights it by alpha, so its alpha
     * weighs the missed positives); Dice is 1 - 2 TP / (2 TP + FP + FN + eps). Ours adds the same
     * smoothing s to numerator and denominator: with s = eps (Tversky) or eps/2 (Dice) the two
     * differ only by s / (denominator) in the numerator.
     */
    private KerasOutputLoss region(Settings s, String ours, Double kerasAlpha, Double kerasBeta) {
        Object axis = s.raw("axis", null);
        s.sumReduction("auto");  // the batch value is a scalar: every reduction of it is itself
        s.finish();
        if (axis != null) {
            throw s.error("axis=" + axis + " computes one value per example and channel; this mapping reproduces"
                    + " axis=None (one value over the whole batch), the default. For per-image Dice or Tversky rebuild"
                    + " the output layer as a PerImageLossLayer with this project's " + ours + " loss");
        }
        Map<String, Object> p = new LinkedHashMap<>();
        if (kerasAlpha != null) {
            p.put("alpha", kerasBeta);   // ours weighs FP by alpha: Keras's beta multiplies sum(p (1 - y))
            p.put("beta", kerasAlpha);   // and Keras's alpha multiplies sum((1 - p) y), the false negatives
            p.put("smooth", KERAS_EPSILON);
        } else {
            p.put("smooth", KERAS_EPSILON / 2);
        }
        p.put("batch", true);
        LossFunction loss = create(s, ours, p);
        return new KerasOutputLoss(s.kerasName, loss, false, false, 0, false, true, false);
    }

    private LossFunction create(Settings s, String name, Map<String, Object> parameters) {
        try {
            return registry.create(name, parameters);
        } catch (LossConfigurationException e) {
            throw s.error(e.getMessage(), e);
        }
    }

    private LossFunction create(Settings s, String spec) {
        try {
            return registry.create(spec);
        } catch (LossConfigurationException e) {
            throw s.error(e.getMessage(), e);
        }
    }

    /** A loss's Keras config, read key by key; {@link #finish()} rejects keys nobody read. */
    private static final class Settings {
        /** Keys of Keras's base Loss config, which need no mapping (dtype: DL4J uses the network's). */
        private static final Set<String> BASE_KEYS = Set.of("name", "dtype", "fn");
        final String kerasName;
        private final Map<String, ?> config;
        private final Set<String> read = new TreeSet<>(BASE_KEYS);

        Settings(String kerasName, Map<String, ?> config) {
            this.kerasName = kerasName;
            this.config = config;
        }

        Object raw(String key, Object fallback) {
            read.add(key);
            return config.containsKey(key) ? config.get(key) : fallback;
        }

        double number(String key, double fallback) {
            Object v = raw(key, fallback);
            if (!(v instanceof Number) || !Double.isFinite(((Number) v).doubleValue())) {
                throw error(key + "=" + v + " must be a finite number");
            }
            return ((Number) v).doubleValue();
        }

        boolean bool(String key, boolean fallback) {
            Object v = raw(key, fallback);
            if (!(v instanceof Boolean)) {
                throw error(key + "=" + v + " must be true or false");
            }
            return (Boolean) v;
        }

        double labelSmoothing() {
            double v = number("label_smoothing", 0.0);
            if (!(v >= 0 && v <= 1)) {
                throw error("label_smoothing=" + v + " is outside [0, 1]");
            }
            return v;
        }

        void lastAxis() {
            Object axis = raw("axis", -1);
            if (!(axis instanceof Number) || ((Number) axis).doubleValue() != -1) {
                throw error("axis=" + axis + " has no counterpart: DL4J hands a loss rows with the classes last,"
                        + " the axis=-1 of Keras (the default)");
            }
        }

        /**
         * @return true when the objective is the sum over the minibatch ("sum", and "none", whose
         * per-example losses Keras's fit adds), false for the mean ("auto", "sum_over_batch_size",
         * "mean", and "mean_with_sample_weight", which is the mean without sample weights)
         */
        boolean sumReduction(String fallback) {
            Object v = raw("reduction", fallback);
            String r = v == null ? "none" : String.valueOf(v).toLowerCase(Locale.ROOT);
            switch (r) {
                case "auto":
                case "sum_over_batch_size":
                case "mean":
                case "mean_with_sample_weight":
                    return false;
                case "sum":
                case "none":
                    return true;
                default:
                    throw error("reduction=" + v + " is not a Keras reduction this mapping knows; allowed: auto,"
                            + " sum_over_batch_size, mean, mean_with_sample_weight, sum, none");
            }
        }

        void finish() {
            List<String> unknown = new ArrayList<>();
            for (String k : config.keySet()) {
                if (!read.contains(k)) {
                    unknown.add(k);
                }
            }
            if (!unknown.isEmpty()) {
                read.removeAll(BASE_KEYS);
                throw error("setting" + (unknown.size() > 1 ? "s " : " ") + unknown + " ha" + (unknown.size() > 1 ? "ve" : "s")
                        + " no counterpart in this mapping (it would be ignored, changing the loss); known settings: "
                        + read + " and " + BASE_KEYS);
            }
        }

        LossConfigurationException error(String message) {
            return error(message, null);
        }

        LossConfigurationException error(String message, Throwable cause) {
            return new LossConfigurationException("Keras loss " + kerasName + " " + config + ": " + message, cause);
        }
    }
}
