package io.github.lossvariants.testkit;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Networks, inputs, tolerances and messages shared by the checks of {@link LossChecks}: the small
 * test networks a loss is put into, the data they are fed, the tolerances of comparisons in one
 * data type, and failure messages that name the check and the loss.
 */
final class Fixtures {
    /** Image size of the convolutional test networks used for a {@link RowGroupedLoss}. */
    static final int IMAGE_H = 2;
    static final int IMAGE_W = 3;
    static final int IMAGE_CHANNELS_IN = 2;
    static final int DENSE_IN = 4;
    static final int DENSE_HIDDEN = 5;
    static final int DEFAULT_NOUT = 3;
    static final long SEED = 12345L;
    static final double ZERO_DOUBLE = 1e-12;

    private Fixtures() {
    }

    // ------------------------------------------------------------------ networks and data

    /** A RowGroupedLoss configured for the 2x3 images of the test networks; other losses as they are. */
    static ILossFunction configured(ILossFunction loss) {
        if (loss instanceof RowGroupedLoss) {
            return ((RowGroupedLoss) loss).withRowsPerExample((long) IMAGE_H * IMAGE_W);
        }
        return loss;
    }

    static MultiLayerConfiguration multiLayer(ILossFunction loss, Activation act, int nOut, IUpdater updater,
                                              DataType type) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(SEED).dataType(type).updater(updater).weightInit(new NormalDistribution(0, 1))
                .list();
        if (loss instanceof RowGroupedLoss) {
            b.layer(new ConvolutionLayer.Builder(1, 1).nIn(IMAGE_CHANNELS_IN).nOut(nOut)
                            .activation(Activation.TANH).build())
                    .layer(new CnnLossLayer.Builder(loss).activation(act).build())
                    .setInputType(InputType.convolutional(IMAGE_H, IMAGE_W, IMAGE_CHANNELS_IN));
        } else {
            b.layer(new DenseLayer.Builder().nIn(DENSE_IN).nOut(DENSE_HIDDEN).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(loss).nIn(DENSE_HIDDEN).nOut(nOut).activation(act).build());
        }
        return b.build();
    }

    static ComputationGraphConfiguration graph(ILossFunction loss, Activation act, int nOut, IUpdater updater,
                                               DataType type) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(SEED).dataType(type).updater(updater).weightInit(new NormalDistribution(0, 1))
                .graphBuilder().addInputs("in");
        if (loss instanceof RowGroupedLoss) {
            g.addLayer("hidden", new ConvolutionLayer.Builder(1, 1).nIn(IMAGE_CHANNELS_IN).nOut(nOut)
                            .activation(Activation.TANH).build(), "in")
                    .addLayer("out", new CnnLossLayer.Builder(loss).activation(act).build(), "hidden")
                    .setInputTypes(InputType.convolutional(IMAGE_H, IMAGE_W, IMAGE_CHANNELS_IN));
        } else {
            g.addLayer("hidden", new DenseLayer.Builder().nIn(DENSE_IN).nOut(DENSE_HIDDEN)
                            .activation(Activation.TANH).build(), "in")
                    .addLayer("out", new OutputLayer.Builder(loss).nIn(DENSE_HIDDEN).nOut(nOut).activation(act).build(),
                            "hidden");
        }
        return g.setOutputs("out").build();
    }

    static ILossFunction lossOf(Layer layer) {
        if (layer instanceof BaseOutputLayer) {
            return ((BaseOutputLayer) layer).getLossFn();
        }
        if (layer instanceof CnnLossLayer) {
            return ((CnnLossLayer) layer).getLossFn();
        }
        if (layer instanceof LossLayer) {
            return ((LossLayer) layer).getLossFn();
        }
        return null;
    }

    /** Inputs and labels for the test networks, and the loss-level rows they flatten to. */
    static final class Fixture {
        private final ILossFunction loss;
        private final Activation act;
        private final int nOut;
        private final int minibatch;
        private final INDArray features;
        private final INDArray labels;
        private final INDArray rowLabels;
        private final INDArray preOutput;
        private final boolean image;

        private Fixture(ILossFunction loss, Activation act, int nOut, int minibatch, INDArray features,
                        INDArray labels, INDArray rowLabels, INDArray preOutput, boolean image) {
            this.loss = loss;
            this.act = act;
            this.nOut = nOut;
            this.minibatch = minibatch;
            this.features = features;
            this.labels = labels;
            this.rowLabels = rowLabels;
            this.preOutput = preOutput;
            this.image = image;
        }

        static Fixture of(ILossFunction loss, Activation act, int nOut, int minibatch, DataType type, Random rng) {
            boolean image = loss instanceof RowGroupedLoss;
            int rows = image ? minibatch * IMAGE_H * IMAGE_W : minibatch;
            INDArray rowLabels = TestArrays.labels(act, rows, nOut, rng, type);
            INDArray preOutput = TestArrays.gaussian(rows, nOut, 3.0, rng, type);
            INDArray features;
            INDArray labels;
            if (image) {
                features = TestArrays.gaussian(minibatch, IMAGE_CHANNELS_IN * IMAGE_H * IMAGE_W, 1.0, rng, type)
                        .reshape('c', new long[]{minibatch, IMAGE_CHANNELS_IN, IMAGE_H, IMAGE_W});
                // rows are n*H*W + h*W + w with classes last: back to [N, C, H, W]
                labels = rowLabels.reshape('c', new long[]{minibatch, IMAGE_H, IMAGE_W, nOut}).permute(0, 3, 1, 2).dup('c');
            } else {
                features = TestArrays.gaussian(minibatch, DENSE_IN, 1.0, rng, type);
                labels = rowLabels;
            }
            return new Fixture(loss, act, nOut, minibatch, features, labels, rowLabels, preOutput, image);
        }

        INDArray features() {
            return features;
        }

        INDArray labels() {
            return labels;
        }

        INDArray rowLabels() {
            return rowLabels;
        }

        INDArray preOutput() {
            return preOutput;
        }

        IActivation activation() {
            return act.getActivationFunction();
        }

        DataSet dataSet() {
            return new DataSet(features, labels);
        }

        INDArray labelMask(MaskKind kind) {
            DataType type = labels.dataType();
            switch (kind) {
                case NONE:
                    return null;
                case PER_EXAMPLE: {
                    INDArray m = Nd4j.ones(type, minibatch, 1);
                    for (int i = 1; i < minibatch; i += 2) {
                        m.putScalar(i, 0, 0.0);
                    }
                    return m;
                }
                default: {
                    double[] v = new double[(int) labels.length()];
                    boolean softmax = act == Activation.SOFTMAX;
                    long perImage = (long) IMAGE_H * IMAGE_W;
                    for (int i = 0; i < v.length; i++) {
                        long unit = i;
                        if (softmax) {
                            // the row (example, or pixel of [N, C, H, W]) of flat index i: whole rows
                            unit = image ? (i / (nOut * perImage)) * perImage + i % perImage : i / nOut;
                        }
                        v[i] = unit % 3 == 1 ? 0.0 : 1.0;
                    }
                    INDArray m = Nd4j.createFromArray(v).reshape('c', labels.shape()).castTo(type);
                    return m;
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** @return the rows each example spans: {@link RowGroupedLoss#rowsPerExample()}, else 1 */
    static long rowsPerExample(ILossFunction loss) {
        return loss instanceof RowGroupedLoss ? Math.max(1, ((RowGroupedLoss) loss).rowsPerExample()) : 1;
    }

    /** @return the loss's spec for a {@link LossFunction}, else its name or class */
    static String describe(ILossFunction loss) {
        try {
            if (loss instanceof LossFunction) {
                return ((LossFunction) loss).spec();
            }
            String n = loss.name();
            return n == null ? loss.getClass().getName() : n + " (" + loss.getClass().getName() + ")";
        } catch (RuntimeException e) {
            return loss.getClass().getName();
        }
    }

    static String msg(String check, ILossFunction loss, String detail) {
        return "[" + check + "] " + describe(loss) + ": " + detail;
    }

    static double[] flat(INDArray a) {
        INDArray d = a.castTo(DataType.DOUBLE).dup('c');
        return d.reshape('c', new long[]{d.length()}).toDoubleVector();
    }

    static void assertArraysClose(String check, ILossFunction loss, String what, INDArray expected, INDArray actual,
                                  Tol tol) {
        if (expected == null || actual == null || !Arrays.equals(expected.shape(), actual.shape())) {
            fail(msg(check, loss, what + ": shapes " + (expected == null ? "null" : Arrays.toString(expected.shape()))
                    + " vs " + (actual == null ? "null" : Arrays.toString(actual.shape()))));
        }
        double[] e = flat(expected);
        double[] a = flat(actual);
        for (int i = 0; i < e.length; i++) {
            if (!tol.close(a[i], e[i])) {
                fail(msg(check, loss, what + ": element " + i + " is " + a[i] + ", expected " + e[i]));
            }
        }
    }

    /** Tolerances for comparing two computations of the same quantity in one data type. */
    static final class Tol {
        final double rtol;
        final double atol;
        final double zero;

        private Tol(double rtol, double atol, double zero) {
            this.rtol = rtol;
            this.atol = atol;
            this.zero = zero;
        }

        static Tol of(DataType type) {
            return type == DataType.DOUBLE ? new Tol(1e-9, 1e-12, 1e-12) : new Tol(1e-4, 1e-6, 1e-6);
        }

        boolean close(double actual, double expected) {
            return Double.isFinite(actual) && Double.isFinite(expected)
                    && Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
        }
    }

    /** Score, score array and gradient of one set of inputs. */
    static final class Result {
        final double score;
        final INDArray scoreArray;
        final INDArray gradient;

        private Result(double score, INDArray scoreArray, INDArray gradient) {
            this.score = score;
            this.scoreArray = scoreArray;
            this.gradient = gradient;
        }

        static Result of(ILossFunction loss, INDArray y, INDArray z, IActivation act, INDArray mask) {
            return new Result(loss.computeScore(y.dup(), z.dup(), act, mask == null ? null : mask.dup(), false),
                    loss.computeScoreArray(y.dup(), z.dup(), act, mask == null ? null : mask.dup()),
                    loss.computeGradient(y.dup(), z.dup(), act, mask == null ? null : mask.dup()));
        }

        void assertSame(String check, ILossFunction loss, String what, Result other, Tol tol) {
            if (!tol.close(other.score, score)) {
                fail(msg(check, loss, what + ": score " + other.score + " vs " + score));
            }
            assertArraysClose(check, loss, what + ": computeScoreArray", scoreArray, other.scoreArray, tol);
            assertArraysClose(check, loss, what + ": computeGradient", gradient, other.gradient, tol);
        }
    }
    /** @return the registry name of a {@link LossFunction}, else {@code name()} (null when unavailable) */
    static String nameOf(ILossFunction loss) {
        try {
            return loss instanceof LossFunction ? ((LossFunction) loss).registryName() : loss.name();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
