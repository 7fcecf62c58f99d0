package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import io.github.lossvariants.testkit.LossChecks;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property-based tests over every registered loss (each with its {@link LossSettings} entry):
 * {@value #DEFAULT_CASES} random cases per loss, a third each in HALF, FLOAT and DOUBLE (random
 * valid parameters, shapes 2-D to 5-D, batch 1..64, masks with 0/1 or fractional weights, logits up
 * to +-1e4), each checked for the properties of {@link CaseChecks}; and {@value #DEFAULT_FD_CASES}
 * small DOUBLE cases per loss whose gradient must match central differences. The last test asserts
 * that every loss passed at least {@link CaseCounts#MIN_CASES} cases and writes the counts to
 * {@value CaseCounts#REPORT}. Fixed seed ({@code -Drobust.seed}); {@code -Drobust.cases},
 * {@code -Drobust.fdCases}, {@code -Drobust.minCases} change the counts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LossPropertiesTest {
    static final int DEFAULT_CASES = 1000;
    static final int DEFAULT_FD_CASES = 24;
    static final int CASES = Integer.getInteger("robust.cases", DEFAULT_CASES);
    static final int FD_CASES = Integer.getInteger("robust.fdCases", DEFAULT_FD_CASES);
    /**
     * Largest total |score| of a finite-difference case. The central difference's rounding error is
     * about 1e-16 * |score| / h = 1e-10 * |score| (LossChecks' tolerance analysis), which stays below a
     * tenth of its absolute tolerance 1e-6 up to |score| = 1e3; a case with a larger score (e.g.
     * distribution-balanced with negScale 0.005 and initBias 3, whose logit bias is -1367) is redrawn
     * and counted in the report, not checked with a tolerance it cannot meet.
     */
    static final double FD_MAX_SCORE = 1e3;
    /** Draws allowed per finite-difference case before the test fails. */
    static final int FD_DRAWS_PER_CASE = 5;
    private static final DataType[] TYPES = {DataType.HALF, DataType.FLOAT, DataType.DOUBLE};

    private static final LossRegistry REGISTRY = LossRegistry.discover();

    @TestFactory
    @Order(1)
    Stream<DynamicTest> everyCaseIsFiniteNonNegativeAdditiveUnmutatedAndHalfMatchesFloat() {
        return LossUnderTest.all().stream().map(l -> DynamicTest.dynamicTest(l.name,
                () -> CaseWorkers.run(CASES, i -> propertyCase(l, i))));
    }

    /** Case {@code i} of a loss: its own seeded generator, so the result does not depend on the worker. */
    private static void propertyCase(LossUnderTest l, int i) {
        Random rng = Generators.rng(l.name, "properties", i);
        DataType type = TYPES[i % TYPES.length];
        Generators.Case c = Generators.input(REGISTRY, l, l.name + " case " + i, rng, type);
        boolean linear = false;
        try {
            Generators.Case single = type == DataType.HALF ? c.as(DataType.FLOAT) : c;
            CaseChecks.Results r = CaseChecks.checkCase(l, single, i % CaseChecks.ALL_ENTRY_POINTS_EVERY == 0);
            if (l.settings.linearRowMask && type == DataType.DOUBLE && CaseChecks.perRowMask(single)) {
                CaseChecks.checkLinearRowMask(single, r);
                linear = true;
            }
            if (type == DataType.HALF) {
                CaseChecks.checkHalfCase(l, c, r);
            }
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("Property failed for " + c + ":\n" + e, e);
        }
        CaseCounts.passed(l.name, c, linear);
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> gradientMatchesFiniteDifferences() {
        return LossUnderTest.all().stream().map(l -> DynamicTest.dynamicTest(l.name, () -> {
            int passed = 0;
            for (int i = 0; passed < FD_CASES; i++) {
                if (i == FD_DRAWS_PER_CASE * FD_CASES) {
                    fail(l.name + ": only " + passed + " of " + i + " small cases had a total score below "
                            + FD_MAX_SCORE + " (see FD_MAX_SCORE)");
                }
                Random rng = Generators.rng(l.name, "fd", i);
                Generators.Case c = forFiniteDifferences(l, Generators.smallInput(REGISTRY, l, l.name + " fd case " + i, rng));
                double score = c.loss.computeScore(c.labels, c.logits, c.activation.getActivationFunction(), c.mask, false);
                if (!(Math.abs(score) <= FD_MAX_SCORE)) {
                    CaseCounts.redrawnForFiniteDifferences(l.name);
                    continue;
                }
                passed++;
                try {
                    LossChecks.assertGradientMatchesFiniteDifferences(c.loss, c.labels, c.logits,
                            c.activation.getActivationFunction(), c.mask);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("Finite differences failed for " + c + ":\n" + e, e);
                }
                CaseCounts.passedFiniteDifferences(l.name, c);
            }
        }));
    }

    /**
     * Every loss passed at least {@link CaseCounts#MIN_CASES} generated cases (none skipped: a case
     * is counted only after all its properties held); the counts go to {@value CaseCounts#REPORT}
     * and into this assertion's message, nowhere else.
     */
    @Test
    @Order(3)
    void everyLossPassedAtLeastTheMinimumNumberOfCases() {
        Map<String, CaseCounts.PerLoss> counts = CaseCounts.snapshot();
        String table = CaseCounts.table(counts);
        CaseCounts.write("# Robustness suite: cases per loss\n\nseed " + Generators.SEED + ", " + CASES
                + " property cases and " + FD_CASES + " finite-difference cases per loss\n\n" + table);
        StringBuilder short_ = new StringBuilder();
        for (LossUnderTest l : LossUnderTest.all()) {
            CaseCounts.PerLoss p = counts.get(l.name);
            int n = p == null ? 0 : p.total();
            if (n < CaseCounts.MIN_CASES || p.half == 0 || p.floats == 0 || p.doubles == 0) {
                short_.append(' ').append(l.name).append(" (").append(n).append(')');
            }
        }
        if (short_.length() > 0) {
            fail("Losses that passed fewer than " + CaseCounts.MIN_CASES + " generated cases, or none of a data type:"
                    + short_ + "\n" + table);
        }
    }

    /**
     * The case as finite differences see it: a surrogate-gradient flag set to false (the documented
     * surrogate is not the score's derivative), and for a straight-through clip the logits kept where
     * clipping is inactive (|z| below log((1 - clipEps) / clipEps)).
     */
    private static Generators.Case forFiniteDifferences(LossUnderTest l, Generators.Case c) {
        String flag = l.settings.surrogateGradientFlag;
        if (flag != null && Boolean.TRUE.equals(c.loss.parameters().get(flag))) {
            Map<String, Object> p = new LinkedHashMap<>(c.loss.parameters());
            p.put(flag, false);
            p.remove("rowsPerExample");
            LossFunction off = REGISTRY.create(l.name, p);
            if (off instanceof RowGroupedLoss) {
                off = ((RowGroupedLoss) off).withRowsPerExample(c.rowsPerExample);
            }
            c = c.withLoss(off, flag + " false for finite differences");
        }
        if (l.settings.straightThroughClip) {
            Object eps = c.loss.parameters().get("clipEps");
            double e = eps == null ? 0 : ((Number) eps).doubleValue();
            if (e > 0) {
                double bound = 0.99 * Math.log((1 - e) / e);
                c = c.withLogits(Transforms.min(Transforms.max(c.logits, -bound, true), bound, false),
                        "logits within +-" + bound + " where clipEps=" + e + " does not clip");
            }
        }
        return c;
    }
}
