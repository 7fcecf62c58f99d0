package io.github.lossvariants.testkit;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.conformance.ConformanceRunner;
import io.github.lossvariants.testkit.Fixtures.Fixture;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;

import static io.github.lossvariants.testkit.Fixtures.DEFAULT_NOUT;
import static io.github.lossvariants.testkit.Fixtures.SEED;
import static io.github.lossvariants.testkit.Fixtures.configured;
import static io.github.lossvariants.testkit.Fixtures.describe;
import static io.github.lossvariants.testkit.Fixtures.flat;
import static io.github.lossvariants.testkit.Fixtures.graph;
import static io.github.lossvariants.testkit.Fixtures.lossOf;
import static io.github.lossvariants.testkit.Fixtures.msg;
import static io.github.lossvariants.testkit.Fixtures.multiLayer;
import static org.junit.jupiter.api.Assertions.fail;

/** JSON, ModelSerializer and Java serialization round trips. Implementation of {@link LossChecks}. */
final class SerializationChecks {
    private SerializationChecks() {
    }

    // ------------------------------------------------------------------ JSON

    /** Implements {@link LossChecks#assertJsonRoundTrip}. */
    static void assertJsonRoundTrip(ILossFunction loss, Activation act) {
        assertJsonRoundTrip(loss, act, DEFAULT_NOUT);
    }

    /** Implements {@link LossChecks#assertJsonRoundTrip}. */
    static void assertJsonRoundTrip(ILossFunction loss, Activation act, int nOut) {
        String check = "JSON round trip";
        ILossFunction l = configured(loss);
        Fixture f = Fixture.of(l, act, nOut, 3, DataType.FLOAT, new Random(SEED));

        MultiLayerConfiguration conf = multiLayer(l, act, nOut, new Adam(1e-2), DataType.FLOAT);
        String json = conf.toJson();
        MultiLayerConfiguration back;
        try {
            back = MultiLayerConfiguration.fromJson(json);
        } catch (RuntimeException e) {
            throw new AssertionError(msg(check, loss, "MultiLayerConfiguration.fromJson failed: "
                    + ConformanceRunner.describe(e) + "\nJSON:\n" + json), e);
        }
        ILossFunction restored = lossOf(back.getConf(1).getLayer());
        assertSameLoss(check + " (MultiLayerConfiguration)", loss, l, restored, f, json);
        if (!conf.equals(back)) {
            fail(msg(check + " (MultiLayerConfiguration)", loss, "fromJson(toJson()) does not equal the original"
                    + " configuration; JSON:\n" + json));
        }
        MultiLayerNetwork a = new MultiLayerNetwork(conf);
        a.init();
        MultiLayerNetwork b = new MultiLayerNetwork(back);
        b.init();
        double sa = a.score(f.dataSet());
        double sb = b.score(f.dataSet());
        if (Double.compare(sa, sb) != 0) {
            fail(msg(check + " (MultiLayerConfiguration)", loss, "network score " + sb + " after the round trip, "
                    + sa + " before"));
        }

        ComputationGraphConfiguration gconf = graph(l, act, nOut, new Adam(1e-2), DataType.FLOAT);
        String gjson = gconf.toJson();
        ComputationGraphConfiguration gback;
        try {
            gback = ComputationGraphConfiguration.fromJson(gjson);
        } catch (RuntimeException e) {
            throw new AssertionError(msg(check, loss, "ComputationGraphConfiguration.fromJson failed: "
                    + ConformanceRunner.describe(e) + "\nJSON:\n" + gjson), e);
        }
        GraphVertex v = gback.getVertices().get("out");
        if (!(v instanceof LayerVertex)) {
            fail(msg(check + " (ComputationGraphConfiguration)", loss, "vertex 'out' missing after the round trip"));
        }
        ILossFunction grestored = lossOf(((LayerVertex) v).getLayerConf().getLayer());
        assertSameLoss(check + " (ComputationGraphConfiguration)", loss, l, grestored, f, gjson);
        if (!gconf.equals(gback)) {
            fail(msg(check + " (ComputationGraphConfiguration)", loss, "fromJson(toJson()) does not equal the"
                    + " original configuration; JSON:\n" + gjson));
        }
        ComputationGraph ga = new ComputationGraph(gconf);
        ga.init();
        ComputationGraph gb = new ComputationGraph(gback);
        gb.init();
        double gsa = ga.score(f.dataSet());
        double gsb = gb.score(f.dataSet());
        if (Double.compare(gsa, gsb) != 0) {
            fail(msg(check + " (ComputationGraphConfiguration)", loss, "network score " + gsb
                    + " after the round trip, " + gsa + " before"));
        }
    }

    private static void assertSameLoss(String check, ILossFunction reported, ILossFunction original,
                                       ILossFunction restored, Fixture f, String json) {
        if (restored == null) {
            fail(msg(check, reported, "no loss in the restored output layer; JSON:\n" + json));
        }
        if (restored.getClass() != original.getClass()) {
            fail(msg(check, reported, "restored loss is a " + restored.getClass().getName() + ", expected "
                    + original.getClass().getName()));
        }
        INDArray z = f.preOutput();
        double before = original.computeScore(f.rowLabels(), z.dup(), f.activation(), null, false);
        double after = restored.computeScore(f.rowLabels(), z.dup(), f.activation(), null, false);
        if (Double.compare(before, after) != 0) {
            fail(msg(check, reported, "restored loss " + describe(restored) + " scores " + after
                    + " on a fixed input, the original " + before + " (a parameter was lost?); JSON:\n" + json));
        }
        if (!original.equals(restored)) {
            fail(msg(check, reported, "restored loss " + describe(restored) + " does not equal the original"
                    + " (equals/hashCode over every parameter? a getter or @JsonProperty for each field?); JSON:\n"
                    + json));
        }
        if (original instanceof LossFunction && restored instanceof LossFunction) {
            String s0 = ((LossFunction) original).spec();
            String s1 = ((LossFunction) restored).spec();
            if (!s0.equals(s1)) {
                fail(msg(check, reported, "restored spec " + s1 + ", original " + s0));
            }
        }
    }

    // ------------------------------------------------------------------ ModelSerializer

    /** Implements {@link LossChecks#assertModelSerializerRoundTrip}. */
    static void assertModelSerializerRoundTrip(ILossFunction loss, Activation act) {
        assertModelSerializerRoundTrip(loss, act, DEFAULT_NOUT);
    }

    /** Implements {@link LossChecks#assertModelSerializerRoundTrip}. */
    static void assertModelSerializerRoundTrip(ILossFunction loss, Activation act, int nOut) {
        String check = "ModelSerializer round trip";
        ILossFunction l = configured(loss);
        Fixture f = Fixture.of(l, act, nOut, 3, DataType.FLOAT, new Random(SEED));
        DataSet ds = f.dataSet();
        MultiLayerNetwork net = new MultiLayerNetwork(multiLayer(l, act, nOut, new Adam(1e-2), DataType.FLOAT));
        net.init();
        for (int i = 0; i < 3; i++) {
            net.fit(ds);
        }
        File file = null;
        try {
            file = Files.createTempFile("loss-testkit-", ".zip").toFile();
            ModelSerializer.writeModel(net, file, true);
            MultiLayerNetwork back;
            try {
                back = ModelSerializer.restoreMultiLayerNetwork(file, true);
            } catch (IOException | RuntimeException e) {
                throw new AssertionError(msg(check, loss, "restoreMultiLayerNetwork failed: "
                        + ConformanceRunner.describe(e)), e);
            }
            ILossFunction restored = lossOf(back.getLayerWiseConfigurations().getConf(1).getLayer());
            assertSameLoss(check, loss, l, restored, f, back.getLayerWiseConfigurations().toJson());
            assertIdentical(check, loss, "parameters", net.params(), back.params());
            assertIdentical(check, loss, "output", net.output(ds.getFeatures()), back.output(ds.getFeatures()));
            double s0 = net.score(ds);
            double s1 = back.score(ds);
            if (Double.compare(s0, s1) != 0) {
                fail(msg(check, loss, "restored network scores " + s1 + ", original " + s0));
            }
            net.fit(ds);
            back.fit(ds);
            double t0 = net.score(ds);
            double t1 = back.score(ds);
            if (Double.compare(t0, t1) != 0) {
                fail(msg(check, loss, "after one more training step the restored network scores " + t1
                        + ", the original " + t0 + " (updater state or a loss parameter not restored?)"));
            }
            assertIdentical(check, loss, "parameters after one more step", net.params(), back.params());
        } catch (IOException e) {
            throw new AssertionError(msg(check, loss, "writing the model failed: " + e), e);
        } finally {
            if (file != null && !file.delete()) {
                file.deleteOnExit();
            }
        }
    }

    private static void assertIdentical(String check, ILossFunction loss, String what, INDArray a, INDArray b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            fail(msg(check, loss, what + " shape " + Arrays.toString(b.shape()) + " after restore, "
                    + Arrays.toString(a.shape()) + " before"));
        }
        double[] x = flat(a);
        double[] y = flat(b);
        for (int i = 0; i < x.length; i++) {
            if (Double.compare(x[i], y[i]) != 0) {
                fail(msg(check, loss, what + "[" + i + "] is " + y[i] + " after restore, " + x[i] + " before"));
            }
        }
    }

    /** Implements {@link LossChecks#assertJavaSerializationRoundTrip}. */
    static void assertJavaSerializationRoundTrip(ILossFunction loss, Activation act, int nOut) {
        String check = "Java serialization round trip";
        ILossFunction l = configured(loss);
        Fixture f = Fixture.of(l, act, nOut, 3, DataType.FLOAT, new Random(SEED));
        ILossFunction restored;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(l);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                restored = (ILossFunction) in.readObject();
            }
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            throw new AssertionError(msg(check, loss, "serialization failed: " + ConformanceRunner.describe(e)
                    + " (every field must be Serializable or transient and rebuilt: Spark ships configurations this way)"), e);
        }
        assertSameLoss(check, loss, l, restored, f, "(Java serialization)");
        INDArray g0 = l.computeGradient(f.rowLabels(), f.preOutput().dup(), f.activation(), null);
        INDArray g1 = restored.computeGradient(f.rowLabels(), f.preOutput().dup(), f.activation(), null);
        assertIdentical(check, loss, "gradient", g0, g1);
    }
}
