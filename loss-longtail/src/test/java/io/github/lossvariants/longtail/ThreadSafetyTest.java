package io.github.lossvariants.longtail;

import io.github.lossvariants.testkit.TestArrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static io.github.lossvariants.longtail.LongTailContractTests.COUNTS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One instance of each loss used from 4 threads at once gives exactly the results of sequential calls. */
class ThreadSafetyTest {
    private static final int THREADS = 4;
    private static final int CALLS = 6;

    static Stream<Arguments> losses() {
        return Stream.of(Arguments.of(new ClassBalancedLoss(COUNTS), Activation.SIGMOID),
                Arguments.of(new ClassBalancedLoss(COUNTS, ClassBalancedLoss.Base.SOFTMAX, 0.99, null), Activation.SOFTMAX),
                Arguments.of(new LdamLoss(COUNTS), Activation.SOFTMAX),
                Arguments.of(new BalancedSoftmaxLoss(COUNTS, 0.5), Activation.SOFTMAX),
                Arguments.of(PolyLoss.defaults(), Activation.SOFTMAX),
                Arguments.of(PolyFocalLoss.defaults(), Activation.SIGMOID),
                Arguments.of(new DistributionBalancedLoss(new double[]{300, 80, 20, 5}, 500), Activation.SIGMOID),
                Arguments.of(TwoWayLoss.defaults(), Activation.IDENTITY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void oneInstanceFromFourThreads(ILossFunction loss, Activation activation) throws Exception {
        IActivation act = activation.getActivationFunction();
        Random rng = new Random(99);
        List<INDArray[]> inputs = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            DataType type = i % 2 == 0 ? DataType.FLOAT : DataType.DOUBLE;
            inputs.add(new INDArray[]{TestArrays.labels(activation, 16, 4, rng, type),
                    TestArrays.gaussian(16, 4, 3.0, rng, type)});
        }
        List<double[]> expected = new ArrayList<>();
        for (INDArray[] in : inputs) {
            expected.add(results(loss, in, act));
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<List<double[]>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                futures.add(pool.submit(() -> {
                    List<double[]> got = new ArrayList<>();
                    for (int round = 0; round < 3; round++) {
                        for (INDArray[] in : inputs) {
                            got.add(results(loss, in, act));
                        }
                    }
                    return got;
                }));
            }
            for (Future<List<double[]>> f : futures) {
                List<double[]> got = f.get();
                assertEquals(3 * CALLS, got.size());
                for (int i = 0; i < got.size(); i++) {
                    assertArrayEquals(expected.get(i % CALLS), got.get(i), 0.0, "call " + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Score, score array and gradient of one call, flattened. */
    private static double[] results(ILossFunction loss, INDArray[] in, IActivation act) {
        double score = loss.computeScore(in[0], in[1], act, null, false);
        double[] rows = loss.computeScoreArray(in[0], in[1], act, null).castTo(DataType.DOUBLE).toDoubleVector();
        double[] grad = Nd4j.toFlattened(loss.computeGradient(in[0], in[1], act, null).castTo(DataType.DOUBLE))
                .toDoubleVector();
        double[] all = new double[1 + rows.length + grad.length];
        all[0] = score;
        System.arraycopy(rows, 0, all, 1, rows.length);
        System.arraycopy(grad, 0, all, 1 + rows.length, grad.length);
        return all;
    }
}
