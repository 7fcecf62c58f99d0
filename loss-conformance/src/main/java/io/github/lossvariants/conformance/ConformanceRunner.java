package io.github.lossvariants.conformance;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Runs reference-vector cases (see {@link ConformanceCase}) against the losses of a
 * {@link LossRegistry}, exactly as DL4J's layers would call them.
 *
 * <p>How a case maps to DL4J inputs:
 * <ul>
 *   <li>the loss is {@code registry.create(case.loss(), case.params())}; an unregistered name, an
 *       unknown or invalid parameter, or any exception thrown by the loss is a <b>failure</b>
 *       (never a skip), with the message. So is a case this runner does not fully understand: an
 *       unknown {@code kind} or {@code activation}, a field it does not know
 *       ({@link ConformanceCase#unknownFields()}), a {@code schema} other than 1, or a
 *       {@code class_counts} that differs from {@code params.classCounts};</li>
 *   <li>activation {@code sigmoid} is {@link ActivationSigmoid}, {@code softmax} is
 *       {@link ActivationSoftmax}, {@code none} (the loss reads the raw logits) is DL4J's
 *       {@link ActivationIdentity} ({@code Activation.IDENTITY});</li>
 *   <li>shape {@code [N, C]}: rows are examples. Shape {@code [N, C, spatial...]} (NCHW, NCDHW) is
 *       permuted to {@code [N*spatial, C]} rows as {@code CnnLossLayer} does (row
 *       {@code n*H*W + h*W + w}, 'c' order); the gradient is permuted back for comparison;</li>
 *   <li>kind {@code elementwise}: per-example values are the sums of each example's rows of
 *       {@code computeScoreArray}. {@code per_element} is compared through its sums per example:
 *       DL4J's loss API gives per-row values only, and a per-output mask is no neutral probe of
 *       single elements (softmax losses reject masks that differ within a row, and a loss may treat
 *       masked labels as unknown, which changes the other terms of the row, as
 *       {@code distribution-balanced}'s repeat rate). Its sums must equal the file's
 *       {@code per_example} (else the case fails as inconsistent) and stand in for it when it is
 *       absent;</li>
 *   <li>kinds {@code region} and {@code per-example}: the loss's value per example is not a sum over
 *       rows. A {@code region} case, and a {@code per-example} case with spatial dimensions, need a
 *       loss implementing {@link RowGroupedLoss}, used as {@code withRowsPerExample(prod(spatial))}
 *       (otherwise the case fails); per-example values are the sums of each example's rows (one
 *       value, the total, for a region case with {@code batch=true});</li>
 *   <li>kind {@code minibatch}: the loss couples the whole minibatch; {@code per_example} must have
 *       exactly one entry (the total), compared with the sum of all rows of
 *       {@code computeScoreArray} (each row's share of the minibatch loss, as the loss documents
 *       it); a {@link RowGroupedLoss} is configured as for {@code region};</li>
 *   <li>compared: {@code total} against {@code computeScore(average=false)}, {@code per_example}
 *       (or the sums of {@code per_element}), {@code gradient} against {@code computeGradient}, and
 *       {@code computeGradientAndScore} against both, with |actual - expected| &lt;= atol +
 *       rtol*|expected|: a DOUBLE run with rtol 1e-7, atol 1e-9 and a FLOAT run with rtol 1e-3,
 *       atol 1e-5 (the README's tolerances). Any non-finite value fails.</li>
 * </ul>
 * Each call receives its own copy of the inputs, so a loss that mutates its inputs cannot
 * corrupt the next comparison (use {@code LossChecks.assertNoMutation} of loss-testkit to catch that).
 *
 * @since 0.1.0
 */
public final class ConformanceRunner {
    /** Relative tolerance of the DOUBLE run. */
    public static final double DOUBLE_RTOL = 1e-7;
    /** Absolute tolerance of the DOUBLE run. */
    public static final double DOUBLE_ATOL = 1e-9;
    /** Relative tolerance of the FLOAT run. */
    public static final double FLOAT_RTOL = 1e-3;
    /** Absolute tolerance of the FLOAT run. */
    public static final double FLOAT_ATOL = 1e-5;

    private final LossRegistry registry;

    /** @param registry where the cases' losses are looked up; not null */
    public ConformanceRunner(LossRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * @return the folder of reference vectors: system property {@code conformance.dir}, else
     * environment variable {@code LOSS_CONFORMANCE_DIR}, else {@code ../shared/conformance}
     */
    public static Path defaultDirectory() {
        String p = System.getProperty("conformance.dir");
        if (p == null || p.isBlank()) {
            p = System.getenv("LOSS_CONFORMANCE_DIR");
        }
        if (p == null || p.isBlank()) {
            p = "../shared/conformance";
        }
        return Paths.get(p);
    }

    /**
     * Runs every case of a folder.
     *
     * @param dir the folder of {@code *.json} cases
     * @return the report, one result per case in file-name order
     * @throws IllegalArgumentException when the folder is missing or a file is malformed
     */
    public ConformanceReport run(Path dir) {
        return run(dir, c -> true);
    }

    /**
     * Runs the cases of a folder that the filter accepts.
     *
     * @param dir    the folder
     * @param filter which cases to run, e.g. {@code c -> c.loss().equals("focal")}
     * @return the report
     * @throws IllegalArgumentException when the folder is missing or a file is malformed
     */
    public ConformanceReport run(Path dir, Predicate<ConformanceCase> filter) {
        List<CaseResult> results = new ArrayList<>();
        for (ConformanceCase c : ConformanceCase.readAll(dir)) {
            if (filter.test(c)) {
                results.add(run(c));
            }
        }
        return new ConformanceReport(results);
    }

    /** The kinds of case this runner understands. */
    public static final List<String> KINDS = List.of("elementwise", "region", "per-example", "minibatch");

    /** The activations this runner understands. */
    public static final List<String> ACTIVATIONS = List.of("sigmoid", "softmax", "none");

    /**
     * Runs one case in DOUBLE and then FLOAT.
     *
     * @param c the case
     * @return passed, or failed with the first mismatch or error
     */
    public CaseResult run(ConformanceCase c) {
        String problem = formatProblem(c);
        if (problem != null) {
            return CaseResult.fail(c, problem);
        }
        if (registry.provider(c.loss()).isEmpty()) {
            return CaseResult.fail(c, "loss '" + c.loss() + "' is not registered (registered: "
                    + (registry.names().isEmpty() ? "none" : String.join(", ", registry.names())) + ")");
        }
        ILossFunction loss;
        try {
            loss = registry.create(c.loss(), c.params());
        } catch (RuntimeException e) {
            return CaseResult.fail(c, "cannot create loss '" + c.loss() + "' with params " + c.params() + ": "
                    + describe(e));
        }
        IActivation activation = activation(c.activation());
        long[] shape = c.shape();
        long spatial = 1;
        for (int i = 2; i < shape.length; i++) {
            spatial *= shape[i];
        }
        boolean grouped = "region".equals(c.kind()) || ("per-example".equals(c.kind()) && spatial > 1);
        if (grouped && !(loss instanceof RowGroupedLoss)) {
            return CaseResult.fail(c, "kind '" + c.kind() + "'" + (spatial > 1 ? " with spatial dimensions" : "")
                    + " needs a loss implementing " + RowGroupedLoss.class.getName() + " (so it can group the "
                    + spatial + " rows of each example), but " + loss.getClass().getName() + " does not");
        }
        if (loss instanceof RowGroupedLoss && !"elementwise".equals(c.kind())) {
            try {
                loss = ((RowGroupedLoss) loss).withRowsPerExample(spatial);
            } catch (RuntimeException e) {
                return CaseResult.fail(c, "withRowsPerExample(" + spatial + ") threw " + describe(e));
            }
        }
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            String failure;
            try {
                failure = runIn(c, loss, activation, shape, spatial, type);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                failure = "loss threw " + describe(e) + " (" + dtypeName(type) + ")";
            }
            if (failure != null) {
                return CaseResult.fail(c, failure);
            }
        }
        return CaseResult.pass(c);
    }

    /** @return why the runner cannot run the case as written (format version, kind, activation, fields), or null */
    private static String formatProblem(ConformanceCase c) {
        if (c.schema() != null && c.schema() != ConformanceCase.SCHEMA_VERSION) {
            return "schema " + c.schema() + " is not understood (this runner reads schema "
                    + ConformanceCase.SCHEMA_VERSION + ")";
        }
        if (!KINDS.contains(c.kind())) {
            return "unknown kind '" + c.kind() + "' (this runner understands " + String.join(", ", KINDS) + ")";
        }
        if (!ACTIVATIONS.contains(c.activation())) {
            return "unsupported activation '" + c.activation() + "' (this runner understands "
                    + String.join(", ", ACTIVATIONS) + ")";
        }
        if (!c.unknownFields().isEmpty()) {
            return "unknown field" + (c.unknownFields().size() == 1 ? " " : "s ") + String.join(", ", c.unknownFields())
                    + " (a field the runner does not understand may change what the case means; it understands "
                    + "the fields of shared/conformance/README.md)";
        }
        double[] counts = c.classCounts();
        if (counts != null) {
            Object p = c.params().get("classCounts");
            double[] given = p instanceof List && ((List<?>) p).stream().allMatch(v -> v instanceof Number)
                    ? ((List<?>) p).stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray() : null;
            if (!Arrays.equals(counts, given)) {
                return "class_counts " + Arrays.toString(counts) + " differs from params.classCounts "
                        + (p == null ? "(absent)" : p) + "; the README says they are the same numbers";
            }
        }
        return null;
    }

    private static IActivation activation(String name) {
        switch (name) {
            case "sigmoid":
                return new ActivationSigmoid();
            case "softmax":
                return new ActivationSoftmax();
            default:
                return new ActivationIdentity();
        }
    }

    private static String runIn(ConformanceCase c, ILossFunction loss, IActivation act, long[] shape, long spatial,
                                DataType type) {
        boolean isDouble = type == DataType.DOUBLE;
        double rtol = isDouble ? DOUBLE_RTOL : FLOAT_RTOL;
        double atol = isDouble ? DOUBLE_ATOL : FLOAT_ATOL;
        String dt = dtypeName(type);
        INDArray logits = toRows(c.logits(), shape, type);
        INDArray labels = toRows(c.labels(), shape, type);
        long rows = logits.size(0);

        double total = loss.computeScore(labels.dup(), logits.dup(), act, null, false);
        String f = compare("total", new double[]{c.total()}, new double[]{total}, rtol, atol, dt);
        if (f != null) {
            return f;
        }
        INDArray scoreArray = loss.computeScoreArray(labels.dup(), logits.dup(), act, null);
        f = checkScoreArray(scoreArray, rows, dt);
        if (f != null) {
            return f;
        }
        double[] perRow = columnValues(scoreArray, rows);
        double[] expectedPerExample = c.perExample();
        double[] perElement = c.perElement();
        if (perElement != null) {
            double[] sums = perExampleSums(perElement, shape);
            if (expectedPerExample == null) {
                expectedPerExample = sums;
            } else {
                f = compare("the file's per_example against its per_element sums", sums, expectedPerExample,
                        DOUBLE_RTOL, DOUBLE_ATOL, "as written");
                if (f != null) {
                    return "inconsistent case: " + f;
                }
            }
        }
        if (expectedPerExample != null) {
            double[] perExample;
            boolean single = "minibatch".equals(c.kind())
                    || ("region".equals(c.kind()) && Boolean.TRUE.equals(c.params().get("batch")));
            if (single) {
                if (expectedPerExample.length != 1) {
                    return "per_example of a " + (("minibatch".equals(c.kind())) ? "minibatch case" : "region case with"
                            + " batch=true") + " must have one entry (the total), the file has "
                            + expectedPerExample.length;
                }
                double s = 0;
                for (double v : perRow) {
                    s += v;
                }
                perExample = new double[]{s};
            } else {
                int n = (int) shape[0];
                perExample = new double[n];
                for (int i = 0; i < perRow.length; i++) {
                    perExample[(int) (i / spatial)] += perRow[i];
                }
            }
            f = compare("per_example", expectedPerExample, perExample, rtol, atol, dt);
            if (f != null) {
                return f;
            }
        }
        INDArray grad = loss.computeGradient(labels.dup(), logits.dup(), act, null);
        double[] expectedGradient = c.gradient();
        if (expectedGradient != null) {
            f = compareGradient("gradient", expectedGradient, grad, shape, rtol, atol, dt);
            if (f != null) {
                return f;
            }
        }
        Pair<Double, INDArray> both = loss.computeGradientAndScore(labels.dup(), logits.dup(), act, null, false);
        if (both == null || both.getFirst() == null) {
            return "computeGradientAndScore returned no score (" + dt + ")";
        }
        f = compare("computeGradientAndScore total", new double[]{c.total()}, new double[]{both.getFirst()}, rtol, atol, dt);
        if (f != null) {
            return f;
        }
        if (expectedGradient != null) {
            f = compareGradient("computeGradientAndScore gradient", expectedGradient, both.getSecond(), shape, rtol,
                    atol, dt);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private static String checkScoreArray(INDArray scoreArray, long rows, String dt) {
        if (scoreArray == null || scoreArray.length() != rows
                || !(scoreArray.rank() == 2 && scoreArray.size(1) == 1)) {
            return "computeScoreArray returned shape " + (scoreArray == null ? "null" : Arrays.toString(scoreArray.shape()))
                    + ", expected [" + rows + ", 1] (" + dt + ")";
        }
        return null;
    }

    private static double[] columnValues(INDArray column, long rows) {
        return column.castTo(DataType.DOUBLE).dup('c').reshape('c', new long[]{rows}).toDoubleVector();
    }

    /** @return the sum of each example's elements of 'c'-order data of {@code shape} (batch first) */
    private static double[] perExampleSums(double[] flat, long[] shape) {
        int n = (int) shape[0];
        int per = flat.length / n;
        double[] sums = new double[n];
        for (int i = 0; i < flat.length; i++) {
            sums[i / per] += flat[i];
        }
        return sums;
    }

    private static String compareGradient(String field, double[] expected, INDArray actualRows, long[] shape,
                                          double rtol, double atol, String dt) {
        if (actualRows == null) {
            return field + " is null (" + dt + ")";
        }
        long rows = expected.length / shape[1];
        if (actualRows.rank() != 2 || actualRows.size(0) != rows || actualRows.size(1) != shape[1]) {
            return field + " has shape " + Arrays.toString(actualRows.shape()) + ", expected [" + rows + ", "
                    + shape[1] + "] (" + dt + ")";
        }
        return compare(field, expected, fromRows(actualRows, shape), rtol, atol, dt);
    }

    /** Compares element-wise; returns the first mismatch or non-finite value, or null. */
    static String compare(String field, double[] expected, double[] actual, double rtol, double atol, String dt) {
        if (expected.length != actual.length) {
            return field + " has " + actual.length + " values, expected " + expected.length + " (" + dt + ")";
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            String at = expected.length == 1 && !field.contains("per_example") ? field : field + "[" + i + "]";
            if (!Double.isFinite(a)) {
                return at + " expected " + e + " got non-finite " + a + " (" + dt + ")";
            }
            if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
                return at + " expected " + e + " got " + a + " (" + dt + ", |diff| " + Math.abs(a - e)
                        + " > atol " + atol + " + rtol " + rtol + " * |expected|)";
            }
        }
        return null;
    }

    /** Flat 'c'-order data of {@code shape} to DL4J rows: {@code [N, C]} as is, N-D as CnnLossLayer. */
    static INDArray toRows(double[] flat, long[] shape, DataType type) {
        INDArray a = Nd4j.createFromArray(flat).reshape('c', shape).castTo(type);
        if (shape.length == 2) {
            return a.dup('c');
        }
        int[] perm = new int[shape.length];
        perm[0] = 0;
        for (int i = 1; i < shape.length - 1; i++) {
            perm[i] = i + 1;
        }
        perm[shape.length - 1] = 1;
        long rows = a.length() / shape[1];
        return a.permute(perm).dup('c').reshape('c', new long[]{rows, shape[1]});
    }

    /** Inverse of {@link #toRows}: rows back to flat 'c'-order data of {@code shape}, in double. */
    static double[] fromRows(INDArray rows, long[] shape) {
        INDArray r = rows.castTo(DataType.DOUBLE).dup('c');
        if (shape.length == 2) {
            return r.reshape('c', new long[]{r.length()}).toDoubleVector();
        }
        long[] nsc = new long[shape.length];
        nsc[0] = shape[0];
        for (int i = 2; i < shape.length; i++) {
            nsc[i - 1] = shape[i];
        }
        nsc[shape.length - 1] = shape[1];
        int[] perm = new int[shape.length];
        perm[0] = 0;
        perm[1] = shape.length - 1;
        for (int i = 2; i < shape.length; i++) {
            perm[i] = i - 1;
        }
        INDArray back = r.reshape('c', nsc).permute(perm).dup('c');
        return back.reshape('c', new long[]{back.length()}).toDoubleVector();
    }

    /** @return the data type as the reference vectors (PyTorch) name it: float64, float32, half, ... */
    public static String dtypeName(DataType type) {
        return type == DataType.DOUBLE ? "float64" : type == DataType.FLOAT ? "float32" : type.name().toLowerCase();
    }

    /** @return the exception and each of its causes, as {@code Type: message <- Cause: message} */
    public static String describe(Throwable e) {
        StringBuilder b = new StringBuilder(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            b.append(" <- ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        return b.toString();
    }
}
