package io.github.lossvariants.longtail;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Cnn3DLossLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The deferred re-weighting (DRW) schedule of Cao et al., "Learning Imbalanced Datasets with
 * Label-Distribution-Aware Margin Loss", NeurIPS 2019, as a DL4J {@code TrainingListener}: train
 * with {@link LdamLoss} unweighted, and from a given epoch on with the class-balanced weights of
 * Cui et al. (effective number, {@code beta}, normalised to sum to the number of classes;
 * {@link ClassBalancedLoss#effectiveNumberWeights}).
 *
 * <pre>{@code
 * net.setListeners(new DeferredReweighting(15));   // epochs 15, 16, ... (0-based) re-weighted
 * net.fit(trainIterator, 20);
 * }</pre>
 *
 * <p>At the start of every epoch (DL4J's {@code onEpochStart}, before the epoch's first
 * minibatch) the listener reads the network's epoch count (0 for the first epoch; saved with the
 * model) and, once it has reached {@code epoch}, replaces every output layer's {@link LdamLoss} by
 * {@link LdamLoss#withClassWeights} with the class-balanced weights of its {@code classCounts}
 * (LDAM-DRW's {@code idx = epoch // drw_epoch}: the same epochs). The weights are a parameter of
 * the loss, so {@code toJson()} and {@code ModelSerializer} save them, and a restored network keeps
 * training re-weighted; attach the listener again to a restored network whose switch is still to
 * come. The listener itself holds no state.
 *
 * <p>How the swap stays safe: losses are immutable, and DL4J's layers read the loss from their
 * configuration on every call. The listener runs on the training thread between epochs, and writes
 * the new instance into the output layer's configuration, the object the network's configuration
 * holds. Networks cloned with {@code clone()} share layer configurations shallowly: attach the
 * listener to one network only. Not for ParallelWrapper. {@code fit(DataSet)} on single
 * minibatches calls no epoch listeners: use {@code fit(iterator, epochs)}, or call
 * {@link #apply(Model)} yourself between epochs.
 *
 * @since 0.2.0
 */
public final class DeferredReweighting extends BaseTrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(DeferredReweighting.class);

    /** The beta of the reference's DRW weights. */
    public static final double DEFAULT_BETA = 0.9999;

    private final int epoch;
    private final double beta;

    /**
     * DRW with beta 0.9999, as the reference.
     *
     * @param epoch the first re-weighted epoch, 0-based (&gt;= 0)
     */
    public DeferredReweighting(int epoch) {
        this(epoch, DEFAULT_BETA);
    }

    /**
     * @param epoch the first re-weighted epoch, 0-based (&gt;= 0)
     * @param beta  of the class-balanced weights, in [0, 1]
     */
    public DeferredReweighting(int epoch, double beta) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0 (0-based: the first re-weighted epoch), got " + epoch);
        }
        if (!(beta >= 0 && beta <= 1)) {
            throw new IllegalArgumentException("beta must lie in [0, 1], got " + beta);
        }
        this.epoch = epoch;
        this.beta = beta;
    }

    /** @return the first re-weighted epoch, 0-based */
    public int getEpoch() {
        return epoch;
    }

    /** @return beta of the weights */
    public double getBeta() {
        return beta;
    }

    @Override
    public void onEpochStart(Model model) {
        apply(model);
    }

    /**
     * Installs the class-balanced weights in every {@link LdamLoss} output layer of the model when
     * its epoch count has reached {@link #getEpoch()}; does nothing before, and nothing when they are
     * installed already.
     *
     * @param model a {@link MultiLayerNetwork} or {@link ComputationGraph}
     * @return true when a loss was replaced
     * @throws IllegalStateException for another model type, or when no output layer has an LdamLoss
     */
    public boolean apply(Model model) {
        List<Layer> outputs = outputLayers(model);
        int current = epochCount(model);
        boolean changed = false;
        boolean found = false;
        for (Layer layer : outputs) {
            ILossFunction loss = lossOf(layer);
            if (!(loss instanceof LdamLoss)) {
                continue;
            }
            found = true;
            if (current < epoch) {
                continue;
            }
            LdamLoss ldam = (LdamLoss) loss;
            double[] weights = ClassBalancedLoss.effectiveNumberWeights(ldam.getClassCounts(), beta);
            if (!Arrays.equals(weights, ldam.getClassWeights())) {
                setLoss(layer, ldam.withClassWeights(weights));
                changed = true;
                LOG.info("Deferred re-weighting from epoch {}: class weights {}", current, Arrays.toString(weights));
            }
        }
        if (!found) {
            throw new IllegalStateException("DeferredReweighting needs an output layer whose loss is ldam (LdamLoss);"
                    + " the model's output layers have " + describeLosses(outputs));
        }
        return changed;
    }

    private static int epochCount(Model model) {
        return model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).getEpochCount()
                : ((ComputationGraph) model).getEpochCount();
    }

    private static List<Layer> outputLayers(Model model) {
        List<Layer> layers = new ArrayList<>();
        if (model instanceof MultiLayerNetwork) {
            MultiLayerConfiguration conf = ((MultiLayerNetwork) model).getLayerWiseConfigurations();
            List<NeuralNetConfiguration> confs = conf.getConfs();
            layers.add(confs.get(confs.size() - 1).getLayer());
        } else if (model instanceof ComputationGraph) {
            ComputationGraphConfiguration conf = ((ComputationGraph) model).getConfiguration();
            for (String out : conf.getNetworkOutputs()) {
                GraphVertex v = conf.getVertices().get(out);
                if (v instanceof LayerVertex) {
                    layers.add(((LayerVertex) v).getLayerConf().getLayer());
                }
            }
        } else {
            throw new IllegalStateException("DeferredReweighting supports MultiLayerNetwork and ComputationGraph, got "
                    + (model == null ? "null" : model.getClass().getName()));
        }
        return layers;
    }

    private static ILossFunction lossOf(Layer layer) {
        if (layer instanceof BaseOutputLayer) {
            return ((BaseOutputLayer) layer).getLossFn();
        }
        if (layer instanceof LossLayer) {
            return ((LossLayer) layer).getLossFn();
        }
        if (layer instanceof CnnLossLayer) {
            return ((CnnLossLayer) layer).getLossFn();
        }
        if (layer instanceof Cnn3DLossLayer) {
            return ((Cnn3DLossLayer) layer).getLossFn();
        }
        if (layer instanceof RnnLossLayer) {
            return ((RnnLossLayer) layer).getLossFn();
        }
        return null;
    }

    private static void setLoss(Layer layer, ILossFunction loss) {
        if (layer instanceof BaseOutputLayer) {
            ((BaseOutputLayer) layer).setLossFn(loss);
        } else if (layer instanceof LossLayer) {
            ((LossLayer) layer).setLossFn(loss);
        } else if (layer instanceof CnnLossLayer) {
            ((CnnLossLayer) layer).setLossFn(loss);
        } else if (layer instanceof Cnn3DLossLayer) {
            ((Cnn3DLossLayer) layer).setLossFn(loss);
        } else {
            ((RnnLossLayer) layer).setLossFn(loss);
        }
    }

    private static String describeLosses(List<Layer> layers) {
        List<String> names = new ArrayList<>();
        for (Layer l : layers) {
            ILossFunction loss = lossOf(l);
            names.add(l.getClass().getSimpleName() + " with " + (loss == null ? "no loss" : loss.name()));
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }
}
