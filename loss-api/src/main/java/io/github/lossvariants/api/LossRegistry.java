package io.github.lossvariants.api;

import io.github.lossvariants.api.internal.Names;
import io.github.lossvariants.api.internal.SpecParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Finds losses by name. Plain Java: {@link #discover()} loads every {@link LossProvider} listed in
 * {@code META-INF/services} on the class path, {@link #of(LossProvider...)} builds a registry by
 * hand; the Guice module in {@code io.github.lossvariants.api.guice} is an optional adapter.
 *
 * <p>Only registered providers are ever instantiated: a spec string names a loss, never a class,
 * so text from an untrusted source cannot make the registry load arbitrary code.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class LossRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(LossRegistry.class);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    private static final String PROJECT_PACKAGE = "io.github.lossvariants.";

    /** Names of this project's losses, reserved for its packages, with the module that provides each. */
    private static final Map<String, String> BUILT_IN = Map.ofEntries(
            Map.entry("focal", "loss-focal"),
            Map.entry("softmax-focal", "loss-focal"),
            Map.entry("bce", "loss-api"),
            Map.entry("ce", "loss-api"),
            Map.entry("tversky", "loss-tversky"),
            Map.entry("focal-tversky", "loss-tversky"),
            Map.entry("dice", "loss-tversky"),
            Map.entry("generalized-dice", "loss-tversky"),
            Map.entry("jaccard", "loss-tversky"),
            Map.entry("lovasz", "loss-tversky"),
            Map.entry("mcc", "loss-tversky"),
            Map.entry("asymmetric", "loss-asymmetric"),
            Map.entry("unified-focal", "loss-asymmetric"),
            Map.entry("focal-adaptive", "loss-calibration"),
            Map.entry("focal-adaptive-sigmoid", "loss-calibration"),
            Map.entry("dual-focal", "loss-calibration"),
            Map.entry("adafocal", "loss-calibration"),
            Map.entry("label-smoothing", "loss-calibration"),
            Map.entry("focal-label-smoothing", "loss-calibration"),
            Map.entry("mdca", "loss-calibration"),
            Map.entry("mbls", "loss-calibration"),
            Map.entry("class-balanced", "loss-longtail"),
            Map.entry("ldam", "loss-longtail"),
            Map.entry("balanced-softmax", "loss-longtail"),
            Map.entry("poly", "loss-longtail"),
            Map.entry("poly-focal", "loss-longtail"),
            Map.entry("distribution-balanced", "loss-longtail"),
            Map.entry("two-way", "loss-longtail"));

    private final Map<String, LossProvider> providers;
    private final List<String> loadFailures;

    private LossRegistry(Collection<? extends LossProvider> providers, List<String> loadFailures) {
        Map<String, LossProvider> byName = new TreeMap<>();
        for (LossProvider p : providers) {
            Objects.requireNonNull(p, "provider");
            String name = p.name();
            if (name == null || !NAME.matcher(name).matches()) {
                throw new LossConfigurationException("Loss provider " + p.getClass().getName() + " has an invalid name '"
                        + name + "': names are lowercase kebab-case such as 'focal' or 'focal-tversky'");
            }
            if (BUILT_IN.containsKey(name) && !p.getClass().getName().startsWith(PROJECT_PACKAGE)) {
                throw new LossConfigurationException("Loss name '" + name + "' is reserved for " + BUILT_IN.get(name)
                        + " but is claimed by " + p.getClass().getName() + "; choose another name");
            }
            LossProvider previous = byName.put(name, p);
            if (previous != null) {
                throw new LossConfigurationException("Duplicate loss name '" + name + "' provided by "
                        + previous.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        this.providers = Collections.unmodifiableMap(byName);
        this.loadFailures = List.copyOf(loadFailures);
    }

    /** @return a registry of every provider on the thread context class loader's class path */
    public static LossRegistry discover() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return discover(cl != null ? cl : LossRegistry.class.getClassLoader());
    }

    /**
     * Loads every provider visible to the class loader. A provider that fails to load or whose
     * constructor throws is logged, remembered (see {@link #loadFailures()}) and skipped; the
     * others still load.
     *
     * @param classLoader where to look; not null
     * @return the registry
     * @throws LossConfigurationException when two providers claim the same name
     */
    public static LossRegistry discover(ClassLoader classLoader) {
        List<LossProvider> found = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Iterator<LossProvider> it = ServiceLoader.load(LossProvider.class, classLoader).iterator();
        int consecutiveErrors = 0;
        while (consecutiveErrors < 100) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                LossProvider p = it.next();
                found.add(p);
                consecutiveErrors = 0;
                LOG.debug("Discovered loss '{}' from {} ({})", p.name(), p.getClass().getName(),
                        p.getClass().getProtectionDomain().getCodeSource() == null ? "unknown location"
                                : p.getClass().getProtectionDomain().getCodeSource().getLocation());
            } catch (ServiceConfigurationError e) {
                consecutiveErrors++;
                String message = describeFailure(e);
                failures.add(message);
                LOG.warn("Skipped a loss provider that could not be loaded: {}", message);
            }
        }
        return new LossRegistry(found, failures);
    }

    private static String describeFailure(Throwable e) {
        StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            b.append(" <- ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
        }
        return b.toString();
    }

    /**
     * @param providers the providers; names must be distinct
     * @return a registry of exactly these providers
     * @throws LossConfigurationException on duplicate or invalid names
     */
    public static LossRegistry of(LossProvider... providers) {
        return new LossRegistry(List.of(providers), List.of());
    }

    /** @see #of(LossProvider...) */
    public static LossRegistry of(Collection<? extends LossProvider> providers) {
        return new LossRegistry(providers, List.of());
    }

    /**
     * @param more additional providers
     * @return a new registry with these providers added; duplicates fail naming both classes
     */
    public LossRegistry with(Collection<? extends LossProvider> more) {
        List<LossProvider> all = new ArrayList<>(providers.values());
        all.addAll(more);
        return new LossRegistry(all, loadFailures);
    }

    /** @return the registered names, sorted */
    public SortedSet<String> names() {
        return new TreeSet<>(providers.keySet());
    }

    /** @return the provider of that name, if registered */
    public Optional<LossProvider> provider(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    /** @return all providers, sorted by name */
    public List<LossProvider> providers() {
        return List.copyOf(providers.values());
    }

    /** @return one message per provider that failed to load during discovery */
    public List<String> loadFailures() {
        return loadFailures;
    }

    /**
     * Builds a loss from a spec string: {@code focal(gamma=2, alpha=0.25)}, {@code dice},
     * or a weighted sum such as {@code 0.7*focal-tversky(gamma=4/3) + 0.3*ce}.
     *
     * @param spec the spec string (grammar in {@link LossSpecs}); not null
     * @return the loss; a {@link CompoundLoss} when the spec has more than one term or a weight
     * @throws LossConfigurationException for a malformed spec (with the position), an unknown loss
     *                                    or parameter, or an invalid value
     */
    public LossFunction create(String spec) {
        List<SpecParser.Term> terms = SpecParser.parse(spec);
        if (terms.size() == 1 && terms.get(0).weight() == 1.0) {
            return create(terms.get(0).name(), terms.get(0).parameters());
        }
        List<LossFunction> parts = new ArrayList<>();
        double[] weights = new double[terms.size()];
        for (int i = 0; i < terms.size(); i++) {
            parts.add(create(terms.get(i).name(), terms.get(i).parameters()));
            weights[i] = terms.get(i).weight();
        }
        return new CompoundLoss(parts, weights);
    }

    /**
     * Builds a loss from a spec string as {@link #create(String)} does, giving each term the values of
     * {@code fill} for the parameters its loss declares and the term does not set. For parameters
     * that come from the training data, so that a spec need not spell them out:
     * <pre>{@code
     * double[] counts = ClassCounts.of(trainIterator);            // loss-longtail
     * registry.createFilling("balanced-softmax + 0.5*ldam(maxMargin=0.3)", Map.of("classCounts", counts));
     * }</pre>
     * A value the spec sets wins; a filled value is validated like a written one; a name that no
     * term's loss declares is ignored (so one map can serve specs of different losses).
     *
     * @param spec the spec string (grammar in {@link LossSpecs}); not null
     * @param fill values by parameter name (Number, Boolean, String, arrays or Lists); not null
     * @return the loss; a {@link CompoundLoss} when the spec has more than one term or a weight
     * @throws LossConfigurationException as {@link #create(String)}, also for an invalid filled value
     * @since 0.2.0
     */
    public LossFunction createFilling(String spec, Map<String, ?> fill) {
        Objects.requireNonNull(fill, "fill");
        List<SpecParser.Term> terms = SpecParser.parse(spec);
        List<LossFunction> parts = new ArrayList<>();
        double[] weights = new double[terms.size()];
        for (int i = 0; i < terms.size(); i++) {
            SpecParser.Term t = terms.get(i);
            ParameterSchema schema = require(t.name()).parameters();
            Map<String, Object> values = new LinkedHashMap<>(t.parameters());
            fill.forEach((k, v) -> {
                if (schema.spec(k).isPresent() && !values.containsKey(k)) {
                    values.put(k, v);
                }
            });
            parts.add(create(t.name(), values));
            weights[i] = t.weight();
        }
        return parts.size() == 1 && weights[0] == 1.0 ? parts.get(0) : new CompoundLoss(parts, weights);
    }

    /**
     * Builds a loss by name from parameter values.
     *
     * @param name       the registry name; not null
     * @param parameters values by parameter name (Number, Boolean, String, arrays or Lists); null
     *                   or empty for the defaults
     * @return the loss
     * @throws LossConfigurationException for an unknown name or parameter, or an invalid value
     */
    public LossFunction create(String name, Map<String, ?> parameters) {
        LossProvider provider = require(name);
        LossParameters resolved = provider.parameters().resolve(name, parameters == null ? Map.of() : parameters);
        LossFunction loss = provider.create(resolved);
        if (loss == null) {
            throw new LossConfigurationException("Loss provider " + provider.getClass().getName() + " returned null for '"
                    + name + "'");
        }
        return loss;
    }

    /**
     * @return the provider of that name
     * @throws LossConfigurationException listing the available names, the likely typo, and the module
     *                                    to add when it is one of this project's losses
     */
    public LossProvider require(String name) {
        LossProvider p = providers.get(name);
        if (p != null) {
            return p;
        }
        StringBuilder b = new StringBuilder("Unknown loss '").append(name).append("'.");
        if (BUILT_IN.containsKey(name)) {
            b.append(" It is provided by ").append(BUILT_IN.get(name))
                    .append(", which is not on the class path: add io.github.lossvariants:")
                    .append(BUILT_IN.get(name)).append(" as a dependency.");
        } else {
            List<String> candidates = new ArrayList<>(providers.keySet());
            candidates.addAll(BUILT_IN.keySet());
            Names.closest(name, candidates).ifPresent(c -> b.append(" Did you mean '").append(c).append("'?"));
        }
        b.append(" Available: ").append(providers.isEmpty() ? "none (no loss module is on the class path)"
                : String.join(", ", providers.keySet())).append('.');
        if (!loadFailures.isEmpty()) {
            b.append(" Providers that failed to load: ").append(String.join("; ", loadFailures));
        }
        return throwIt(b.toString());
    }

    private static LossProvider throwIt(String message) {
        throw new LossConfigurationException(message);
    }

    /** @return the description and parameters of one loss, one parameter per line */
    public String describe(String name) {
        LossProvider p = require(name);
        return p.name() + ": " + p.description() + "\n" + p.parameters().describe();
    }

    /** @return {@link #describe(String)} of every registered loss */
    public String describe() {
        StringBuilder b = new StringBuilder();
        for (String n : providers.keySet()) {
            b.append(describe(n)).append('\n');
        }
        return b.toString();
    }

    /** @return registered names mapped to their provider classes, for diagnostics */
    public Map<String, String> providerClasses() {
        Map<String, String> m = new LinkedHashMap<>();
        providers.forEach((k, v) -> m.put(k, v.getClass().getName()));
        return m;
    }

    @Override
    public String toString() {
        return "LossRegistry" + providers.keySet();
    }
}
