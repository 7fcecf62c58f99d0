package io.github.lossvariants.examples.bench;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/** Small helpers shared by the benchmarks. */
public final class Nets {
    private Nets() {
    }

    /** @return a float matrix of the rows */
    public static INDArray matrix(double[][] rows) {
        return Nd4j.create(rows).castTo(DataType.FLOAT);
    }

    /** @return the rows of a 2-D array as doubles */
    public static double[][] rows(INDArray a) {
        return a.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    /** The ND4J seed used for seed 0 (see {@link #nd4jSeed}). */
    static final long SEED_ZERO = 0x5EED_0000L;

    /**
     * The seed to give ND4J and DL4J for a benchmark seed. ND4J 1.0.0-M2.1 treats seed 0 as "no seed":
     * {@code Nd4j.getRandom().setSeed(0)} reseeds from the clock, so every draw after it (dropout masks) differs
     * from run to run and between the losses of one seed (deeplearning4j issue 8634). Seed 0 is therefore mapped
     * to the fixed {@link #SEED_ZERO}; every other seed is passed on unchanged.
     *
     * @return {@code seed}, or {@link #SEED_ZERO} for 0
     */
    public static long nd4jSeed(int seed) {
        return seed == 0 ? SEED_ZERO : seed;
    }

    /** @return a network of the configuration, initialised by {@link #initLikePyTorch} from the seed */
    public static MultiLayerNetwork initialised(MultiLayerConfiguration conf, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        initLikePyTorch(net, seed);
        return net;
    }

    /**
     * The logits of a network whose last layer is a dense output layer (parameters {@code W}, {@code b}):
     * z = h W + b, with h the activations of the layer before it (inference mode), computed in double.
     * The sigmoid benchmarks need them for the NLL and temperature scaling: their float outputs round
     * to exactly 1 beyond a logit of about 17, where log(1 - p) is lost.
     *
     * @return {@code [rows][outputs]} logits
     */
    public static double[][] logits(MultiLayerNetwork net, INDArray features) {
        int last = net.getnLayers() - 1;
        List<INDArray> activations = net.feedForwardToLayer(last - 1, features, false);
        INDArray hidden = activations.get(activations.size() - 1).castTo(DataType.DOUBLE);
        Layer out = net.getLayer(last);
        INDArray w = out.getParam("W").castTo(DataType.DOUBLE);
        INDArray b = out.getParam("b").castTo(DataType.DOUBLE);
        return hidden.mmul(w).addiRowVector(b).toDoubleMatrix();
    }

    /**
     * Re-initialises every parameter deterministically from {@code seed}, as PyTorch's default layer
     * initialisation does: weights and biases uniform in {@code [-1/sqrt(fanIn), 1/sqrt(fanIn)]}, with
     * fanIn = nIn for dense weights {@code [nIn, nOut]} and {@code shape[1] * kH * kW} for 4-D kernels.
     * DL4J 1.0.0-M2.1's own initialisation is not reproducible within one JVM (two networks built from
     * the same seeded configuration get different weights), which would break the pairing of losses.
     */
    public static void initLikePyTorch(Model net, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, INDArray> table = net.paramTable();
        Map<String, Long> fanIn = new HashMap<>();
        for (Map.Entry<String, INDArray> e : table.entrySet()) {
            long[] sh = e.getValue().shape();
            String layer = e.getKey().substring(0, e.getKey().lastIndexOf('_'));
            if (e.getKey().endsWith("_W")) {
                fanIn.put(layer, sh.length == 4 ? sh[1] * sh[2] * sh[3] : sh[0]);
            }
        }
        for (Map.Entry<String, INDArray> e : table.entrySet()) {
            INDArray p = e.getValue();
            String layer = e.getKey().substring(0, e.getKey().lastIndexOf('_'));
            long fi = fanIn.getOrDefault(layer, Math.max(1, p.length()));
            double bound = 1 / Math.sqrt(fi);
            float[] v = new float[(int) p.length()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((2 * rnd.nextDouble() - 1) * bound);
            }
            p.assign(Nd4j.create(v, p.shape(), p.ordering()).castTo(p.dataType()));
        }
    }

    /** @return a value formatted for a progress bar */
    public static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
