package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.testkit.LossChecks;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The properties every generated case must have, checked on what the {@code ILossFunction} entry
 * points return ({@link Results}: three calls per case and data type, all five in every
 * {@value #ALL_ENTRY_POINTS_EVERY}th case):
 * <ul>
 *   <li><b>finite</b>: scores, score array and gradient;</li>
 *   <li><b>non-negative</b>: every row score and the total, unless the loss's settings say its score
 *       may be negative with these parameters;</li>
 *   <li><b>additive</b>: {@code computeScore(false)} = sum of {@code computeScoreArray} (a {@code [rows, 1]}
 *       column) = the score of {@code computeGradientAndScore}; {@code computeScore(true)} = that sum /
 *       examples; {@code computeGradient} = the gradient of {@code computeGradientAndScore};</li>
 *   <li><b>unmutated</b>: labels, logits and mask bit-identical after all calls;</li>
 *   <li><b>linear per-row mask</b> (DOUBLE cases of losses whose rows are independent): with a
 *       per-row mask m, row scores and gradient rows are m times those without the mask;</li>
 *   <li><b>HALF</b> (HALF cases): all of the above for the FLOAT computation on the same (HALF-rounded)
 *       values, and the HALF results finite, in HALF, non-negative, inputs unmutated, within
 *       {@link LossChecks#HALF_RTOL} of FLOAT (arrays relative to max(1, max |element|), the FLOAT
 *       values taken at HALF's range +-65504, where this project's HALF results saturate).</li>
 * </ul>
 */
final class CaseChecks {
    /** HALF's largest finite value: HALF results saturate there. */
    static final double HALF_MAX = 65504.0;

    private CaseChecks() {
    }

    /**
     * What the entry points returned for one case, as doubles. {@code computeGradientAndScore(false)},
     * {@code computeScoreArray} and {@code computeScore(false)} are called for every case (in
     * {@code BaseLoss} they are the three code paths: gradient, row scores, total);
     * {@code computeScore(true)} and {@code computeGradient}, which repeat a path, when
     * {@code allEntryPoints} (every {@value #ALL_ENTRY_POINTS_EVERY}th case), else null / NaN.
     */
    static final class Results {
        final double score;
        final double gradientAndScoreScore;
        final double scoreAverage;
        final INDArray scoreArray;
        final INDArray gradientOfBoth;
        final INDArray gradient;
        final double[] rows;
        final double[] gradBoth;
        final double[] grad;

        private Results(double score, double gradientAndScoreScore, double scoreAverage, INDArray scoreArray,
                        INDArray gradientOfBoth, INDArray gradient) {
            this.score = score;
            this.gradientAndScoreScore = gradientAndScoreScore;
            this.scoreAverage = scoreAverage;
            this.scoreArray = scoreArray;
            this.gradientOfBoth = gradientOfBoth;
            this.gradient = gradient;
            this.rows = flat(scoreArray);
            this.gradBoth = flat(gradientOfBoth);
            this.grad = gradient == null ? null : flat(gradient);
        }

        boolean allEntryPoints() {
            return gradient != null;
        }

        static Results of(ILossFunction loss, INDArray y, INDArray z, IActivation act, INDArray mask,
                          boolean allEntryPoints) {
            Pair<Double, INDArray> both = loss.computeGradientAndScore(y, z, act, mask, false);
            INDArray rows = loss.computeScoreArray(y, z, act, mask);
            double score = loss.computeScore(y, z, act, mask, false);
            double average = allEntryPoints ? loss.computeScore(y, z, act, mask, true) : Double.NaN;
            INDArray g = allEntryPoints ? loss.computeGradient(y, z, act, mask) : null;
            return new Results(score, both.getFirst(), average, rows, both.getSecond(), g);
        }
    }

    /** Cases whose index is a multiple of this call all five entry points. */
    static final int ALL_ENTRY_POINTS_EVERY = 4;

    /**
     * Checks a FLOAT or DOUBLE case.
     *
     * @return the results (for a HALF comparison)
     */
    static Results checkCase(LossUnderTest l, Generators.Case c, boolean allEntryPoints) {
        IActivation act = c.activation.getActivationFunction();
        Snapshot before = new Snapshot(c);
        Results r = Results.of(c.loss, c.labels, c.logits, act, c.mask, allEntryPoints);
        before.assertUnchanged(c);
        assertShapes(c, r);
        assertFinite(c, r);
        assertNonNegative(l, c, r, c.type == DataType.DOUBLE ? 1e-12 : 1e-6);
        assertAdditive(c, r);
        return r;
    }

    /**
     * Per-row mask m (DOUBLE cases): row scores and gradient rows equal m times those without the
     * mask, within 1e-12 + 1e-9 * (the largest magnitude of the compared arrays): rounding of the
     * loss's own cancellations is relative to the whole row's terms, not to each element.
     */
    static void checkLinearRowMask(Generators.Case c, Results masked) {
        IActivation act = c.activation.getActivationFunction();
        Pair<Double, INDArray> plain = c.loss.computeGradientAndScore(c.labels, c.logits, act, null, false);
        double[] rows = flat(c.loss.computeScoreArray(c.labels, c.logits, act, null));
        double[] g = flat(plain.getSecond());
        double[] m = flat(c.mask);
        double rowScale = scale(rows, m, masked.rows, 1);
        double gradScale = scale(g, m, masked.gradBoth, c.nOut);
        for (int r = 0; r < rows.length; r++) {
            double expected = m[r] * rows[r];
            if (!(Math.abs(masked.rows[r] - expected) <= 1e-12 + 1e-9 * rowScale)) {
                fail("per-row mask " + m[r] + " on row " + r + ": masked row score " + masked.rows[r] + ", expected "
                        + m[r] + " * " + rows[r] + " = " + expected + " (a per-row mask scales the row linearly)");
            }
            for (int k = 0; k < c.nOut; k++) {
                int i = r * c.nOut + k;
                double e = m[r] * g[i];
                if (!(Math.abs(masked.gradBoth[i] - e) <= 1e-12 + 1e-9 * gradScale)) {
                    fail("per-row mask " + m[r] + " on row " + r + ": masked gradient[" + r + ", " + k + "] "
                            + masked.gradBoth[i] + ", expected " + m[r] + " * " + g[i] + " = " + e);
                }
            }
        }
    }

    /** @return max(1, max |m_row * plain|, max |masked|) */
    private static double scale(double[] plain, double[] m, double[] masked, int perRow) {
        double s = 1;
        for (int i = 0; i < plain.length; i++) {
            s = Math.max(s, Math.max(Math.abs(m[i / perRow] * plain[i]), Math.abs(masked[i])));
        }
        return s;
    }

    /**
     * Checks a HALF case: the FLOAT computation on the same values ({@link #checkCase}), then the
     * HALF results against it.
     */
    static void checkHalfCase(LossUnderTest l, Generators.Case half, Results reference) {
        IActivation act = half.activation.getActivationFunction();
        Snapshot before = new Snapshot(half);
        Results h = Results.of(half.loss, half.labels, half.logits, act, half.mask, reference.allEntryPoints());
        before.assertUnchanged(half);
        assertShapes(half, h);
        for (INDArray a : new INDArray[]{h.scoreArray, h.gradient, h.gradientOfBoth}) {
            if (a != null && a.dataType() != DataType.HALF) {
                fail("HALF inputs gave a " + a.dataType() + " result; DL4J expects arrays of the input's data type");
            }
        }
        // the FLOAT reference is finite (checked): HALF must be too
        assertFinite(half, h);
        assertNonNegative(l, half, h, 1e-6);
        double tol = LossChecks.HALF_RTOL;
        assertScoreClose("computeScore(average=false)", h.score, reference.score, tol);
        assertScoreClose("computeGradientAndScore score", h.gradientAndScoreScore, reference.gradientAndScoreScore, tol);
        assertArrayClose("computeScoreArray", h.rows, reference.rows, tol);
        assertArrayClose("computeGradientAndScore gradient", h.gradBoth, reference.gradBoth, tol);
        if (h.allEntryPoints()) {
            assertScoreClose("computeScore(average=true)", h.scoreAverage, reference.scoreAverage, tol);
            assertArrayClose("computeGradient", h.grad, reference.grad, tol);
        }
    }

    private static void assertScoreClose(String what, double half, double single, double tol) {
        if (!(Math.abs(half - single) <= tol * Math.max(1, Math.abs(single)))) {
            fail(what + " is " + half + " in HALF, " + single + " in FLOAT on the same values (allowed: " + tol
                    + " * max(1, |FLOAT|))");
        }
    }

    private static void assertArrayClose(String what, double[] half, double[] single, double tol) {
        double scale = 1;
        for (double v : single) {
            scale = Math.max(scale, Math.min(HALF_MAX, Math.abs(v)));
        }
        for (int i = 0; i < single.length; i++) {
            double expected = Math.max(-HALF_MAX, Math.min(HALF_MAX, single[i]));
            if (!(Math.abs(half[i] - expected) <= tol * scale)) {
                fail(what + "[" + i + "] is " + half[i] + " in HALF, " + single[i] + " in FLOAT on the same values"
                        + (expected != single[i] ? " (" + expected + " at HALF's range)" : "") + "; allowed: " + tol
                        + " * max(1, max |" + what + "|) = " + tol * scale);
            }
        }
    }

    private static void assertShapes(Generators.Case c, Results r) {
        long[] rowShape = {c.rows(), 1};
        if (!Arrays.equals(r.scoreArray.shape(), rowShape)) {
            fail("computeScoreArray has shape " + Arrays.toString(r.scoreArray.shape()) + ", expected "
                    + Arrays.toString(rowShape));
        }
        for (INDArray g : new INDArray[]{r.gradient, r.gradientOfBoth}) {
            if (g != null && !Arrays.equals(g.shape(), c.logits.shape())) {
                fail("gradient has shape " + Arrays.toString(g.shape()) + ", expected " + Arrays.toString(c.logits.shape()));
            }
        }
    }

    private static void assertFinite(Generators.Case c, Results r) {
        double[] scores = {r.score, r.scoreAverage, r.gradientAndScoreScore};
        String[] names = {"computeScore(average=false)", "computeScore(average=true)", "computeGradientAndScore score"};
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i]) && !(i == 1 && !r.allEntryPoints())) {
                fail(names[i] + " is " + scores[i]);
            }
        }
        for (int i = 0; i < r.rows.length; i++) {
            if (!Double.isFinite(r.rows[i])) {
                fail("computeScoreArray[" + i + "] is " + r.rows[i]);
            }
        }
        for (double[] g : new double[][]{r.grad, r.gradBoth}) {
            for (int i = 0; g != null && i < g.length; i++) {
                if (!Double.isFinite(g[i])) {
                    fail((g == r.grad ? "computeGradient" : "computeGradientAndScore gradient") + "[" + i / c.nOut
                            + ", " + i % c.nOut + "] is " + g[i] + "; logit there " + c.logits.getDouble(i / c.nOut,
                            i % c.nOut) + ", label " + c.labels.getDouble(i / c.nOut, i % c.nOut));
                }
            }
        }
    }

    private static void assertNonNegative(LossUnderTest l, Generators.Case c, Results r, double tol) {
        if (l.settings.mayBeNegative(c.parameters)) {
            return;
        }
        for (int i = 0; i < r.rows.length; i++) {
            if (r.rows[i] < -tol) {
                fail("computeScoreArray[" + i + "] is " + r.rows[i] + " < 0 for a loss whose score is >= 0 with these"
                        + " parameters");
            }
        }
        if (r.score < -tol * r.rows.length) {
            fail("score " + r.score + " < 0 for a loss whose score is >= 0 with these parameters");
        }
    }

    /** Score = sum of rows; average = sum / examples; the combined call agrees (testkit tolerances). */
    private static void assertAdditive(Generators.Case c, Results r) {
        boolean dbl = c.type == DataType.DOUBLE;
        double rtol = dbl ? 1e-9 : 1e-4;
        double atol = dbl ? 1e-12 : 1e-6;
        double sum = 0;
        double abs = 0;
        for (double v : r.rows) {
            sum += v;
            abs += Math.abs(v);
        }
        if (!(Math.abs(r.score - sum) <= atol + rtol * abs)) {
            fail("computeScore(average=false) = " + r.score + " but the " + r.rows.length + " rows of computeScoreArray"
                    + " sum to " + sum);
        }
        if (!(Math.abs(r.gradientAndScoreScore - r.score) <= atol + rtol * abs)) {
            fail("computeGradientAndScore(average=false) score " + r.gradientAndScoreScore + " differs from computeScore "
                    + r.score);
        }
        if (!r.allEntryPoints()) {
            return;
        }
        double expected = sum / c.examples();
        if (!(Math.abs(r.scoreAverage - expected) <= atol + rtol * abs / c.examples())) {
            fail("computeScore(average=true) = " + r.scoreAverage + ", expected " + sum + " / " + c.examples()
                    + " examples = " + expected);
        }
        double scale = 0;
        for (double v : r.grad) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < r.grad.length; i++) {
            if (!(Math.abs(r.grad[i] - r.gradBoth[i]) <= atol + rtol * scale)) {
                fail("computeGradientAndScore gradient[" + i + "] " + r.gradBoth[i] + " differs from computeGradient "
                        + r.grad[i]);
            }
        }
    }

    /** The inputs' values before the calls, to check that no call wrote into them. */
    private static final class Snapshot {
        final double[] labels;
        final double[] logits;
        final double[] mask;

        Snapshot(Generators.Case c) {
            labels = flat(c.labels);
            logits = flat(c.logits);
            mask = c.mask == null ? null : flat(c.mask);
        }

        /** Inputs bit-identical after the calls; on a difference the testkit's check names the call that wrote. */
        void assertUnchanged(Generators.Case c) {
            if (same(labels, c.labels) && same(logits, c.logits) && (mask == null || same(mask, c.mask))) {
                return;
            }
            // repeat on the original values with the testkit's check, which calls each entry point
            // separately and names the one that wrote
            INDArray y = Nd4j.createFromArray(labels).reshape('c', c.labels.shape()).castTo(c.labels.dataType());
            INDArray z = Nd4j.createFromArray(logits).reshape('c', c.logits.shape()).castTo(c.logits.dataType());
            INDArray m = mask == null ? null
                    : Nd4j.createFromArray(mask).reshape('c', c.mask.shape()).castTo(c.mask.dataType());
            LossChecks.assertNoMutation(c.loss, y, z, c.activation.getActivationFunction(), m);
            fail("an entry point wrote into its inputs (labels, logits or mask changed)");
        }

        private static boolean same(double[] before, INDArray now) {
            double[] after = flat(now);
            if (after.length != before.length) {
                return false;
            }
            for (int i = 0; i < after.length; i++) {
                if (Double.doubleToRawLongBits(after[i]) != Double.doubleToRawLongBits(before[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    /** @return the values in row-major order as doubles (exact for HALF, FLOAT and DOUBLE) */
    static double[] flat(INDArray a) {
        INDArray c = a.isView() || a.ordering() != 'c' || a.data().length() != a.length() ? a.dup('c') : a;
        return c.data().asDouble();
    }

    /** @return whether the case has a per-row mask (a {@code [rows, 1]} column) */
    static boolean perRowMask(Generators.Case c) {
        return c.maskKind == MaskKind.PER_EXAMPLE;
    }
}
