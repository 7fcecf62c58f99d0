package io.github.lossvariants.testkit;

import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Random;

/**
 * The whole {@link LossChecks} contract as a JUnit 5 test class: extend it, say which loss and
 * activation, and every check runs (minibatch 1 and 3, masks NONE / PER_EXAMPLE / PER_OUTPUT,
 * float and double where relevant) with a fixed seed.
 *
 * <p>Works for any DL4J {@link ILossFunction}, including a user's own:
 * <pre>{@code
 * // test scope: io.github.lossvariants:loss-testkit, plus an ND4J backend (e.g. nd4j-native)
 * class MyLossContractTest extends LossContractTest {
 *     @Override protected ILossFunction loss() { return new MyLoss(0.5); }
 *     @Override protected Activation activation() { return Activation.SIGMOID; }
 *     // optional:
 *     @Override protected int nOut() { return 5; }
 *     @Override protected boolean supportsPerOutputMask() { return false; }
 * }
 * }</pre>
 *
 * <p>For a {@link RowGroupedLoss} (Dice, Tversky: one example spans several rows) the class uses
 * {@code withRowsPerExample(6)} (2x3 images) and {@code minibatch * 6} rows; the network checks
 * use a 1x1 convolution and a {@code CnnLossLayer}.
 *
 * <p>Per-output (labels-shaped) masks: for SIGMOID a scattered pattern (single outputs masked);
 * for SOFTMAX whole rows (every class of a row, i.e. whole examples or whole pixels), the only
 * per-output masks a softmax loss may accept, since softmax couples a row's classes.
 * {@link #perOutputMaskThatDiffersWithinARow} checks that a softmax loss rejects any other with a
 * {@link io.github.lossvariants.api.LossConfigurationException} naming the loss.
 *
 * <p>A check that does not apply (a per-output mask for a loss that declares
 * {@link #supportsPerOutputMask()} false) is reported as <em>aborted</em> (skipped), never as
 * passed.
 *
 * @since 0.1.0
 */
public abstract class LossContractTest {
    /** Rows per example used for a {@link RowGroupedLoss}: 2x3 images. */
    protected static final int ROWS_PER_EXAMPLE = 6;
    /** Seed of every random array. */
    protected static final long SEED = 20240611L;

    /** @return the loss under test (a fresh or shared instance; it must be immutable) */
    protected abstract ILossFunction loss();

    /** @return {@link Activation#SIGMOID} or {@link Activation#SOFTMAX} */
    protected abstract Activation activation();

    /** @return the number of outputs (classes); default 4 */
    protected int nOut() {
        return 4;
    }

    /** @return whether the loss accepts labels-shaped (per-output) masks; default true */
    protected boolean supportsPerOutputMask() {
        return true;
    }

    /**
     * @return labels {@code [rows, nOut]}; default: random 0/1 (at least one 1 and one 0 per row)
     * for sigmoid, one-hot rows for softmax
     */
    protected INDArray labels(int rows, int nOut, Random rng, DataType type) {
        return TestArrays.labels(activation(), rows, nOut, rng, type);
    }

    /** @return pre-activations {@code [rows, nOut]}; default N(0, 9) */
    protected INDArray logits(int rows, int nOut, Random rng, DataType type) {
        return TestArrays.gaussian(rows, nOut, 3.0, rng, type);
    }

    /** @return the loss, configured with {@code withRowsPerExample(6)} when it is a {@link RowGroupedLoss} */
    protected final ILossFunction configuredLoss() {
        ILossFunction l = loss();
        return l instanceof RowGroupedLoss ? ((RowGroupedLoss) l).withRowsPerExample(ROWS_PER_EXAMPLE) : l;
    }

    /** @return loss-level rows for a minibatch: minibatch, or minibatch * 6 for a {@link RowGroupedLoss} */
    protected final int rows(int minibatch) {
        return loss() instanceof RowGroupedLoss ? minibatch * ROWS_PER_EXAMPLE : minibatch;
    }

    private IActivation act() {
        return activation().getActivationFunction();
    }

    private INDArray mask(MaskKind kind, int rows, DataType type) {
        switch (kind) {
            case NONE:
                return null;
            case PER_EXAMPLE: {
                // zero the second example's rows (when there is one)
                INDArray m = Nd4j.ones(type, rows, 1);
                int perExample = rows(1);
                for (int r = perExample; r < Math.min(rows, 2 * perExample); r++) {
                    m.putScalar(r, 0, 0.0);
                }
                return m;
            }
            default: {
                Assumptions.assumeTrue(supportsPerOutputMask(), "per-output masks are not supported by this loss");
                boolean softmax = activation() == Activation.SOFTMAX;
                INDArray m = Nd4j.ones(type, rows, nOut());
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < nOut(); c++) {
                        // softmax: whole rows (r % 3 == 1); sigmoid: single outputs
                        if ((softmax ? r : r * nOut() + c) % 3 == 1) {
                            m.putScalar(r, c, 0.0);
                        }
                    }
                }
                return m;
            }
        }
    }

    private static Random rng(int minibatch, MaskKind kind, int salt) {
        return new Random(SEED + 31L * minibatch + 7L * kind.ordinal() + salt);
    }

    /** Labels, logits and mask must be bit-identical after every ILossFunction method (float and double). */
    @ParameterizedTest(name = "minibatch {0}, mask {1}, {2}")
    @CsvSource({"1, NONE, FLOAT", "3, NONE, DOUBLE", "3, PER_EXAMPLE, FLOAT", "3, PER_OUTPUT, DOUBLE",
            "1, PER_OUTPUT, FLOAT"})
    public void noMutation(int minibatch, MaskKind kind, DataType type) {
        Random rng = rng(minibatch, kind, 1);
        int rows = rows(minibatch);
        INDArray m = mask(kind, rows, type);
        LossChecks.assertNoMutation(configuredLoss(), labels(rows, nOut(), rng, type), logits(rows, nOut(), rng, type),
                act(), m);
    }

    /** Analytic gradient against central differences in double. */
    @ParameterizedTest(name = "minibatch {0}, mask {1}")
    @CsvSource({"1, NONE", "3, NONE", "3, PER_EXAMPLE", "1, PER_OUTPUT", "3, PER_OUTPUT"})
    public void gradientMatchesFiniteDifferences(int minibatch, MaskKind kind) {
        Random rng = rng(minibatch, kind, 2);
        int rows = rows(minibatch);
        INDArray m = mask(kind, rows, DataType.DOUBLE);
        LossChecks.assertGradientMatchesFiniteDifferences(configuredLoss(), labels(rows, nOut(), rng, DataType.DOUBLE),
                logits(rows, nOut(), rng, DataType.DOUBLE), act(), m);
    }

    /** computeScore is the sum of computeScoreArray; average divides by the number of examples. */
    @ParameterizedTest(name = "minibatch {0}, mask {1}, {2}")
    @CsvSource({"1, NONE, DOUBLE", "3, NONE, DOUBLE", "3, NONE, FLOAT", "3, PER_EXAMPLE, DOUBLE",
            "3, PER_OUTPUT, DOUBLE"})
    public void scoreEqualsSumOfExampleScores(int minibatch, MaskKind kind, DataType type) {
        Random rng = rng(minibatch, kind, 3);
        int rows = rows(minibatch);
        INDArray m = mask(kind, rows, type);
        LossChecks.assertScoreEqualsSumOfExampleScores(configuredLoss(), labels(rows, nOut(), rng, type),
                logits(rows, nOut(), rng, type), act(), m);
    }

    /** Masked rows/elements contribute nothing; an all-ones mask equals no mask. */
    @ParameterizedTest(name = "minibatch {0}, {1}")
    @CsvSource({"1, DOUBLE", "3, DOUBLE", "3, FLOAT"})
    public void masksZeroWhatTheyMask(int minibatch, DataType type) {
        Random rng = rng(minibatch, MaskKind.NONE, 4);
        int rows = rows(minibatch);
        LossChecks.assertMasksZeroWhatTheyMask(configuredLoss(), labels(rows, nOut(), rng, type),
                logits(rows, nOut(), rng, type), act(), supportsPerOutputMask());
    }

    /**
     * A labels-shaped mask that differs within a row (one class masked): a SOFTMAX loss must reject
     * it with a {@code LossConfigurationException} naming the loss
     * ({@link LossChecks#assertPartialRowMaskRejected}); a SIGMOID loss accepts it when
     * {@link #supportsPerOutputMask()} (finite score and gradient, zero gradient at the masked
     * output) and otherwise must reject it the same way.
     */
    @Test
    public void perOutputMaskThatDiffersWithinARow() {
        Random rng = rng(3, MaskKind.PER_OUTPUT, 6);
        int rows = rows(3);
        INDArray y = labels(rows, nOut(), rng, DataType.DOUBLE);
        INDArray z = logits(rows, nOut(), rng, DataType.DOUBLE);
        if (activation() == Activation.SOFTMAX || !supportsPerOutputMask()) {
            LossChecks.assertPartialRowMaskRejected(configuredLoss(), y, z, act());
            return;
        }
        INDArray m = Nd4j.ones(DataType.DOUBLE, rows, nOut());
        m.putScalar(rows - 1, 0, 0.0);
        INDArray g = configuredLoss().computeGradient(y, z, act(), m);
        double score = configuredLoss().computeScore(y, z, act(), m, false);
        Assertions.assertTrue(Double.isFinite(score), "score " + score);
        Assertions.assertEquals(0.0, g.getDouble(rows - 1, 0), 0.0,
                "gradient at the masked output of a sigmoid loss");
    }

    /** Finite score and gradient at logits of +-100 and +-1e4 in float, double and half. */
    @ParameterizedTest(name = "minibatch {0}")
    @ValueSource(ints = {1, 3})
    public void finiteAtExtremeLogits(int minibatch) {
        Random rng = rng(minibatch, MaskKind.NONE, 5);
        int rows = rows(minibatch);
        LossChecks.assertFiniteAtExtremeLogits(configuredLoss(), act(), labels(rows, nOut(), rng, DataType.DOUBLE));
    }

    /** HALF inputs: finite where FLOAT is, within {@link LossChecks#HALF_RTOL} of FLOAT, results in HALF. */
    @ParameterizedTest(name = "minibatch {0}, mask {1}, logits scale {2}")
    @CsvSource({"1, NONE, 3", "3, NONE, 3", "3, PER_EXAMPLE, 3", "3, PER_OUTPUT, 3", "3, NONE, 3000"})
    public void halfPrecisionMatchesFloat(int minibatch, MaskKind kind, double scale) {
        if (kind == MaskKind.PER_OUTPUT) {
            Assumptions.assumeTrue(supportsPerOutputMask(), "per-output masks are not supported by this loss");
        }
        Random rng = rng(minibatch, kind, 7);
        int rows = rows(minibatch);
        INDArray z = logits(rows, nOut(), rng, DataType.FLOAT).muli(scale / 3.0);
        LossChecks.assertHalfMatchesFloat(configuredLoss(), labels(rows, nOut(), rng, DataType.FLOAT), z, act(),
                mask(kind, rows, DataType.FLOAT));
    }

    /** Java serialization (how Spark ships configurations) keeps the loss. */
    @Test
    public void javaSerializationRoundTrip() {
        LossChecks.assertJavaSerializationRoundTrip(loss(), activation(), nOut());
    }

    /** MultiLayerConfiguration and ComputationGraphConfiguration JSON round trips keep the loss. */
    @Test
    public void jsonRoundTrip() {
        LossChecks.assertJsonRoundTrip(loss(), activation(), nOut());
    }

    /** ModelSerializer write/restore keeps parameters, output, score and training. */
    @Test
    public void modelSerializerRoundTrip() {
        LossChecks.assertModelSerializerRoundTrip(loss(), activation(), nOut());
    }

    /** DL4J's GradientCheckUtil inside a small double-precision network. */
    @ParameterizedTest(name = "minibatch {0}, mask {1}")
    @CsvSource({"1, NONE", "3, NONE", "3, PER_EXAMPLE", "1, PER_OUTPUT", "3, PER_OUTPUT"})
    public void dl4jGradientCheck(int minibatch, MaskKind kind) {
        if (kind == MaskKind.PER_OUTPUT) {
            Assumptions.assumeTrue(supportsPerOutputMask(), "per-output masks are not supported by this loss");
        }
        LossChecks.assertDl4jGradientCheck(loss(), activation(), minibatch, kind, nOut());
    }
}
