package io.github.lossvariants.it.robust;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What users hand a loss by mistake, tried on every registered loss through all four
 * {@code ILossFunction} entry points: each must fail with a {@link LossConfigurationException}
 * whose message names the loss, what is wrong, the value or shape, and what is allowed -- never
 * return NaN, never a bare ND4J error.
 */
class BadInputTest {

    /** One mistake: how to make the arrays and what the message must contain. */
    private static final class Mistake {
        final String what;
        final Supplier<INDArray[]> arrays; // labels, preOutput, mask (may be null)
        final Activation activation; // null: the loss's own
        final String[] fragments;

        Mistake(String what, Supplier<INDArray[]> arrays, Activation activation, String... fragments) {
            this.what = what;
            this.arrays = arrays;
            this.activation = activation;
            this.fragments = fragments;
        }
    }

    private static INDArray labels(Activation act, long rows, long nOut, DataType type) {
        INDArray y = Nd4j.zeros(type, rows, nOut);
        for (int r = 0; r < rows; r++) {
            y.putScalar(r, r % nOut, 1.0);
            if (act == Activation.SIGMOID) {
                y.putScalar(r, (r + 2) % nOut, 1.0);
            }
        }
        return y;
    }

    private static INDArray logits(long rows, long nOut, DataType type) {
        return Nd4j.linspace(-2, 2, rows * nOut, DataType.DOUBLE).reshape('c', rows, nOut).castTo(type);
    }

    private static String sh(long... shape) {
        return java.util.Arrays.toString(shape);
    }

    private static List<Mistake> mistakes(Activation act, int w) {
        DataType d = DataType.DOUBLE;
        int last = w - 1;
        List<Mistake> m = new ArrayList<>();
        m.add(new Mistake("labels and logits of different widths", () -> new INDArray[]{labels(act, 4, w, d),
                logits(4, w + 1, d), null}, null, "equal shapes", sh(4, w), sh(4, w + 1)));
        m.add(new Mistake("labels and logits of different row counts", () -> new INDArray[]{labels(act, 5, w, d),
                logits(4, w, d), null}, null, "equal shapes", sh(5, w), sh(4, w)));
        m.add(new Mistake("3-D arrays (an RNN/CNN output passed to the loss directly)", () -> new INDArray[]{
                labels(act, 4, w, d).reshape(2, w, 2), logits(4, w, d).reshape(2, w, 2), null}, null,
                "expected 2-D", sh(2, w, 2), "CnnLossLayer"));
        m.add(new Mistake("1-D arrays", () -> new INDArray[]{labels(act, 4, w, d).reshape(4L * w),
                logits(4, w, d).reshape(4L * w), null}, null, sh(4L * w)));
        m.add(new Mistake("mask with the wrong number of columns", () -> new INDArray[]{labels(act, 4, w, d),
                logits(4, w, d), Nd4j.ones(d, 4, w + 1)}, null, "unsupported mask shape " + sh(4, w + 1), "[4, 1]",
                sh(4, w)));
        m.add(new Mistake("mask with the wrong number of rows", () -> new INDArray[]{labels(act, 4, w, d),
                logits(4, w, d), Nd4j.ones(d, 5, 1)}, null, "unsupported mask shape [5, 1]", "[4, 1]"));
        m.add(new Mistake("3-D mask", () -> new INDArray[]{labels(act, 4, w, d), logits(4, w, d),
                Nd4j.ones(d, 2, 2, w)}, null, "unsupported mask shape " + sh(2, 2, w)));
        m.add(new Mistake("label 2 (class index instead of one-hot/0-1)", () -> {
            INDArray y = labels(act, 4, w, d);
            y.putScalar(2, last, 2.0);
            return new INDArray[]{y, logits(4, w, d), null};
        }, null, "labels must lie in [0, 1]", "2.0", "row 2, column " + last));
        m.add(new Mistake("label -1 (e.g. a {-1, 1} encoding)", () -> {
            INDArray y = labels(act, 4, w, d);
            y.putScalar(3, 0, -1.0);
            return new INDArray[]{y, logits(4, w, d), null};
        }, null, "labels must lie in [0, 1]", "-1.0", "row 3, column 0"));
        m.add(new Mistake("NaN label", () -> {
            INDArray y = labels(act, 4, w, d);
            y.putScalar(1, last, Double.NaN);
            return new INDArray[]{y, logits(4, w, d), null};
        }, null, "labels must lie in [0, 1]", "NaN", "row 1, column " + last));
        m.add(new Mistake("two NaN logits", () -> {
            INDArray z = logits(4, w, d);
            z.putScalar(1, last, Double.NaN);
            z.putScalar(3, 0, Double.NaN);
            return new INDArray[]{labels(act, 4, w, d), z, null};
        }, null, "2 non-finite values", "NaN at row 1, column " + last, "-Dlossvariants.checkInputs=false"));
        m.add(new Mistake("an infinite logit (float)", () -> {
            INDArray z = logits(4, w, DataType.FLOAT);
            z.putScalar(0, last, Double.NEGATIVE_INFINITY);
            return new INDArray[]{labels(act, 4, w, DataType.FLOAT), z, null};
        }, null, "1 non-finite value ", "-Infinity at row 0, column " + last));
        m.add(new Mistake("integer logits", () -> new INDArray[]{labels(act, 4, w, d), logits(4, w, d).castTo(DataType.INT),
                null}, null, "preOutput must be floating point", "INT"));
        m.add(new Mistake("UTF-8 labels", () -> new INDArray[]{Nd4j.create("a", "b"), logits(1, 2, d), null}, null,
                "labels must be numeric", "UTF8"));
        m.add(new Mistake("empty arrays", () -> new INDArray[]{Nd4j.create(d, 0, w), Nd4j.create(d, 0, w), null},
                null, "must not be empty", sh(0, w)));
        m.add(new Mistake("null labels", () -> new INDArray[]{null, logits(4, w, d), null}, null,
                "must not be null", "labels null"));
        m.add(new Mistake("soft labels for a loss defined on one-hot labels only", () -> {
            INDArray y = labels(act, 4, w, d);
            if (w == 1) {
                y.putScalar(1, 0, 0.3);
            } else {
                y.getRow(1).assign(0.0);
                y.putScalar(1, 0, 0.3);
                y.putScalar(1, 1, 0.7);
            }
            return new INDArray[]{y, logits(4, w, d), null};
        }, null, "one-hot", "row 1"));
        m.add(new Mistake("a ReLU output layer", () -> new INDArray[]{labels(act, 4, w, d), logits(4, w, d), null},
                Activation.RELU, "got relu", act.name()));
        m.add(new Mistake("an identity output layer", () -> new INDArray[]{labels(act, 4, w, d), logits(4, w, d),
                null}, Activation.IDENTITY, "got identity"));
        return m;
    }

    private static final LossRegistry REGISTRY = LossRegistry.discover();

    @TestFactory
    Stream<DynamicTest> everyMistakeFailsWithAClearMessage() {
        return LossUnderTest.all().stream().map(l -> DynamicTest.dynamicTest(l.name, () -> {
            for (Activation own : l.activations) {
                int w = l.defaultWidth(own);
                LossFunction loss = l.defaults(REGISTRY, own, w);
                for (Mistake m : mistakes(own, w)) {
                    if (m.what.startsWith("soft labels") && l.settings.softLabels) {
                        continue; // soft labels are valid for this loss (LossSettingsTest checks the entry)
                    }
                    if (m.activation != null && l.activations.contains(m.activation)) {
                        continue; // e.g. IDENTITY for two-way, which reads the raw logits
                    }
                    Activation act = m.activation == null ? own : m.activation;
                    for (int entry = 0; entry < 4; entry++) {
                        INDArray[] a = m.arrays.get();
                        String where = l.name + " (" + own + "), " + m.what + ", entry point " + entry;
                        LossConfigurationException e = call(loss, a, act.getActivationFunction(), entry, where);
                        String msg = e.getMessage();
                        assertTrue(msg.contains(l.name), where + ": message does not name the loss: " + msg);
                        for (String f : m.fragments) {
                            assertTrue(msg.contains(f), where + ": message lacks '" + f + "': " + msg);
                        }
                    }
                }
            }
        }));
    }

    /** Labels of another floating or integer type than the logits are cast, not rejected, and give the same result. */
    @TestFactory
    Stream<DynamicTest> labelAndMaskTypesOtherThanTheLogitsAreCastConsistently() {
        return LossUnderTest.all().stream().map(l -> DynamicTest.dynamicTest(l.name, () -> {
            Activation act = l.activations.get(0);
            int w = l.defaultWidth(act);
            LossFunction loss = l.defaults(REGISTRY, act, w);
            INDArray y = labels(act, 4, w, DataType.DOUBLE);
            INDArray z = logits(4, w, DataType.DOUBLE);
            INDArray mask = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}, {1}});
            IActivation a = act.getActivationFunction();
            double expected = loss.computeScore(y, z, a, mask, false);
            for (DataType t : new DataType[]{DataType.FLOAT, DataType.INT, DataType.BOOL, DataType.HALF}) {
                double s = loss.computeScore(y.castTo(t), z, a, mask.castTo(t), false);
                assertEquals(expected, s, 1e-6 * Math.max(1, Math.abs(expected)), l.name + ": labels and mask as " + t);
            }
            double f = loss.computeScore(y, z.castTo(DataType.FLOAT), a, mask, false);
            assertEquals(expected, f, 1e-4 * Math.max(1, Math.abs(expected)), l.name + ": float logits, double labels");
        }));
    }

    private static LossConfigurationException call(LossFunction loss, INDArray[] a, IActivation act, int entry,
                                                   String where) {
        try {
            Object r;
            switch (entry) {
                case 0:
                    r = loss.computeScore(a[0], a[1], act, a[2], false);
                    break;
                case 1:
                    r = loss.computeScoreArray(a[0], a[1], act, a[2]);
                    break;
                case 2:
                    r = loss.computeGradient(a[0], a[1], act, a[2]);
                    break;
                default:
                    r = loss.computeGradientAndScore(a[0], a[1], act, a[2], true);
                    break;
            }
            fail(where + ": accepted, returned " + r);
            return null;
        } catch (LossConfigurationException e) {
            return e;
        } catch (RuntimeException e) {
            throw new AssertionError(where + ": failed with " + e + " instead of a LossConfigurationException", e);
        }
    }
}
