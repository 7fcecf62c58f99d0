package io.github.lossvariants.calibration.metrics;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * A network's output probabilities and the labels over a whole data set, as {@code [rows, K]}
 * double arrays (4-D NCHW outputs are flattened to one row per pixel, in CnnLossLayer's order).
 * Feed them to {@link CalibrationMetrics} or to the scalers. Immutable holder.
 *
 * @since 0.1.0
 */
public final class Predictions {
    private final INDArray probabilities;
    private final INDArray labels;

    /**
     * @param probabilities {@code [rows, K]}
     * @param labels        {@code [rows, K]}
     */
    public Predictions(INDArray probabilities, INDArray labels) {
        this.probabilities = probabilities;
        this.labels = labels;
    }

    /** @return the probabilities, {@code [rows, K]}, DOUBLE */
    public INDArray probabilities() {
        return probabilities;
    }

    /** @return the labels, {@code [rows, K]}, DOUBLE */
    public INDArray labels() {
        return labels;
    }

    /**
     * Runs the network in inference mode over the iterator (reset before and after).
     *
     * @param net  a trained network
     * @param data the data; label masks are not applied
     * @return probabilities and labels of every example
     */
    public static Predictions collect(MultiLayerNetwork net, DataSetIterator data) {
        List<INDArray> ps = new ArrayList<>();
        List<INDArray> ys = new ArrayList<>();
        if (data.resetSupported()) {
            data.reset();
        }
        while (data.hasNext()) {
            DataSet ds = data.next();
            INDArray out = net.output(ds.getFeatures(), false, ds.getFeaturesMaskArray(), null);
            ps.add(CalibrationMetrics.toRows(out).castTo(DataType.DOUBLE));
            ys.add(CalibrationMetrics.toRows(ds.getLabels()).castTo(DataType.DOUBLE));
        }
        if (data.resetSupported()) {
            data.reset();
        }
        return concat(ps, ys);
    }

    /**
     * As {@link #collect(MultiLayerNetwork, DataSetIterator)} for the first output of a graph.
     */
    public static Predictions collect(ComputationGraph net, MultiDataSetIterator data) {
        List<INDArray> ps = new ArrayList<>();
        List<INDArray> ys = new ArrayList<>();
        if (data.resetSupported()) {
            data.reset();
        }
        while (data.hasNext()) {
            MultiDataSet ds = data.next();
            INDArray out = net.output(false, ds.getFeatures(), ds.getFeaturesMaskArrays(), null)[0];
            ps.add(CalibrationMetrics.toRows(out).castTo(DataType.DOUBLE));
            ys.add(CalibrationMetrics.toRows(ds.getLabels(0)).castTo(DataType.DOUBLE));
        }
        if (data.resetSupported()) {
            data.reset();
        }
        return concat(ps, ys);
    }

    private static Predictions concat(List<INDArray> ps, List<INDArray> ys) {
        if (ps.isEmpty()) {
            throw new IllegalArgumentException("The iterator returned no data");
        }
        return new Predictions(Nd4j.vstack(ps.toArray(new INDArray[0])), Nd4j.vstack(ys.toArray(new INDArray[0])));
    }
}
