package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import io.github.lossvariants.api.dl4j.SavedModels;
import io.github.lossvariants.testkit.LossChecks;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One regression test per numbered case of issue 16 ("Robustness, round 2"), each with the inputs
 * the issue names. Every test here failed on the main of the issue (commit daa8fdb; run there, see
 * docs/RELIABILITY.md) and passes since the fixes. Only the registry, the {@code ILossFunction}
 * methods, DL4J's JSON and {@code SavedModels} are used, so the file also runs against that commit.
 */
class Issue16RegressionTest {
    private static final LossRegistry REGISTRY = LossRegistry.discover();
    private static final ObjectMapper MAPPER = NeuralNetConfiguration.mapper();

    // ------------------------------------------------------------------ (1) half precision

    /** dice, HALF softmax logits [[0, 0, 8, 0, 0]], labels [[1, 0, 0, 0, 0]]: the gradient was [[-1e-4, NaN, -6e-6, NaN, NaN]]. */
    @Test
    void case1DiceInHalfHasAFiniteGradientCloseToFloat() {
        assertHalfFiniteAndCloseToFloat(REGISTRY.create("dice"), new double[][]{{0, 0, 8, 0, 0}},
                new double[][]{{1, 0, 0, 0, 0}}, Activation.SOFTMAX);
    }

    /** bce, HALF logits [[12, 12]], labels [[1, 0]]: the score was NaN (float: 11.51); at 100 the gradient was NaN. */
    @ParameterizedTest
    @CsvSource({"12", "100"})
    void case1BceInHalfIsFiniteAndCloseToFloat(double logit) {
        LossFunction bce = REGISTRY.create("bce");
        assertHalfFiniteAndCloseToFloat(bce, new double[][]{{logit, logit}}, new double[][]{{1, 0}}, Activation.SIGMOID);
        if (logit == 12) {
            double half = bce.computeScore(Nd4j.createFromArray(new double[][]{{1, 0}}).castTo(DataType.HALF),
                    Nd4j.createFromArray(new double[][]{{12, 12}}).castTo(DataType.HALF),
                    Activation.SIGMOID.getActivationFunction(), null, false);
            assertEquals(11.51, half, 0.01, "bce of [[12, 12]] vs [[1, 0]] in HALF (the issue's FLOAT value 11.51)");
        }
    }

    /** dual-focal(gamma=0.3), focal-adaptive(gamma=0.3), HALF logits [[10, 0, 0]], labels [[1, 0, 0]]: the gradient was all NaN. */
    @ParameterizedTest
    @CsvSource({"dual-focal(gamma=0.3)", "focal-adaptive(gamma=0.3)"})
    void case1SmallGammaInHalfHasAFiniteGradient(String spec) {
        assertHalfFiniteAndCloseToFloat(REGISTRY.create(spec), new double[][]{{10, 0, 0}}, new double[][]{{1, 0, 0}},
                Activation.SOFTMAX);
    }

    /**
     * Default dual-focal on ordinary 4x5 logits: the issue's HALF row scores were
     * [6.48, 1.63, 0.566, 0.283] against [6.48, 2.03, 1.58, 0.39] in FLOAT (errors up to 1.0).
     */
    @Test
    void case1DualFocalRowScoresInHalfMatchFloat() {
        Random rng = new Random(16);
        double[][] z = new double[4][5];
        double[][] y = new double[4][5];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 5; c++) {
                z[r][c] = 2 * rng.nextGaussian();
            }
            y[r][r] = 1;
        }
        assertHalfFiniteAndCloseToFloat(REGISTRY.create("dual-focal"), z, y, Activation.SOFTMAX);
    }

    /**
     * HALF results are finite and within {@link LossChecks#HALF_RTOL} of FLOAT on the same values
     * (relative to max(1, |value|) for scores, max(1, max |element|) for arrays), element by element.
     */
    private static void assertHalfFiniteAndCloseToFloat(LossFunction loss, double[][] logits, double[][] labels,
                                                        Activation activation) {
        IActivation act = activation.getActivationFunction();
        INDArray zh = Nd4j.createFromArray(logits).castTo(DataType.HALF);
        INDArray yh = Nd4j.createFromArray(labels).castTo(DataType.HALF);
        INDArray zf = zh.castTo(DataType.FLOAT);
        INDArray yf = yh.castTo(DataType.FLOAT);
        Pair<Double, INDArray> h = loss.computeGradientAndScore(yh, zh, act, null, false);
        Pair<Double, INDArray> f = loss.computeGradientAndScore(yf, zf, act, null, false);
        double[] rowsH = values(loss.computeScoreArray(yh, zh, act, null));
        double[] rowsF = values(loss.computeScoreArray(yf, zf, act, null));
        double[] gh = values(h.getSecond());
        double[] gf = values(f.getSecond());
        String where = loss.spec() + " on HALF logits " + java.util.Arrays.deepToString(logits);
        assertTrue(Double.isFinite(f.getFirst()), where + ": FLOAT score " + f.getFirst());
        assertTrue(Double.isFinite(h.getFirst()), where + ": HALF score is " + h.getFirst() + " (FLOAT " + f.getFirst() + ")");
        double tol = LossChecks.HALF_RTOL;
        assertEquals(f.getFirst(), h.getFirst(), tol * Math.max(1, Math.abs(f.getFirst())), where + ": score");
        assertClose(where + ": gradient", gf, gh, tol);
        assertClose(where + ": row scores", rowsF, rowsH, tol);
    }

    private static void assertClose(String where, double[] single, double[] half, double tol) {
        double scale = 1;
        for (double v : single) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < single.length; i++) {
            assertTrue(Double.isFinite(half[i]), where + "[" + i + "] is " + half[i] + " in HALF, " + single[i] + " in FLOAT");
            assertEquals(single[i], half[i], tol * scale, where + "[" + i + "] in HALF vs FLOAT");
        }
    }

    private static double[] values(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    // ------------------------------------------------------------------ (2) mask values

    /** A NaN mask entry made focal and dice return NaN: now a clear error naming the entry. */
    @ParameterizedTest
    @CsvSource({"focal, SIGMOID", "dice, SOFTMAX"})
    void case2NanMaskEntryIsRejectedNamingIt(String name, Activation activation) {
        INDArray mask = Nd4j.ones(DataType.DOUBLE, 3, 1);
        mask.putScalar(1, 0, Double.NaN);
        assertMaskRejected(name, activation, mask, "NaN", "row 1, column 0");
    }

    /** A mask of -1 made focal return -1.48 and ce -1.0: now a clear error naming the entry. */
    @ParameterizedTest
    @CsvSource({"focal, SIGMOID", "ce, SOFTMAX"})
    void case2NegativeMaskEntryIsRejectedNamingIt(String name, Activation activation) {
        INDArray mask = Nd4j.ones(DataType.DOUBLE, 3, 1);
        mask.putScalar(2, 0, -1.0);
        assertMaskRejected(name, activation, mask, "-1.0", "row 2, column 0");
    }

    private static void assertMaskRejected(String name, Activation activation, INDArray mask, String... fragments) {
        LossFunction loss = REGISTRY.create(name);
        INDArray y = Nd4j.createFromArray(new double[][]{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
        INDArray z = Nd4j.createFromArray(new double[][]{{2, -1, 0.5}, {0, 1, -2}, {1, 1, 3}});
        IActivation act = activation.getActivationFunction();
        for (int entry = 0; entry < 4; entry++) {
            String where = name + " with mask " + java.util.Arrays.toString(mask.toDoubleVector()) + ", entry point " + entry;
            int e = entry;
            LossConfigurationException ex = assertThrows(LossConfigurationException.class, () -> {
                Object r = e == 0 ? loss.computeScore(y, z, act, mask, false)
                        : e == 1 ? loss.computeScoreArray(y, z, act, mask)
                        : e == 2 ? loss.computeGradient(y, z, act, mask)
                        : loss.computeGradientAndScore(y, z, act, mask, false);
                fail(where + ": accepted, returned " + r);
            }, where);
            assertTrue(ex.getMessage().contains(name), where + ": message does not name the loss: " + ex.getMessage());
            assertTrue(ex.getMessage().contains("mask"), where + ": message does not say it is the mask: " + ex.getMessage());
            for (String f : fragments) {
                assertTrue(ex.getMessage().contains(f), where + ": message lacks '" + f + "': " + ex.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ (3) compound overflow

    /** 1e308*focal + 1e308*bce was accepted and returned Infinity: now rejected at creation. */
    @Test
    void case3CompoundWhoseWeightsCannotBeSummedIsRejectedAtCreation() {
        LossConfigurationException e = assertThrows(LossConfigurationException.class,
                () -> REGISTRY.create("1e308*focal + 1e308*bce"));
        assertTrue(e.getMessage().contains("weights") && e.getMessage().contains("finite"),
                "the message should say the weights must sum finitely: " + e.getMessage());
    }

    // ------------------------------------------------------------------ (4) missing parameters

    /**
     * A parameter missing from a saved model's JSON (the 0.1.0 fixtures, written by commit daa8fdb)
     * restores as its registry default, not as 0 (or an error about a value nobody wrote). The
     * fixture's loss is rebuilt from its spec with that parameter at the documented default.
     * SavedModelsFromV010Test does this for every field of every fixture; these are the issue's cases.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "focal | gamma | focal(gamma=2, alpha=0.1)",
            "mdca | beta | mdca(beta=1)",
            "tversky | beta | tversky(alpha=0.3, beta=0.5, smooth=0.01, batch=true, includeBackground=false, classWeights=[1, 2, 3], rowsPerExample=4)",
            "asymmetric | clip | asymmetric(gammaNeg=3, gammaPos=0.5, clip=0.05, detachFocusingWeight=true)",
            "asymmetric | gammaNeg | asymmetric(gammaNeg=4, gammaPos=0.5, clip=0.1, detachFocusingWeight=true)",
            "dual-focal | gamma | dual-focal(gamma=5)",
            "softmax-focal | gamma | softmax-focal(gamma=2, classWeights=[1, 2, 3])",
            "dice | smooth | dice(smooth=0.00001, classes=[1, 2])"})
    void case4MissingParameterRestoresAsItsDefault(String fixture, String field, String expected) throws IOException {
        JsonNode root = MAPPER.readTree(fixture(fixture));
        ObjectNode loss = lossNode(root);
        assertTrue(loss.remove(field) != null, fixture + ".json has no field " + field + ": " + loss);
        MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(MAPPER.writeValueAsString(root));
        ILossFunction restored = ((BaseOutputLayer) conf.getConf(conf.getConfs().size() - 1).getLayer()).getLossFn();
        assertEquals(REGISTRY.create(expected), restored, fixture + " without '" + field + "'");
    }

    private static String fixture(String stem) throws IOException {
        try (InputStream in = Issue16RegressionTest.class.getResourceAsStream("/saved-0.1.0/" + stem + ".json")) {
            assertTrue(in != null, "missing fixture saved-0.1.0/" + stem + ".json");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static ObjectNode lossNode(JsonNode node) {
        if (node.has("lossFn")) {
            return (ObjectNode) node.get("lossFn");
        }
        for (JsonNode child : node) {
            ObjectNode found = lossNode(child);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ (5) a class that is not a loss

    /**
     * The loss's {@code @class} replaced by a class that is not a loss: DL4J says "configuration may
     * have a custom layer ... pre version 1.0.0-beta JSON format"; SavedModels says what is wrong, from
     * JSON and from a saved model.
     */
    @Test
    void case5ForeignClassInPlaceOfTheLossIsNamedAsNotALoss(@TempDir Path dir) throws IOException {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new OutputLayer.Builder(REGISTRY.create("focal")).nIn(2).nOut(3).activation(Activation.SIGMOID)
                        .build()).build();
        String foreign = Adam.class.getName();
        String json = conf.toJson().replace(REGISTRY.create("focal").getClass().getName(), foreign);
        assertTrue(json.contains(foreign));

        LossConfigurationException fromJson = assertThrows(LossConfigurationException.class,
                () -> SavedModels.multiLayerConfiguration(json));
        assertNotALossMessage(fromJson.getMessage(), foreign);

        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        File file = dir.resolve("foreign.zip").toFile();
        ModelSerializer.writeModel(net, file, false);
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + file.toURI()), Map.of())) {
            Files.writeString(zip.getPath("configuration.json"), json, StandardCharsets.UTF_8);
        }
        LossConfigurationException fromZip = assertThrows(LossConfigurationException.class,
                () -> SavedModels.restoreMultiLayerNetwork(file, false));
        assertNotALossMessage(fromZip.getMessage(), foreign);
    }

    private static void assertNotALossMessage(String message, String foreign) {
        assertTrue(message.contains(foreign), "the message does not name the class: " + message);
        assertTrue(message.contains("is not an") && message.contains("ILossFunction"),
                "the message does not say the class is not an ILossFunction: " + message);
        assertTrue(!message.contains("pre version 1.0.0-beta"), "DL4J's misleading explanation leads: " + message);
    }

    // ------------------------------------------------------------------ (6) long spec strings

    /** An error in a 10,000-character spec echoed all of it: now a window around the position, with the caret. */
    @Test
    void case6ErrorInALongSpecQuotesAWindowWithTheCaret() {
        String spec = "focal + ".repeat(700) + "focal(gamma=2 alpha=1)" + " + focal".repeat(700);
        assertTrue(spec.length() > 10_000, "spec length " + spec.length());
        LossConfigurationException e = assertThrows(LossConfigurationException.class, () -> REGISTRY.create(spec));
        String message = e.getMessage();
        assertTrue(message.length() < 1_000, "the message has " + message.length() + " characters: " + message);
        assertTrue(message.contains("gamma=2 alpha"), "the window does not show the error: " + message);
        assertTrue(message.contains("^"), "no caret under the position: " + message);
        assertTrue(message.contains("..."), "the cut ends are not marked: " + message);
        int caretLine = message.lastIndexOf('\n');
        String window = message.substring(message.lastIndexOf('\n', caretLine - 1) + 1, caretLine);
        int caret = message.indexOf('^', caretLine) - caretLine - 1;
        assertTrue(caret >= 0 && caret < window.length() && window.substring(caret).startsWith("alpha"),
                "the caret does not point at 'alpha' (the token after the missing comma): " + message);
    }
}
