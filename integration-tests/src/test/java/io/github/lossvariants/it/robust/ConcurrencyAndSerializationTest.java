package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.testkit.LossChecks;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every registered loss: one instance used from 4 threads at once gives bit-identical results to
 * sequential calls (DL4J shares loss instances between cloned networks and ParallelWrapper
 * workers), and losses with random valid parameters round-trip through Jackson (the mapper DL4J
 * uses), the registry's spec string, network JSON (MultiLayerConfiguration and
 * ComputationGraphConfiguration) and ModelSerializer with equal parameters.
 */
class ConcurrencyAndSerializationTest {
    static final int THREADS = 4;
    static final int THREAD_CASES = Integer.getInteger("robust.threadCases", 6);
    static final int ROUNDS = 3;
    static final int JACKSON_CASES = Integer.getInteger("robust.jsonCases", 25);
    static final int NETWORK_JSON_CASES = Integer.getInteger("robust.networkJsonCases", 2);
    static final int MODEL_SERIALIZER_CASES = Integer.getInteger("robust.modelSerializerCases", 1);

    private static final LossRegistry REGISTRY = LossRegistry.discover();

    @TestFactory
    Stream<DynamicTest> oneInstanceFromFourThreadsMatchesSequentialCalls() {
        return LossUnderTest.all().stream().map(l -> DynamicTest.dynamicTest(l.name, () -> {
            Random rng = Generators.rng(l.name, "threads", 0);
            // one shared instance: the first case's loss, used for every case (same activation,
            // width and image size; batch sizes and data types vary)
            Generators.Case first = Generators.input(REGISTRY, l, l.name + " threads", rng, type(rng));
            List<Generators.Case> cases = new ArrayList<>();
            cases.add(first);
            while (cases.size() < THREAD_CASES) {
                cases.add(Generators.sameLoss(l, first, l.name + " threads case " + cases.size(), rng, type(rng)));
            }
            ILossFunction shared = first.loss;
            List<Result> expected = new ArrayList<>();
            for (Generators.Case c : cases) {
                expected.add(Result.of(shared, c));
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<List<Result>>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int offset = t;
                    Callable<List<Result>> task = () -> {
                        List<Result> out = new ArrayList<>();
                        for (int round = 0; round < ROUNDS; round++) {
                            for (int k = 0; k < cases.size(); k++) {
                                out.add(Result.of(shared, cases.get((k + offset) % cases.size())));
                            }
                        }
                        return out;
                    };
                    futures.add(pool.submit(task));
                }
                for (int t = 0; t < THREADS; t++) {
                    List<Result> got = futures.get(t).get();
                    for (int i = 0; i < got.size(); i++) {
                        int k = (i % cases.size() + t) % cases.size();
                        expected.get(k).assertSame(got.get(i), "thread " + t + ", call " + i + ", " + cases.get(k));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> randomParametersRoundTripThroughJsonAndModelSerializer() {
        ObjectMapper mapper = NeuralNetConfiguration.mapper();
        return LossUnderTest.all().stream().map(l -> DynamicTest.dynamicTest(l.name, () -> {
            for (int i = 0; i < JACKSON_CASES; i++) {
                Random rng = Generators.rng(l.name, "json", i);
                Activation act = l.activations.get(rng.nextInt(l.activations.size()));
                int nOut = l.width(act, rng, 5);
                LossFunction loss = Generators.drawLoss(REGISTRY, l, act, nOut, rng).loss;
                String where = l.name + " json case " + i + " (" + loss.spec() + ", nOut " + nOut + ", seed "
                        + Generators.SEED + ")";
                String json = mapper.writerFor(ILossFunction.class).writeValueAsString(loss);
                ILossFunction back = mapper.readValue(json, ILossFunction.class);
                assertEquals(loss, back, where + ": Jackson round trip; JSON " + json);
                assertEquals(loss.parameters(), ((LossFunction) back).parameters(), where + ": parameters after Jackson");
                LossFunction fromSpec = REGISTRY.create(loss.spec());
                assertEquals(loss, fromSpec, where + ": registry.create(spec())");
                assertEquals(loss.parameters(), fromSpec.parameters(), where + ": parameters after spec()");
                if (i < NETWORK_JSON_CASES) {
                    LossChecks.assertJsonRoundTrip(loss, act, nOut);
                }
                if (i < MODEL_SERIALIZER_CASES) {
                    LossChecks.assertModelSerializerRoundTrip(loss, act, nOut);
                }
            }
        }));
    }

    private static DataType type(Random rng) {
        DataType[] types = {DataType.HALF, DataType.FLOAT, DataType.DOUBLE};
        return types[rng.nextInt(types.length)];
    }

    /** Everything one call sequence returns, as doubles. */
    static final class Result {
        final double score;
        final double scoreAvg;
        final double[] gradient;
        final double[] scoreArray;

        private Result(double score, double scoreAvg, double[] gradient, double[] scoreArray) {
            this.score = score;
            this.scoreAvg = scoreAvg;
            this.gradient = gradient;
            this.scoreArray = scoreArray;
        }

        static Result of(ILossFunction loss, Generators.Case c) {
            IActivation act = c.activation.getActivationFunction();
            Pair<Double, INDArray> both = loss.computeGradientAndScore(c.labels, c.logits, act, c.mask, false);
            double avg = loss.computeScore(c.labels, c.logits, act, c.mask, true);
            INDArray sa = loss.computeScoreArray(c.labels, c.logits, act, c.mask);
            return new Result(both.getFirst(), avg, flat(both.getSecond()), flat(sa));
        }

        private static double[] flat(INDArray a) {
            return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        }

        void assertSame(Result o, String where) {
            if (Double.compare(score, o.score) != 0 || Double.compare(scoreAvg, o.scoreAvg) != 0) {
                fail(where + ": concurrent score " + o.score + " (average " + o.scoreAvg + "), sequential " + score
                        + " (" + scoreAvg + ")");
            }
            for (int i = 0; i < gradient.length; i++) {
                if (Double.compare(gradient[i], o.gradient[i]) != 0) {
                    fail(where + ": concurrent gradient[" + i + "] " + o.gradient[i] + ", sequential " + gradient[i]);
                }
            }
            for (int i = 0; i < scoreArray.length; i++) {
                if (Double.compare(scoreArray[i], o.scoreArray[i]) != 0) {
                    fail(where + ": concurrent scoreArray[" + i + "] " + o.scoreArray[i] + ", sequential "
                            + scoreArray[i]);
                }
            }
        }
    }
}
