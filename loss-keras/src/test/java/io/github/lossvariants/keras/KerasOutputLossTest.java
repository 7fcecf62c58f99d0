package io.github.lossvariants.keras;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.testkit.LossChecks;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KerasOutputLoss} on its own, in double precision: the gradient with respect to the layer
 * outputs (probabilities or logits) matches central differences for every combination of its
 * options, with and without masks; inputs are never written; the score is the sum of the
 * per-example scores; its value equals the wrapped loss on the converted inputs times the stated
 * factors; and it survives Jackson and Java serialization.
 */
class KerasOutputLossTest {
    private static final LossRegistry REGISTRY = LossRegistry.discover();
    private static final IActivation IDENTITY = new ActivationIdentity();

    static Stream<Arguments> variants() {
        ILossFunction focal = REGISTRY.create("focal(gamma=2, alpha=0.3)");
        ILossFunction softmaxFocal = REGISTRY.create("softmax-focal(gamma=1.5, classWeights=[0.5, 1, 2])");
        ILossFunction dice = REGISTRY.create("dice(smooth=5e-8, batch=true)");
        ILossFunction tversky = REGISTRY.create("tversky(alpha=0.7, beta=0.3, smooth=1e-7, batch=true)");
        return Stream.of(
                Arguments.of("binary, probabilities, smoothing, mean over outputs",
                        new KerasOutputLoss("BinaryFocalCrossentropy", focal, false, false, 0.1, true, false, false)),
                Arguments.of("binary, logits, sum over the batch",
                        new KerasOutputLoss("BinaryFocalCrossentropy", focal, false, true, 0, true, false, true)),
                Arguments.of("TF-Addons, probabilities, sum over the batch",
                        new KerasOutputLoss("SigmoidFocalCrossEntropy", focal, false, false, 0, false, false, true)),
                Arguments.of("categorical, probabilities, smoothing",
                        new KerasOutputLoss("CategoricalFocalCrossentropy", softmaxFocal, true, false, 0.05, false, false, false)),
                Arguments.of("categorical, logits",
                        new KerasOutputLoss("CategoricalFocalCrossentropy", softmaxFocal, true, true, 0, false, false, false)),
                Arguments.of("Dice pooled over the batch",
                        new KerasOutputLoss("Dice", dice, false, false, 0, false, true, false)),
                Arguments.of("Tversky pooled over the batch",
                        new KerasOutputLoss("Tversky", tversky, false, false, 0, false, true, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void gradientMatchesFiniteDifferencesWithoutAndWithMasks(String name, KerasOutputLoss loss) {
        Random rng = new Random(name.hashCode());
        for (int rows : new int[]{1, 5}) {
            INDArray y = labels(loss, rows, 3, rng);
            INDArray out = outputs(loss, rows, 3, rng);
            LossChecks.assertGradientMatchesFiniteDifferences(loss, y, out, IDENTITY, null);
            INDArray perRow = Nd4j.createFromArray(rowMask(rows, rng)).reshape(rows, 1);
            LossChecks.assertGradientMatchesFiniteDifferences(loss, y, out, IDENTITY, perRow);
            LossChecks.assertNoMutation(loss, y, out, IDENTITY, perRow);
            LossChecks.assertScoreEqualsSumOfExampleScores(loss, y, out, IDENTITY, null);
            LossChecks.assertScoreEqualsSumOfExampleScores(loss, y, out, IDENTITY, perRow);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void valueIsTheWrappedLossOnTheConvertedInputsTimesTheStatedFactors(String name, KerasOutputLoss loss) {
        Random rng = new Random(7 + name.hashCode());
        int rows = 4;
        int k = 3;
        INDArray y = labels(loss, rows, k, rng);
        INDArray out = outputs(loss, rows, k, rng);
        // the same conversion written out independently
        INDArray ySmoothed = y.mul(1 - loss.getLabelSmoothing())
                .addi(loss.getLabelSmoothing() * (loss.isExclusiveClasses() ? 1.0 / k : 0.5));
        INDArray z;
        if (loss.isFromLogits()) {
            z = out.dup();
        } else {
            INDArray q = loss.isExclusiveClasses() ? out.divColumnVector(out.sum(true, 1)) : out.dup();
            q = Transforms.min(Transforms.max(q, KerasOutputLoss.EPSILON, false), 1 - KerasOutputLoss.EPSILON, false);
            z = loss.isExclusiveClasses() ? Transforms.log(q, true)
                    : Transforms.log(q, true).subi(Transforms.log(q.rsub(1.0), true));
        }
        IActivation act = loss.isExclusiveClasses() ? new ActivationSoftmax() : new ActivationSigmoid();
        double inner = loss.isPooled()
                ? loss.getLoss().computeScore(ySmoothed.reshape('c', rows * k, 1), z.reshape('c', rows * k, 1), act, null, false)
                : loss.getLoss().computeScore(ySmoothed, z, act, null, false);
        double factor = (loss.isMeanOverOutputs() ? 1.0 / k : 1.0) * (loss.isSumOverBatch() || loss.isPooled() ? rows : 1);
        assertEquals(inner * factor, loss.computeScore(y, out, IDENTITY, null, false), 1e-12 * Math.max(1, inner), name);
        assertEquals(inner * factor / rows, loss.computeScore(y, out, IDENTITY, null, true), 1e-12 * Math.max(1, inner),
                name + " (average)");
        Pair<Double, INDArray> both = loss.computeGradientAndScore(y, out, IDENTITY, null, false);
        assertEquals(inner * factor, both.getFirst(), 1e-12 * Math.max(1, inner), name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void jacksonAndJavaSerializationRoundTrip(String name, KerasOutputLoss loss) throws Exception {
        ObjectMapper mapper = NeuralNetConfiguration.mapper();
        String json = mapper.writerFor(ILossFunction.class).writeValueAsString(loss);
        ILossFunction back = mapper.readValue(json, ILossFunction.class);
        assertEquals(loss, back, json);
        assertEquals(loss.hashCode(), back.hashCode());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(loss);
        }
        try (ObjectInputStream i = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(loss, i.readObject());
        }
    }

    @Test
    void aNonIdentityActivationIsAClearError() {
        KerasOutputLoss loss = new KerasOutputLoss("BinaryFocalCrossentropy", REGISTRY.create("focal"), false, false, 0,
                true, false, false);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        INDArray p = Nd4j.valueArrayOf(new long[]{2, 3}, 0.5, DataType.DOUBLE);
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> loss.computeScore(y, p, new ActivationSigmoid(), null, false));
        assertTrue(e.getMessage().contains("IDENTITY") && e.getMessage().contains("focal"), e.getMessage());
    }

    @Test
    void probabilitiesOutsideZeroOneAreAClearError() {
        KerasOutputLoss loss = new KerasOutputLoss("BinaryFocalCrossentropy", REGISTRY.create("focal"), false, false, 0,
                true, false, false);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        INDArray logits = Nd4j.createFromArray(new double[][]{{-2, 0.5, 3}, {0.1, 0.2, 0.3}});
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> loss.computeGradientAndScore(y, logits, IDENTITY, null, false));
        assertTrue(e.getMessage().contains("from_logits=False") && e.getMessage().contains("[-2.0, 3.0]"), e.getMessage());
    }

    @Test
    void clippedProbabilitiesGetZeroGradientAsInKeras() {
        KerasOutputLoss loss = new KerasOutputLoss("BinaryFocalCrossentropy", REGISTRY.create("focal(gamma=2)"), false,
                false, 0, true, false, false);
        INDArray y = Nd4j.createFromArray(new double[][]{{1, 0, 1}});
        INDArray p = Nd4j.createFromArray(new double[][]{{0.0, 1e-9, 0.4}});
        INDArray g = loss.computeGradient(y, p, IDENTITY, null);
        assertEquals(0.0, g.getDouble(0, 0), 0.0);
        assertEquals(0.0, g.getDouble(0, 1), 0.0);
        assertTrue(g.getDouble(0, 2) < 0, "an unclipped positive with p = 0.4 is pushed up");
        assertTrue(Double.isFinite(loss.computeScore(y, p, IDENTITY, null, false)));
    }

    @Test
    void invalidCombinationsAreRejected() {
        ILossFunction dice = REGISTRY.create("dice(batch=true)");
        assertThrows(LossConfigurationException.class,
                () -> new KerasOutputLoss("Dice", dice, false, false, 0.1, false, true, false));
        assertThrows(LossConfigurationException.class,
                () -> new KerasOutputLoss("Dice", dice, true, false, 0, false, true, false));
        assertThrows(LossConfigurationException.class,
                () -> new KerasOutputLoss("BinaryFocalCrossentropy", REGISTRY.create("focal"), false, false, 1.5, true,
                        false, false));
    }

    // ------------------------------------------------------------------ inputs

    private static INDArray labels(KerasOutputLoss loss, int rows, int k, Random rng) {
        double[][] y = new double[rows][k];
        for (int i = 0; i < rows; i++) {
            if (loss.isExclusiveClasses()) {
                y[i][rng.nextInt(k)] = 1;
            } else {
                for (int j = 0; j < k; j++) {
                    y[i][j] = rng.nextBoolean() ? 1 : 0;
                }
            }
        }
        return Nd4j.createFromArray(y);
    }

    /** Logits N(0, 1.5^2), or probabilities in [0.05, 0.95] (softmax rows sum to 1), away from the clip. */
    private static INDArray outputs(KerasOutputLoss loss, int rows, int k, Random rng) {
        double[][] v = new double[rows][k];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < k; j++) {
                v[i][j] = loss.isFromLogits() ? 1.5 * rng.nextGaussian() : 0.05 + 0.9 * rng.nextDouble();
            }
        }
        INDArray out = Nd4j.createFromArray(v);
        return !loss.isFromLogits() && loss.isExclusiveClasses() ? out.divColumnVector(out.sum(true, 1)) : out;
    }

    private static double[] rowMask(int rows, Random rng) {
        double[] m = new double[rows];
        for (int i = 0; i < rows; i++) {
            m[i] = rows == 1 || rng.nextDouble() < 0.7 ? 1 : 0;
        }
        return m;
    }
}
