package io.github.lossvariants.examples.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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

    /** @return a network of the configuration, initialised by {@link #initLikePyTorch} from the seed */
    public static org.deeplearning4j.nn.multilayer.MultiLayerNetwork initialised(
            org.deeplearning4j.nn.conf.MultiLayerConfiguration conf, long seed) {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(conf);
        net.init();
        initLikePyTorch(net, seed);
        return net;
    }

    /**
     * Re-initialises every parameter deterministically from {@code seed}, as PyTorch's default layer
     * initialisation does: weights and biases uniform in {@code [-1/sqrt(fanIn), 1/sqrt(fanIn)]}, with
     * fanIn = nIn for dense weights {@code [nIn, nOut]} and {@code shape[1] * kH * kW} for 4-D kernels.
     * DL4J 1.0.0-M2.1's own initialisation is not reproducible within one JVM (two networks built from
     * the same seeded configuration get different weights), which would break the pairing of losses.
     */
    public static void initLikePyTorch(org.deeplearning4j.nn.api.Model net, long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        java.util.Map<String, INDArray> table = net.paramTable();
        java.util.Map<String, Long> fanIn = new java.util.HashMap<>();
        for (java.util.Map.Entry<String, INDArray> e : table.entrySet()) {
            long[] sh = e.getValue().shape();
            String layer = e.getKey().substring(0, e.getKey().lastIndexOf('_'));
            if (e.getKey().endsWith("_W")) {
                fanIn.put(layer, sh.length == 4 ? sh[1] * sh[2] * sh[3] : sh[0]);
            }
        }
        for (java.util.Map.Entry<String, INDArray> e : table.entrySet()) {
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
        return String.format(java.util.Locale.ROOT, "%.4g", v);
    }
}
