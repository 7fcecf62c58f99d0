package io.github.lossvariants.keras;

import io.github.lossvariants.api.LossConfigurationException;
import io.github.lossvariants.api.internal.LossInputs;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * One of this project's losses as a Keras-imported network uses it: DL4J's Keras import puts the
 * loss into a {@code LossLayer} with the IDENTITY activation after the model's last layer, so the
 * loss receives that layer's <i>outputs</i>, which are probabilities (Keras's
 * {@code from_logits=False}, the last layer has a sigmoid or softmax) or logits
 * ({@code from_logits=True}, a linear last layer). This class turns them into the logits the
 * wrapped loss works from and reproduces what Keras computes around the loss:
 * <ul>
 *   <li><b>probabilities</b>, as Keras does: clipped to [eps, 1 - eps] with Keras's
 *       {@code backend.epsilon()} eps = 1e-7 (softmax outputs first divided by their row sum), then
 *       z = log(q / (1 - q)) for independent outputs or z = log q for exclusive classes; the
 *       gradient is taken through this conversion, and is 0 where the clip is active, as in Keras;
 *       outputs outside [0, 1] are a clear error (a model saved with {@code from_logits=False}
 *       whose last layer has no sigmoid or softmax);</li>
 *   <li><b>label smoothing</b>: y' = y (1 - s) + s/2 (independent outputs) or y (1 - s) + s/K
 *       (K exclusive classes), Keras's definitions;</li>
 *   <li><b>mean over the outputs</b> ({@code meanOverOutputs}): Keras's binary losses average the
 *       per-output terms of an example ({@code mean(..., axis=-1)}), this project's losses sum them;</li>
 *   <li><b>one loss pooled over the minibatch</b> ({@code pooled}): Keras's Dice and Tversky with
 *       {@code axis=None} sum TP, FP and FN over every output of the whole batch; the outputs are
 *       regrouped as one column and the wrapped region loss (with {@code batch=true}) sees them as
 *       one region. Its value is that of the batch; it is reported as the score of every example,
 *       so that DL4J's division by the minibatch size leaves Keras's value;</li>
 *   <li><b>sum over the minibatch</b> ({@code sumOverBatch}): Keras's reductions {@code "sum"} and
 *       {@code "none"} (which {@code fit} adds up) make the objective the sum over the examples;
 *       DL4J divides the score by the minibatch size, so score and gradient are multiplied by the
 *       number of rows.</li>
 * </ul>
 * A row is an example: this matches Keras exactly for dense outputs (the network's output is
 * {@code [examples, outputs]}). Behind the {@code CnnLossLayer} or {@code RnnLossLayer} DL4J's import
 * creates for image or sequence outputs, rows are pixels or time steps and DL4J's per-example sums
 * differ from Keras's means over pixels (and DL4J M2.1's {@code CnnLossLayer} mis-scores
 * channels-last outputs); rebuild such an output with a {@code PerImageLossLayer} instead.
 *
 * <p>Immutable, never writes into its inputs, and serializable (JSON and Java serialization) with
 * the wrapped loss, so networks imported with it save and restore with {@code ModelSerializer}.
 * Built by {@link KerasLosses}; the constructor is public for Jackson.
 *
 * @since 0.2.0
 */
public final class KerasOutputLoss implements ILossFunction {
    private static final long serialVersionUID = 1L;
    /** Keras's {@code backend.epsilon()}: the clip of probabilities. */
    public static final double EPSILON = 1e-7;

    @JsonProperty("kerasName")
    private final String kerasName;
    @JsonProperty("loss")
    private final ILossFunction loss;
    @JsonProperty("exclusiveClasses")
    private final boolean exclusiveClasses;
    @JsonProperty("fromLogits")
    private final boolean fromLogits;
    @JsonProperty("labelSmoothing")
    private final double labelSmoothing;
    @JsonProperty("meanOverOutputs")
    private final boolean meanOverOutputs;
    @JsonProperty("pooled")
    private final boolean pooled;
    @JsonProperty("sumOverBatch")
    private final boolean sumOverBatch;

    /**
     * @param kerasName        the Keras loss this stands for, for messages and {@link #name()}
     * @param loss             the wrapped loss, defined on logits with a sigmoid (independent outputs)
     *                         or softmax (exclusive classes) activation; not null
     * @param exclusiveClasses true for softmax outputs (the wrapped loss gets SOFTMAX), false for
     *                         independent sigmoid outputs (SIGMOID)
     * @param fromLogits       true when the layer outputs are logits, false for probabilities
     * @param labelSmoothing   Keras's label smoothing, in [0, 1]
     * @param meanOverOutputs  divide each example's loss by the number of outputs
     * @param pooled           one region over all outputs of the minibatch (region losses with
     *                         {@code batch=true} only; independent outputs; no label smoothing)
     * @param sumOverBatch     the objective is the sum over the minibatch, not its mean
     * @throws LossConfigurationException naming the invalid combination
     */
    @JsonCreator
    public KerasOutputLoss(@JsonProperty("kerasName") String kerasName, @JsonProperty("loss") ILossFunction loss,
                           @JsonProperty("exclusiveClasses") boolean exclusiveClasses,
                           @JsonProperty("fromLogits") boolean fromLogits,
                           @JsonProperty("labelSmoothing") double labelSmoothing,
                           @JsonProperty("meanOverOutputs") boolean meanOverOutputs,
                           @JsonProperty("pooled") boolean pooled, @JsonProperty("sumOverBatch") boolean sumOverBatch) {
        this.kerasName = Objects.requireNonNull(kerasName, "kerasName");
        this.loss = Objects.requireNonNull(loss, "loss");
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new LossConfigurationException("Keras " + kerasName + ": label_smoothing=" + labelSmoothing
                    + " is outside [0, 1]");
        }
        if (pooled && (exclusiveClasses || labelSmoothing != 0 || meanOverOutputs || sumOverBatch)) {
            throw new LossConfigurationException("Keras " + kerasName + ": a loss pooled over the minibatch is one"
                    + " region of independent outputs, without label smoothing, mean over outputs or sum over the batch");
        }
        this.exclusiveClasses = exclusiveClasses;
        this.fromLogits = fromLogits;
        this.labelSmoothing = labelSmoothing;
        this.meanOverOutputs = meanOverOutputs;
        this.pooled = pooled;
        this.sumOverBatch = sumOverBatch;
    }

    /** @return the Keras loss this stands for, e.g. {@code BinaryFocalCrossentropy} */
    public String getKerasName() {
        return kerasName;
    }

    /** @return the wrapped loss of this project */
    public ILossFunction getLoss() {
        return loss;
    }

    /** @return true for exclusive classes (softmax), false for independent outputs (sigmoid) */
    public boolean isExclusiveClasses() {
        return exclusiveClasses;
    }

    /** @return true when the layer outputs are logits */
    public boolean isFromLogits() {
        return fromLogits;
    }

    /** @return Keras's label smoothing */
    public double getLabelSmoothing() {
        return labelSmoothing;
    }

    /** @return whether each example's loss is divided by the number of outputs */
    public boolean isMeanOverOutputs() {
        return meanOverOutputs;
    }

    /** @return whether one region is pooled over all outputs of the minibatch */
    public boolean isPooled() {
        return pooled;
    }

    /** @return whether the objective is the sum over the minibatch */
    public boolean isSumOverBatch() {
        return sumOverBatch;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        double score = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? score / preOutput.size(0) : score;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Inputs in = prepare(labels, preOutput, activationFn, mask);
        INDArray inner = loss.computeScoreArray(in.labels, in.logits, in.activation, in.mask);
        INDArray perRow = pooled ? inner.reshape('c', in.rows, in.outputs).sum(true, 1) : inner.reshape(in.rows, 1);
        return perRow.muli(in.scale);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return computeGradientAndScore(labels, preOutput, activationFn, mask, false).getSecond();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        Inputs in = prepare(labels, preOutput, activationFn, mask);
        Pair<Double, INDArray> inner = loss.computeGradientAndScore(in.labels, in.logits, in.activation, in.mask, false);
        double score = inner.getFirst() * in.scale;
        INDArray dLogits = inner.getSecond().reshape('c', in.rows, in.outputs).mul(in.scale);
        INDArray grad = fromLogits ? dLogits : throughProbabilities(dLogits, in);
        return new Pair<>(average ? score / in.rows : score, grad);
    }

    /** The wrapped loss's inputs and the factor its score and gradient are multiplied by. */
    private static final class Inputs {
        INDArray labels;
        INDArray logits;
        IActivation activation;
        INDArray mask;
        long rows;
        long outputs;
        double scale;
        /** probabilities after the clip, and 1 where the clip is inactive (probability inputs only) */
        INDArray clipped;
        INDArray unclipped;
        /** softmax outputs: each row's sum before normalisation */
        INDArray rowSums;
    }

    private Inputs prepare(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        if (!(activationFn instanceof ActivationIdentity)) {
            throw new LossConfigurationException(name() + " works on the outputs of a Keras-imported network, behind"
                    + " the IDENTITY activation of the LossLayer DL4J's Keras import creates; got "
                    + LossInputs.describe(activationFn) + ". In a network of your own use the wrapped loss "
                    + loss.name() + " directly with a SIGMOID or SOFTMAX output layer.");
        }
        LossInputs.checkRows(name(), labels, preOutput);
        DataType type = preOutput.dataType();
        Inputs in = new Inputs();
        in.rows = preOutput.size(0);
        in.outputs = preOutput.size(1);
        in.activation = exclusiveClasses ? new ActivationSoftmax() : new ActivationSigmoid();
        in.scale = 1.0;
        if (meanOverOutputs) {
            in.scale /= in.outputs;
        }
        if (sumOverBatch || pooled) {
            in.scale *= in.rows;
        }

        INDArray y = LossInputs.labelsAs(labels, type);
        if (labelSmoothing > 0) {
            double floor = exclusiveClasses ? labelSmoothing / in.outputs : labelSmoothing / 2;
            y = y.mul(1 - labelSmoothing).addi(floor);
        }

        INDArray z;
        if (fromLogits) {
            z = preOutput;
        } else {
            double min = preOutput.minNumber().doubleValue();
            double max = preOutput.maxNumber().doubleValue();
            if (!(min >= 0 && max <= 1)) {
                throw new LossConfigurationException(name() + " was saved with from_logits=False, so the model's"
                        + " outputs must be probabilities in [0, 1]; got values in [" + min + ", " + max + "]. The"
                        + " last Keras layer needs a sigmoid or softmax activation (or the loss from_logits=True).");
            }
            INDArray r = preOutput;
            if (exclusiveClasses) {
                in.rowSums = preOutput.sum(true, 1);
                r = preOutput.divColumnVector(in.rowSums);
            }
            in.clipped = Transforms.min(Transforms.max(r, EPSILON, true), 1 - EPSILON, false);
            in.unclipped = r.gte(EPSILON).castTo(type).muli(r.lte(1 - EPSILON).castTo(type));
            z = Transforms.log(in.clipped, true);
            if (!exclusiveClasses) {
                z.subi(Transforms.log(in.clipped.rsub(1.0), false));
            }
        }

        INDArray m = mask;
        if (pooled) {
            long n = in.rows * in.outputs;
            z = z.dup('c').reshape('c', n, 1);
            y = y.dup('c').reshape('c', n, 1);
            if (mask != null) {
                INDArray full = mask.size(1) == in.outputs ? mask : mask.broadcast(in.rows, in.outputs);
                m = full.castTo(type).dup('c').reshape('c', n, 1);
            }
        }
        in.labels = y;
        in.logits = z;
        in.mask = m;
        return in;
    }

    /**
     * Chain rule from dL/dz to dL/d(output). Independent outputs: z = log q - log(1 - q), so
     * dL/dp = u dL/dz / (q (1 - q)). Exclusive classes: q_j = clip(p_j / S), z = log q, so
     * dL/dp_j = (u_j g_j / q_j - sum_i u_i g_i) / S with g = dL/dz and S the row sum. u is 1 where
     * the clip is inactive, 0 where it holds the value (Keras's clip has zero gradient there).
     */
    private INDArray throughProbabilities(INDArray dLogits, Inputs in) {
        INDArray g = dLogits.muli(in.unclipped);
        if (!exclusiveClasses) {
            INDArray q1q = in.clipped.mul(in.clipped.rsub(1.0));
            return g.divi(q1q);
        }
        INDArray gSum = g.sum(true, 1);
        return g.divi(in.clipped).subiColumnVector(gSum).diviColumnVector(in.rowSums);
    }

    @Override
    public String name() {
        return "keras:" + kerasName;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof KerasOutputLoss)) {
            return false;
        }
        KerasOutputLoss k = (KerasOutputLoss) o;
        return kerasName.equals(k.kerasName) && loss.equals(k.loss) && exclusiveClasses == k.exclusiveClasses
                && fromLogits == k.fromLogits && Double.compare(labelSmoothing, k.labelSmoothing) == 0
                && meanOverOutputs == k.meanOverOutputs && pooled == k.pooled && sumOverBatch == k.sumOverBatch;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kerasName, loss, exclusiveClasses, fromLogits, labelSmoothing, meanOverOutputs, pooled,
                sumOverBatch);
    }

    @Override
    public String toString() {
        return name() + "[" + loss + (fromLogits ? ", logits" : ", probabilities")
                + (exclusiveClasses ? ", exclusive classes" : ", independent outputs")
                + (labelSmoothing > 0 ? ", label smoothing " + labelSmoothing : "")
                + (meanOverOutputs ? ", mean over outputs" : "") + (pooled ? ", pooled over the minibatch" : "")
                + (sumOverBatch ? ", sum over the minibatch" : "") + "]";
    }
}
