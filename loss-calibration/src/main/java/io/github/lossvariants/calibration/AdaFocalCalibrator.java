package io.github.lossvariants.calibration;

import io.github.lossvariants.calibration.metrics.Binning;
import io.github.lossvariants.calibration.metrics.CalibrationMetrics;
import io.github.lossvariants.calibration.metrics.Predictions;
import io.github.lossvariants.calibration.metrics.ReliabilityDiagram;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The training-loop side of {@link AdaFocalLoss}: a DL4J {@code TrainingListener} that, at the end
 * of every epoch, evaluates the validation data, builds its equal-mass bins on top-label
 * confidence ({@link Binning#equalMass}, keeping the lowest-confidence sample), and replaces the
 * output layer's loss by {@link AdaFocalLoss#updated} of the current one.
 *
 * <p><b>How the swap stays safe.</b> Losses are immutable and DL4J's layers read the loss from
 * their configuration ({@code layerConf().getLossFn()}) on every call. The listener runs on the
 * training thread after the epoch's last minibatch and before the next epoch starts, so no
 * computation holds the old instance; it then writes a new immutable instance into the output
 * layer's configuration ({@code BaseOutputLayer.setLossFn} / {@code LossLayer.setLossFn}), which is
 * the same object the network's {@code MultiLayerConfiguration} holds. Hence {@code toJson()} and
 * {@code ModelSerializer} save the updated gamma table, and a restored network resumes with it.
 * Networks cloned with {@code clone()} share layer configurations shallowly: attach the listener to
 * one network only.
 *
 * <pre>{@code
 * net.setListeners(new AdaFocalCalibrator(validationIterator));
 * net.fit(trainIterator, epochs);
 * }</pre>
 *
 * <p><b>Several workers (ParallelWrapper).</b> DL4J sends epoch events only from
 * {@code fit(DataSetIterator)}; ParallelWrapper's workers train with {@code fit(DataSet)}, so a
 * listener never sees an epoch end there, and the gamma table would silently stay at its initial
 * value. Call {@link #calibrate(Model)} on the wrapped network yourself after each
 * {@code wrapper.fit(...)}: the network is worker 0 and holds the averaged parameters, the update
 * is computed once from them, and the next {@code fit} builds the other workers from the
 * network's configuration, so every worker trains the next epoch with the same, updated table:
 *
 * <pre>{@code
 * AdaFocalCalibrator calibrator = new AdaFocalCalibrator(validationIterator);
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     wrapper.fit(trainIterator);
 *     calibrator.calibrate(net);
 * }
 * }</pre>
 * Attached as a listener to a ParallelWrapper (or to several networks), it logs a warning when
 * iterations arrive from more than one network.
 *
 * @since 0.1.0
 */
public final class AdaFocalCalibrator extends BaseTrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(AdaFocalCalibrator.class);

    private final transient DataSetIterator validation;
    private final transient MultiDataSetIterator validationMulti;
    private final List<double[]> history = Collections.synchronizedList(new ArrayList<>());
    /** Networks that reported iterations (weakly held, compared by identity), to spot ParallelWrapper workers. */
    private final List<WeakReference<Model>> networksSeen = new ArrayList<>();
    private volatile boolean warnedAboutSeveralNetworks;

    /**
     * @param validation validation data of a {@link MultiLayerNetwork}; reset before each use; not null
     */
    public AdaFocalCalibrator(DataSetIterator validation) {
        if (validation == null) {
            throw new IllegalArgumentException("validation iterator must not be null");
        }
        this.validation = validation;
        this.validationMulti = null;
    }

    /**
     * @param validation validation data of a {@link ComputationGraph} (first output); not null
     */
    public AdaFocalCalibrator(MultiDataSetIterator validation) {
        if (validation == null) {
            throw new IllegalArgumentException("validation iterator must not be null");
        }
        this.validation = null;
        this.validationMulti = validation;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        if (warnedAboutSeveralNetworks) {
            return;
        }
        synchronized (networksSeen) {
            boolean known = false;
            for (WeakReference<Model> seen : networksSeen) {
                known |= seen.get() == model;
            }
            if (!known) {
                networksSeen.add(new WeakReference<>(model));
            }
            if (networksSeen.size() > 1 && !warnedAboutSeveralNetworks) {
                warnedAboutSeveralNetworks = true;
                LOG.warn("AdaFocalCalibrator receives iterations from {} networks (ParallelWrapper workers?). DL4J sends"
                        + " no epoch events to ParallelWrapper workers, so the AdaFocal gamma table is not updated by the"
                        + " listener: call calibrator.calibrate(net) after each wrapper.fit(...) instead",
                        networksSeen.size());
            }
        }
    }

    @Override
    public void onEpochEnd(Model model) {
        calibrate(model);
    }

    /**
     * Updates the AdaFocal gamma table of the model's output layer from the validation data, as at
     * the end of an epoch: what {@link #onEpochEnd(Model)} does when DL4J sends epoch events. Call it
     * yourself where DL4J does not (after each {@code ParallelWrapper.fit}). Run it on the training
     * thread between epochs, never concurrently with training.
     *
     * @param model the trained network (a MultiLayerNetwork or ComputationGraph whose output layer
     *              has an {@link AdaFocalLoss})
     * @return the new loss, now in the output layer's configuration
     */
    public AdaFocalLoss calibrate(Model model) {
        Layer out;
        Predictions pred;
        if (model instanceof MultiLayerNetwork) {
            MultiLayerNetwork net = (MultiLayerNetwork) model;
            if (validation == null) {
                throw new IllegalStateException("AdaFocalCalibrator built with a MultiDataSetIterator is attached"
                        + " to a MultiLayerNetwork; pass a DataSetIterator");
            }
            out = net.getOutputLayer();
            pred = Predictions.collect(net, validation);
        } else if (model instanceof ComputationGraph) {
            ComputationGraph g = (ComputationGraph) model;
            if (validationMulti == null) {
                throw new IllegalStateException("AdaFocalCalibrator built with a DataSetIterator is attached"
                        + " to a ComputationGraph; pass a MultiDataSetIterator");
            }
            out = g.getOutputLayer(0);
            pred = Predictions.collect(g, validationMulti);
        } else {
            throw new IllegalStateException("AdaFocalCalibrator supports MultiLayerNetwork and ComputationGraph, got "
                    + model.getClass().getName());
        }
        org.deeplearning4j.nn.conf.layers.Layer conf = out.conf().getLayer();
        AdaFocalLoss current = lossOf(conf);
        ReliabilityDiagram bins = binsOf(pred, current.getNumBins());
        AdaFocalLoss next = current.updated(bins);
        setLoss(conf, next);
        history.add(next.getGammas());
        LOG.debug("AdaFocal update: ECE(adaptive) {} gammas {}", bins.ece(), java.util.Arrays.toString(next.getGammas()));
        return next;
    }

    /**
     * @return the validation set's equal-mass top-label bins AdaFocal updates from
     */
    public static ReliabilityDiagram binsOf(Predictions validation, int numBins) {
        INDArray p = validation.probabilities();
        INDArray y = validation.labels();
        return CalibrationMetrics.topLabelEqualMassDiagram(p, y, numBins);
    }

    /** @return the gamma tables after each update so far, oldest first (copies) */
    public List<double[]> history() {
        synchronized (history) {
            List<double[]> copy = new ArrayList<>();
            for (double[] g : history) {
                copy.add(g.clone());
            }
            return copy;
        }
    }

    static AdaFocalLoss lossOf(org.deeplearning4j.nn.conf.layers.Layer conf) {
        ILossFunction l;
        if (conf instanceof org.deeplearning4j.nn.conf.layers.BaseOutputLayer) {
            l = ((org.deeplearning4j.nn.conf.layers.BaseOutputLayer) conf).getLossFn();
        } else if (conf instanceof org.deeplearning4j.nn.conf.layers.LossLayer) {
            l = ((org.deeplearning4j.nn.conf.layers.LossLayer) conf).getLossFn();
        } else {
            throw new IllegalStateException("The output layer " + conf.getClass().getSimpleName()
                    + " has no loss function AdaFocalCalibrator can update");
        }
        if (!(l instanceof AdaFocalLoss)) {
            throw new IllegalStateException("AdaFocalCalibrator needs the output layer's loss to be adafocal"
                    + " (AdaFocalLoss), found " + (l == null ? "none" : l.name()));
        }
        return (AdaFocalLoss) l;
    }

    static void setLoss(org.deeplearning4j.nn.conf.layers.Layer conf, AdaFocalLoss loss) {
        if (conf instanceof org.deeplearning4j.nn.conf.layers.BaseOutputLayer) {
            ((org.deeplearning4j.nn.conf.layers.BaseOutputLayer) conf).setLossFn(loss);
        } else {
            ((org.deeplearning4j.nn.conf.layers.LossLayer) conf).setLossFn(loss);
        }
    }
}
