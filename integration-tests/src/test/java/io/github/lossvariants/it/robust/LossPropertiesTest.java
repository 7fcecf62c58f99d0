package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.testkit.LossChecks;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property-based tests over every registered loss (generic over {@code LossRegistry.discover()}):
 * for {@value #DEFAULT_CASES} random cases per loss (random valid parameters, shapes 2-D to 5-D,
 * batch 1..64, float and double, random masks, logits up to +-1e4), score and gradient are finite,
 * every per-example score is &gt;= 0 (for non-negative losses), no input is mutated and the score
 * is the sum of the per-example scores; for {@value #DEFAULT_FD_CASES} small random cases per loss
 * the gradient matches central differences. Fixed seed ({@code -Drobust.seed}); case counts can be
 * raised with {@code -Drobust.cases} and {@code -Drobust.fdCases}.
 */
class LossPropertiesTest {
    static final int DEFAULT_CASES = 50;
    static final int DEFAULT_FD_CASES = 8;
    static final int CASES = Integer.getInteger("robust.cases", DEFAULT_CASES);
    static final int FD_CASES = Integer.getInteger("robust.fdCases", DEFAULT_FD_CASES);

    private static final LossRegistry REGISTRY = LossRegistry.discover();

    @TestFactory
    Stream<DynamicTest> finiteNonNegativeUnmutatedAndAdditive() {
        return LossUnderTest.all().stream().map(l -> DynamicTest.dynamicTest(l.name, () -> {
            Stats stats = new Stats();
            for (int i = 0; i < CASES; i++) {
                Random rng = Generators.rng(l.name, "properties", i);
                Generators.Case c = Generators.input(REGISTRY, l, l.name + " case " + i, rng, false);
                stats.add(c);
                try {
                    checkFiniteAndNonNegative(l, c);
                    LossChecks.assertScoreEqualsSumOfExampleScores(c.loss, c.labels, c.logits,
                            c.activation.getActivationFunction(), c.mask);
                    LossChecks.assertNoMutation(c.loss, c.labels, c.logits, c.activation.getActivationFunction(),
                            c.mask);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("Property failed for " + c + ":\n" + e, e);
                }
            }
            System.out.println("[robust] " + l.name + ": " + CASES + " cases " + stats);
        }));
    }

    @TestFactory
    Stream<DynamicTest> gradientMatchesFiniteDifferences() {
        return LossUnderTest.all().stream().map(l -> DynamicTest.dynamicTest(l.name, () -> {
            for (int i = 0; i < FD_CASES; i++) {
                Random rng = Generators.rng(l.name, "fd", i);
                Generators.Case c = Generators.input(REGISTRY, l, l.name + " fd case " + i, rng, true);
                String flag = LossUnderTest.SURROGATE_GRADIENT_FLAG.get(l.name);
                if (flag != null && Boolean.TRUE.equals(c.loss.parameters().get(flag))) {
                    java.util.Map<String, Object> p = new java.util.LinkedHashMap<>(c.loss.parameters());
                    p.put(flag, false);
                    p.remove("rowsPerExample");
                    io.github.lossvariants.api.LossFunction off = REGISTRY.create(l.name, p);
                    if (off instanceof io.github.lossvariants.api.dl4j.RowGroupedLoss) {
                        off = ((io.github.lossvariants.api.dl4j.RowGroupedLoss) off).withRowsPerExample(c.rowsPerExample);
                    }
                    c = c.withLoss(off);
                }
                if (LossUnderTest.STRAIGHT_THROUGH_CLIP.contains(l.name)) {
                    Object eps = c.loss.parameters().get("clipEps");
                    double e = eps == null ? 0 : ((Number) eps).doubleValue();
                    if (e > 0) {
                        double bound = 0.99 * Math.log((1 - e) / e);
                        c = c.withLogits(org.nd4j.linalg.ops.transforms.Transforms.min(
                                org.nd4j.linalg.ops.transforms.Transforms.max(c.logits, -bound, true), bound, false));
                    }
                }
                try {
                    LossChecks.assertGradientMatchesFiniteDifferences(c.loss, c.labels, c.logits,
                            c.activation.getActivationFunction(), c.mask);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("Finite differences failed for " + c + ":\n" + e, e);
                }
            }
        }));
    }

    static void checkFiniteAndNonNegative(LossUnderTest l, Generators.Case c) {
        IActivation act = c.activation.getActivationFunction();
        Pair<Double, INDArray> both = c.loss.computeGradientAndScore(c.labels, c.logits, act, c.mask, false);
        double score = both.getFirst();
        if (!Double.isFinite(score)) {
            fail("computeGradientAndScore score is " + score);
        }
        double[] g = both.getSecond().castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < g.length; i++) {
            if (!Double.isFinite(g[i])) {
                fail("gradient[" + i + "] (row " + i / c.nOut + ", column " + i % c.nOut + ") is " + g[i]
                        + "; logit there " + c.logits.getDouble(i / c.nOut, i % c.nOut) + ", label "
                        + c.labels.getDouble(i / c.nOut, i % c.nOut));
            }
        }
        double[] rows = c.loss.computeScoreArray(c.labels, c.logits, act, c.mask).castTo(DataType.DOUBLE).dup('c')
                .data().asDouble();
        double tol = c.type == DataType.DOUBLE ? 1e-12 : 1e-6;
        for (int r = 0; r < rows.length; r++) {
            if (!Double.isFinite(rows[r])) {
                fail("computeScoreArray[" + r + "] is " + rows[r]);
            }
            if (l.nonNegative() && rows[r] < -tol) {
                fail("computeScoreArray[" + r + "] is " + rows[r] + " < 0 for a non-negative loss");
            }
        }
        if (l.nonNegative() && score < -tol * rows.length) {
            fail("score " + score + " < 0 for a non-negative loss");
        }
    }

    /** What the generated cases covered, printed per loss. */
    static final class Stats {
        final int[] ranks = new int[6];
        int floats;
        int doubles;
        int[] masks = new int[3];
        int extreme;
        int maxBatch;
        long maxRows;

        void add(Generators.Case c) {
            ranks[c.shape.length]++;
            if (c.type == DataType.FLOAT) {
                floats++;
            } else {
                doubles++;
            }
            masks[c.maskKind.ordinal()]++;
            if (c.logitScale >= 1000) {
                extreme++;
            }
            maxBatch = Math.max(maxBatch, (int) c.shape[0]);
            maxRows = Math.max(maxRows, c.rows());
        }

        @Override
        public String toString() {
            return "(rank 2/3/4/5: " + ranks[2] + "/" + ranks[3] + "/" + ranks[4] + "/" + ranks[5] + "; float/double "
                    + floats + "/" + doubles + "; mask none/per-row/per-output " + masks[0] + "/" + masks[1] + "/"
                    + masks[2] + "; logit scale >= 1e3: " + extreme + "; max batch " + maxBatch + ", max rows "
                    + maxRows + ")";
        }
    }
}
