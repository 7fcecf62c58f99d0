package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossProvider;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded generators of valid parameters (from each provider's {@code ParameterSchema}, made
 * consistent by the loss's {@link LossSettings.Rule}) and of random inputs: shapes 2-D to 5-D
 * flattened to rows as DL4J's loss layers do, batch 1..64, HALF, FLOAT and DOUBLE, masks per row
 * or per output with 0/1 or fractional weights, logits up to +-1e4.
 */
final class Generators {
    /** Base seed of every generator; override with {@code -Drobust.seed=...}. */
    static final long SEED = Long.getLong("robust.seed", 20240612L);
    /** Largest absolute logit drawn (HALF holds it: its largest finite value is 65504). */
    static final double MAX_LOGIT = 1e4;
    /** Upper end used for a parameter range with no upper bound, above its lower bound. */
    static final double OPEN_RANGE_WIDTH = 5.0;
    /** Elements (rows x nOut) above which a case's batch is halved (keeps one case in the milliseconds). */
    static final int MAX_ELEMENTS = 1200;
    /** Largest class count drawn (counts are log-uniform in [1, this]). */
    static final double MAX_CLASS_COUNT = 1e4;
    /** Standard deviations of the logits, one drawn per case. */
    static final double[] LOGIT_SCALES = {0.5, 3, 30, 1000, MAX_LOGIT};
    /** Probability that a parameter with a default is drawn (else left out: the default applies). */
    static final double DRAW_DEFAULTED = 0.8;
    /** Probability that an optional parameter (no default) is given. */
    static final double DRAW_OPTIONAL = 0.5;
    /** Probability of soft labels for a loss that accepts them. */
    static final double SOFT_LABELS = 0.3;
    /** Probability that a mask holds fractional weights (for a loss that allows them). */
    static final double FRACTIONAL_MASK = 0.3;

    private Generators() {
    }

    static Random rng(String lossName, String property, int index) {
        return new Random(SEED ^ (31L * lossName.hashCode() + 1009L * property.hashCode() + index));
    }

    // ------------------------------------------------------------------ parameters

    /**
     * Random valid parameters for an activation and {@code nOut} outputs: every required parameter,
     * each parameter with a default with probability {@value #DRAW_DEFAULTED}, each optional one with
     * probability {@value #DRAW_OPTIONAL}, values from the schema's ranges ({@link #value}), then the
     * settings' rule. {@code rowsPerExample} is left to the shape.
     */
    static Map<String, Object> parameters(LossUnderTest l, Activation a, int nOut, Random rng) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParameterSpec s : l.provider.parameters().specs()) {
            if (s.name().equals("rowsPerExample")) {
                continue;
            }
            double p = s.isRequired() ? 1.0 : s.isOptional() ? DRAW_OPTIONAL : DRAW_DEFAULTED;
            if (rng.nextDouble() < p) {
                values.put(s.name(), value(s, nOut, rng));
            }
        }
        l.settings.rule.apply(values, a, nOut, rng);
        return values;
    }

    /**
     * The required parameters only (fixed values: class counts 1000, 250, 111, ... = 1000 / (j+1)^2),
     * made consistent for the activation by the settings' rule.
     */
    static Map<String, Object> minimalParameters(LossProvider provider, LossSettings settings, Activation a, int nOut) {
        Map<String, Object> values = new LinkedHashMap<>();
        Random fixed = new Random(0);
        for (ParameterSpec s : provider.parameters().specs()) {
            if (s.isRequired()) {
                values.put(s.name(), s.name().equals("classCounts") ? fixedCounts(nOut) : value(s, nOut, fixed));
            }
        }
        settings.rule.apply(values, a, nOut, fixed);
        return values;
    }

    private static double[] fixedCounts(int nOut) {
        double[] c = new double[nOut];
        for (int j = 0; j < nOut; j++) {
            c[j] = Math.max(1, Math.round(1000.0 / ((j + 1) * (j + 1))));
        }
        return c;
    }

    /**
     * A loss with random valid parameters for the activation and width. A rejection fails: the
     * schema's ranges and the settings' rule must produce valid parameters only (otherwise the entry
     * misses a constraint, or the loss rejects a valid combination).
     */
    static Drawn drawLoss(LossRegistry registry, LossUnderTest l, Activation a, int nOut, Random rng) {
        Map<String, Object> p = parameters(l, a, nOut, rng);
        try {
            return new Drawn(registry.create(l.name, p), p);
        } catch (LossConfigurationException e) {
            throw new AssertionError(l.name + ": parameters drawn from its schema and made consistent by its"
                    + " LossSettings rule were rejected (" + a + ", nOut " + nOut + "): " + describe(p) + ": "
                    + e.getMessage(), e);
        }
    }

    static String describe(Map<String, Object> p) {
        StringBuilder b = new StringBuilder("{");
        p.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append('=').append(
                v instanceof double[] ? Arrays.toString((double[]) v) : v instanceof int[] ? Arrays.toString((int[]) v)
                        : String.valueOf(v)));
        return b.append('}').toString();
    }

    static final class Drawn {
        final LossFunction loss;
        final Map<String, Object> parameters;

        Drawn(LossFunction loss, Map<String, Object> parameters) {
            this.loss = loss;
            this.parameters = parameters;
        }
    }

    /** A value in the spec's range (class counts log-uniform in [1, 1e4], one per output). */
    static Object value(ParameterSpec s, int nOut, Random rng) {
        switch (s.type()) {
            case BOOLEAN:
                return rng.nextBoolean();
            case CHOICE:
                return s.choices().get(rng.nextInt(s.choices().size()));
            case INT:
                return (int) Math.round(Math.floor(number(s, rng, true)));
            case DOUBLE:
                return number(s, rng, false);
            case DOUBLE_ARRAY: {
                double[] v = new double[nOut];
                if (s.name().equals("classCounts")) {
                    boolean equal = rng.nextDouble() < 0.1;
                    for (int i = 0; i < nOut; i++) {
                        v[i] = equal && i > 0 ? v[0] : Math.rint(Math.exp(rng.nextDouble() * Math.log(MAX_CLASS_COUNT)));
                    }
                    return v;
                }
                // one element per output; keep elements away from 0 so that the weights of the
                // counted classes cannot all vanish (a documented configuration error)
                for (int i = 0; i < nOut; i++) {
                    double x = number(s, rng, false);
                    v[i] = Math.max(x, Math.min(s.max(), Math.max(s.min(), 0) + 0.05));
                }
                return v;
            }
            case INT_ARRAY: {
                // a non-empty set of distinct indices in [max(min, 0), nOut - 1] (class subsets)
                int lo = (int) Math.max(0, Math.ceil(s.min()));
                int hi = (int) Math.min(nOut - 1, Math.floor(s.max()));
                List<Integer> all = new ArrayList<>();
                for (int i = lo; i <= hi; i++) {
                    all.add(i);
                }
                Collections.shuffle(all, rng);
                int k = 1 + rng.nextInt(Math.max(1, all.size()));
                return all.subList(0, Math.min(k, all.size())).stream().mapToInt(Integer::intValue).sorted().toArray();
            }
            default:
                throw new AssertionError("Generators.value: no generator for parameter type " + s.type() + " ("
                        + s.name() + "); add one");
        }
    }

    /**
     * A number in the spec's range: an inclusive bound with probability 0.1 each (bounds are where
     * special cases hide: gamma = 0, alpha = 0 or 1), just inside an exclusive bound with
     * probability 0.1, else uniform; an open range is capped {@value #OPEN_RANGE_WIDTH} above its
     * lower bound (or below its upper bound; [-5, 5] when unbounded).
     */
    static double number(ParameterSpec s, Random rng, boolean integer) {
        double lo = s.min();
        double hi = s.max();
        if (Double.isInfinite(lo) && Double.isInfinite(hi)) {
            lo = -OPEN_RANGE_WIDTH;
            hi = OPEN_RANGE_WIDTH;
        } else if (Double.isInfinite(hi)) {
            hi = lo + OPEN_RANGE_WIDTH;
        } else if (Double.isInfinite(lo)) {
            lo = hi - OPEN_RANGE_WIDTH;
        }
        double u = rng.nextDouble();
        double eps = integer ? 1 : 1e-3 * (hi - lo);
        if (u < 0.1) {
            return s.minInclusive() || Double.isInfinite(s.min()) ? lo : lo + eps;
        }
        if (u < 0.2) {
            return s.maxInclusive() || Double.isInfinite(s.max()) ? hi : hi - eps;
        }
        double v = lo + rng.nextDouble() * (hi - lo);
        if (integer) {
            v = Math.ceil(v);
        }
        if (!s.minInclusive() && v <= lo) {
            v = lo + eps;
        }
        if (!s.maxInclusive() && v >= hi) {
            v = hi - eps;
        }
        return v;
    }

    // ------------------------------------------------------------------ inputs

    /** One generated input: the loss (configured for the shape), activation, arrays and how they were made. */
    static final class Case {
        final LossFunction loss;
        final Map<String, Object> parameters;
        final Activation activation;
        final DataType type;
        final long[] shape;
        final int nOut;
        final long rowsPerExample;
        final INDArray labels;
        final INDArray logits;
        final INDArray mask;
        final MaskKind maskKind;
        final boolean fractionalMask;
        final boolean softLabels;
        final double logitScale;
        final String where;

        Case(LossFunction loss, Map<String, Object> parameters, Activation activation, DataType type, long[] shape,
             int nOut, long rowsPerExample, INDArray labels, INDArray logits, INDArray mask, MaskKind maskKind,
             boolean fractionalMask, boolean softLabels, double logitScale, String where) {
            this.loss = loss;
            this.parameters = parameters;
            this.activation = activation;
            this.type = type;
            this.shape = shape;
            this.nOut = nOut;
            this.rowsPerExample = rowsPerExample;
            this.labels = labels;
            this.logits = logits;
            this.mask = mask;
            this.maskKind = maskKind;
            this.fractionalMask = fractionalMask;
            this.softLabels = softLabels;
            this.logitScale = logitScale;
            this.where = where;
        }

        Case withLoss(LossFunction other, String why) {
            return new Case(other, parameters, activation, type, shape, nOut, rowsPerExample, labels, logits, mask,
                    maskKind, fractionalMask, softLabels, logitScale, where + " (" + why + ")");
        }

        Case withLogits(INDArray z, String why) {
            return new Case(loss, parameters, activation, type, shape, nOut, rowsPerExample, labels, z, mask, maskKind,
                    fractionalMask, softLabels, logitScale, where + " (" + why + ")");
        }

        /** The same values in another data type (HALF-rounded values stay as they are). */
        Case as(DataType t) {
            return new Case(loss, parameters, activation, t, shape, nOut, rowsPerExample, labels.castTo(t),
                    logits.castTo(t), mask == null ? null : mask.castTo(t), maskKind, fractionalMask, softLabels,
                    logitScale, where + " as " + t);
        }

        long rows() {
            return logits.size(0);
        }

        long examples() {
            return rows() / rowsPerExample;
        }

        @Override
        public String toString() {
            return where + ": " + loss.spec() + ", " + activation + ", " + type + ", shape " + Arrays.toString(shape)
                    + " (" + rows() + " rows x " + nOut + ", rowsPerExample " + rowsPerExample + "), "
                    + (softLabels ? "soft" : "hard") + " labels, mask " + maskKind + (fractionalMask ? " (fractional)" : "")
                    + ", logit scale " + logitScale + " (seed " + SEED + ")";
        }
    }

    /**
     * A random case of the given data type. The shape is [N, C] (dense), [N, C, T] (RNN or 1-D),
     * [N, C, H, W] or [N, C, D, H, W]; it is flattened to {@code N * positions} rows, row
     * {@code n * positions + position} (CnnLossLayer / Cnn3DLossLayer order), and a
     * {@link RowGroupedLoss} is configured with {@code withRowsPerExample(positions)}.
     */
    static Case input(LossRegistry registry, LossUnderTest l, String where, Random rng, DataType type) {
        return input(registry, l, where, rng, type, false);
    }

    /**
     * A small DOUBLE case for finite differences: at most 3 examples, 4 positions and 4 outputs,
     * logits N(0, 2^2).
     */
    static Case smallInput(LossRegistry registry, LossUnderTest l, String where, Random rng) {
        return input(registry, l, where, rng, DataType.DOUBLE, true);
    }

    private static Case input(LossRegistry registry, LossUnderTest l, String where, Random rng, DataType type,
                              boolean small) {
        Activation act = l.activations.get(rng.nextInt(l.activations.size()));
        int nOut = l.width(act, rng, small ? 4 : LossSettings.MAX_WIDTH);
        int rank = 2 + rng.nextInt(4);
        long[] spatial;
        switch (rank) {
            case 2:
                spatial = new long[0];
                break;
            case 3:
                spatial = new long[]{1 + rng.nextInt(small ? 4 : 12)};
                break;
            case 4:
                spatial = new long[]{1 + rng.nextInt(small ? 2 : 6), 1 + rng.nextInt(small ? 2 : 6)};
                break;
            default:
                spatial = new long[]{1 + rng.nextInt(small ? 1 : 4), 1 + rng.nextInt(small ? 2 : 4),
                        1 + rng.nextInt(small ? 2 : 4)};
                break;
        }
        long positions = 1;
        for (long s : spatial) {
            positions *= s;
        }
        Drawn d = drawLoss(registry, l, act, nOut, rng);
        LossFunction loss = d.loss;
        long rowsPerExample = 1;
        if (loss instanceof RowGroupedLoss) {
            loss = ((RowGroupedLoss) loss).withRowsPerExample(positions);
            rowsPerExample = positions;
        }
        return arrays(l.settings, loss, d.parameters, act, nOut, spatial, rowsPerExample, where, rng, type, small);
    }

    /**
     * Another case for the same loss instance, activation, width and spatial shape as {@code c}
     * (a new batch size, new arrays, the given data type).
     */
    static Case sameLoss(LossUnderTest l, Case c, String where, Random rng, DataType type) {
        long[] spatial = Arrays.copyOfRange(c.shape, 2, c.shape.length);
        return arrays(l.settings, c.loss, c.parameters, c.activation, c.nOut, spatial, c.rowsPerExample, where, rng,
                type, false);
    }

    private static Case arrays(LossSettings settings, LossFunction loss, Map<String, Object> parameters, Activation act,
                               int nOut, long[] spatial, long rowsPerExample, String where, Random rng, DataType type,
                               boolean small) {
        long positions = 1;
        for (long s : spatial) {
            positions *= s;
        }
        int n = 1 + rng.nextInt(small ? 3 : 64);
        while (n > 1 && n * positions * nOut > MAX_ELEMENTS) {
            n = Math.max(1, n / 2);
        }
        long[] shape = new long[2 + spatial.length];
        shape[0] = n;
        shape[1] = nOut;
        System.arraycopy(spatial, 0, shape, 2, spatial.length);
        int rows = (int) (n * positions);

        boolean softmax = act == Activation.SOFTMAX;
        boolean soft = settings.softLabels && rng.nextDouble() < SOFT_LABELS;
        double[] y = labels(rows, nOut, softmax, soft, rng);
        double scale = small ? 2.0 : LOGIT_SCALES[rng.nextInt(LOGIT_SCALES.length)];
        double[] z = new double[rows * nOut];
        for (int i = 0; i < z.length; i++) {
            double v = rng.nextGaussian() * scale;
            if (!small && rng.nextDouble() < 0.05) {
                v = rng.nextBoolean() ? MAX_LOGIT : -MAX_LOGIT;
            }
            z[i] = Math.max(-MAX_LOGIT, Math.min(MAX_LOGIT, v));
        }
        if (!small) {
            // saturated rows (a dead or diverging output unit): every logit of the row equal and extreme
            for (int r = 0; r < rows; r++) {
                if (rng.nextDouble() < 0.03) {
                    double v = rng.nextBoolean() ? MAX_LOGIT : -MAX_LOGIT;
                    Arrays.fill(z, r * nOut, (r + 1) * nOut, v);
                }
            }
        }
        MaskKind kind = MaskKind.values()[rng.nextInt(3)];
        boolean fractional = kind != MaskKind.NONE && settings.fractionalMasks && rng.nextDouble() < FRACTIONAL_MASK;
        INDArray mask = null;
        if (kind != MaskKind.NONE) {
            int cols = kind == MaskKind.PER_OUTPUT ? nOut : 1;
            double[] m = new double[rows * cols];
            for (int i = 0; i < m.length; i++) {
                // 0/1 with P(1) = 0.75; fractional: 0 with P 0.2, else a weight uniform in (0, 3)
                m[i] = fractional ? (rng.nextDouble() < 0.2 ? 0 : 3 * rng.nextDouble()) : rng.nextDouble() < 0.75 ? 1 : 0;
            }
            if (cols > 1 && settings.perOutputMask(act) == LossSettings.PerOutputMask.ROW_CONSTANT) {
                for (int r = 0; r < rows; r++) {
                    Arrays.fill(m, r * cols, (r + 1) * cols, m[r * cols]);
                }
            }
            mask = Nd4j.createFromArray(m).reshape('c', rows, cols).castTo(type);
        }
        return new Case(loss, parameters, act, type, shape, nOut, rowsPerExample,
                Nd4j.createFromArray(y).reshape('c', rows, nOut).castTo(type),
                Nd4j.createFromArray(z).reshape('c', rows, nOut).castTo(type), mask, kind, fractional, soft, scale, where);
    }

    /**
     * Labels: SOFTMAX one-hot rows (3 % all-zero, the padding of masked steps or pixels) or random
     * distributions; otherwise 0/1 or uniform in [0, 1].
     */
    private static double[] labels(int rows, int nOut, boolean softmax, boolean soft, Random rng) {
        double[] y = new double[rows * nOut];
        for (int r = 0; r < rows; r++) {
            if (softmax) {
                if (soft) {
                    double sum = 0;
                    for (int c = 0; c < nOut; c++) {
                        y[r * nOut + c] = rng.nextDouble() < 0.3 ? 0 : rng.nextDouble();
                        sum += y[r * nOut + c];
                    }
                    if (sum == 0) {
                        y[r * nOut + rng.nextInt(nOut)] = 1;
                    } else {
                        for (int c = 0; c < nOut; c++) {
                            y[r * nOut + c] /= sum;
                        }
                    }
                } else if (rng.nextDouble() >= 0.03) {
                    y[r * nOut + rng.nextInt(nOut)] = 1;
                }
            } else {
                for (int c = 0; c < nOut; c++) {
                    y[r * nOut + c] = soft ? rng.nextDouble() : (rng.nextBoolean() ? 1 : 0);
                }
            }
        }
        return y;
    }
}
