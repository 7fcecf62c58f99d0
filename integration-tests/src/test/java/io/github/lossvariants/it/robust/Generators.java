package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.internal.LossInputs;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
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
 * Seeded generators of valid parameters (from each provider's {@code ParameterSchema}) and of
 * random inputs (shapes 2-D to 5-D flattened to rows as DL4J's loss layers do, batch 1..64, float
 * and double, masks, logits up to +-1e4).
 */
final class Generators {
    /** Base seed of every generator; override with {@code -Drobust.seed=...}. */
    static final long SEED = Long.getLong("robust.seed", 20240612L);
    /** Largest absolute logit drawn. */
    static final double MAX_LOGIT = 1e4;
    /** Upper end used for a parameter range with no upper bound, above its lower bound. */
    static final double OPEN_RANGE_WIDTH = 5.0;
    /** Elements (rows x nOut) above which a case's batch is halved (keeps one case in the milliseconds). */
    static final int MAX_ELEMENTS = 1200;
    private static final double[] LOGIT_SCALES = {0.5, 3, 30, 1000, MAX_LOGIT};

    private Generators() {
    }

    static Random rng(String lossName, String property, int index) {
        return new Random(SEED ^ (31L * lossName.hashCode() + 1009L * property.hashCode() + index));
    }

    // ------------------------------------------------------------------ parameters

    /** Valid parameters for {@code nOut} outputs; rowsPerExample is left to the shape. */
    static Map<String, Object> parameters(LossUnderTest l, int nOut, Random rng) {
        return parameters(l, nOut, rng, 1.0);
    }

    /**
     * @param drawProbability probability that a parameter with a default is drawn rather than left at
     *                        its default (lowered on rejected draws: schemas cannot express
     *                        constraints between parameters, e.g. gammaMin &lt;= gammaInitial &lt;= gammaMax)
     */
    static Map<String, Object> parameters(LossUnderTest l, int nOut, Random rng, double drawProbability) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (ParameterSpec s : l.provider.parameters().specs()) {
            if (s.name().equals("rowsPerExample")) {
                continue;
            }
            if (!s.isRequired()
                    && (s.isOptional() ? rng.nextDouble() >= drawProbability / 2 : rng.nextDouble() >= drawProbability)) {
                continue;
            }
            values.put(s.name(), value(s, nOut, rng));
        }
        return values;
    }

    /** A loss with random valid parameters: redraws (up to 50 times) when the provider rejects a combination. */
    static Drawn drawLoss(LossRegistry registry, LossUnderTest l, int nOut, Random rng) {
        return drawLoss(registry, l, nOut, null, rng);
    }

    /**
     * As {@link #drawLoss(LossRegistry, LossUnderTest, int, Random)}, also redrawing when the loss
     * rejects the activation with {@code nOut} outputs (a parameter that chooses the activation, e.g.
     * {@code mode} of {@code lovasz}); {@code activation} null skips that check.
     */
    static Drawn drawLoss(LossRegistry registry, LossUnderTest l, int nOut, Activation activation, Random rng) {
        LossConfigurationException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            Map<String, Object> p = parameters(l, nOut, rng, attempt < 10 ? 1.0 : attempt < 30 ? 0.5 : 0.2);
            try {
                LossFunction loss = registry.create(l.name, p);
                if (activation == null || LossUnderTest.acceptsActivation(loss, activation, nOut)) {
                    return new Drawn(loss, p, attempt);
                }
                last = new LossConfigurationException(loss.spec() + " rejects " + activation + " with " + nOut
                        + " outputs");
            } catch (LossConfigurationException e) {
                last = e;
            }
        }
        throw new AssertionError(l.name + ": 50 random parameter draws in the schema's ranges were all rejected; last: "
                + last.getMessage(), last);
    }

    static final class Drawn {
        final LossFunction loss;
        final Map<String, Object> parameters;
        final int rejectedDraws;

        Drawn(LossFunction loss, Map<String, Object> parameters, int rejectedDraws) {
            this.loss = loss;
            this.parameters = parameters;
            this.rejectedDraws = rejectedDraws;
        }
    }

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
                // one element per output; keep elements away from 0 so that the weights of the
                // counted classes cannot all vanish (a documented configuration error)
                double[] v = new double[nOut];
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
                int[] v = all.subList(0, Math.min(k, all.size())).stream().mapToInt(Integer::intValue).sorted().toArray();
                return v;
            }
            default:
                throw new AssertionError("unknown parameter type " + s.type());
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
        final Activation activation;
        final DataType type;
        final long[] shape;
        final int nOut;
        final long rowsPerExample;
        final INDArray labels;
        final INDArray logits;
        final INDArray mask;
        final MaskKind maskKind;
        final double logitScale;
        final String where;

        Case(LossFunction loss, Activation activation, DataType type, long[] shape, int nOut, long rowsPerExample,
             INDArray labels, INDArray logits, INDArray mask, MaskKind maskKind, double logitScale, String where) {
            this.loss = loss;
            this.activation = activation;
            this.type = type;
            this.shape = shape;
            this.nOut = nOut;
            this.rowsPerExample = rowsPerExample;
            this.labels = labels;
            this.logits = logits;
            this.mask = mask;
            this.maskKind = maskKind;
            this.logitScale = logitScale;
            this.where = where;
        }

        Case withLoss(LossFunction other) {
            return new Case(other, activation, type, shape, nOut, rowsPerExample, labels, logits, mask, maskKind,
                    logitScale, where + " (surrogate-gradient flag off)");
        }

        Case withLogits(INDArray z) {
            return new Case(loss, activation, type, shape, nOut, rowsPerExample, labels, z, mask, maskKind, logitScale,
                    where + " (logits clamped)");
        }

        long rows() {
            return logits.size(0);
        }

        @Override
        public String toString() {
            return where + ": " + loss.spec() + ", " + activation + ", " + type + ", shape " + Arrays.toString(shape)
                    + " (" + rows() + " rows x " + nOut + ", rowsPerExample " + rowsPerExample + "), mask " + maskKind
                    + ", logit scale " + logitScale + " (seed " + SEED + ")";
        }
    }

    /**
     * A random case. The shape is [N, C] (dense), [N, C, T] (RNN or 1-D), [N, C, H, W] or
     * [N, C, D, H, W]; it is flattened to {@code N * spatial} rows, row {@code n * spatial + position}
     * (CnnLossLayer / Cnn3DLossLayer order), and a {@link RowGroupedLoss} is configured with
     * {@code withRowsPerExample(spatial)}.
     *
     * @param small a small case for finite differences: at most 3 examples, 4 positions and 5
     *              outputs, logits N(0, 2^2) in double
     */
    static Case input(LossRegistry registry, LossUnderTest l, String where, Random rng, boolean small) {
        Activation act = l.activations.get(rng.nextInt(l.activations.size()));
        int nOut = l.width(act, rng, small ? 4 : 6);
        DataType type = small ? DataType.DOUBLE : (rng.nextBoolean() ? DataType.FLOAT : DataType.DOUBLE);
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
        int n = 1 + rng.nextInt(small ? 3 : 64);
        while (n > 1 && n * positions * nOut > MAX_ELEMENTS) {
            n = Math.max(1, n / 2);
        }
        long[] shape = new long[2 + spatial.length];
        shape[0] = n;
        shape[1] = nOut;
        System.arraycopy(spatial, 0, shape, 2, spatial.length);
        int rows = (int) (n * positions);

        Generators.Drawn d = drawLoss(registry, l, nOut, act, rng);
        LossFunction loss = d.loss;
        long rowsPerExample = 1;
        if (loss instanceof RowGroupedLoss) {
            loss = ((RowGroupedLoss) loss).withRowsPerExample(positions);
            rowsPerExample = positions;
        }

        boolean softmax = act == Activation.SOFTMAX;
        boolean soft = l.softLabels && rng.nextDouble() < 0.3;
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
                } else {
                    y[r * nOut + rng.nextInt(nOut)] = 1;
                }
            } else {
                for (int c = 0; c < nOut; c++) {
                    y[r * nOut + c] = soft ? rng.nextDouble() : (rng.nextBoolean() ? 1 : 0);
                }
            }
        }
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
        if (kind == MaskKind.PER_OUTPUT && !l.perOutputMask) {
            kind = MaskKind.PER_EXAMPLE;
        }
        INDArray mask = null;
        if (kind != MaskKind.NONE) {
            int cols = kind == MaskKind.PER_OUTPUT ? nOut : 1;
            double[] m = new double[rows * cols];
            for (int i = 0; i < m.length; i++) {
                m[i] = rng.nextDouble() < 0.75 ? 1 : 0;
            }
            // softmax couples a row's classes: per-output masks must be constant within a row (main's
            // mask rule, LossInputs.requireRowConstantMask); partial rows are rejected by design
            if (cols > 1 && (softmax || LossUnderTest.ROW_CONSTANT_PER_OUTPUT_MASK.contains(l.name))) {
                for (int r = 0; r < rows; r++) {
                    Arrays.fill(m, r * cols, (r + 1) * cols, m[r * cols]);
                }
            }
            mask = Nd4j.createFromArray(m).reshape('c', rows, cols).castTo(type);
        }
        return new Case(loss, act, type, shape, nOut, rowsPerExample,
                Nd4j.createFromArray(y).reshape('c', rows, nOut).castTo(type),
                Nd4j.createFromArray(z).reshape('c', rows, nOut).castTo(type), mask, kind, scale,
                where + (d.rejectedDraws > 0 ? " (after " + d.rejectedDraws + " rejected parameter draws)" : ""));
    }
}
