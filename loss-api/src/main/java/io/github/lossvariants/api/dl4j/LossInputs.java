package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.LossConfigurationException;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Checks of what DL4J hands a loss, each failing with a message that names the loss, the shapes or
 * values, and what is allowed. Nothing here writes into its arguments.
 *
 * @since 0.1.0
 */
public final class LossInputs {
    private LossInputs() {
    }

    /**
     * Checks that labels and pre-activations are non-null, non-empty, 2-D, floating point and of
     * equal shape.
     *
     * @param loss      the loss's display name, for messages
     * @param labels    the labels
     * @param preOutput the pre-activations
     * @throws LossConfigurationException naming both shapes or the data type
     */
    public static void checkRows(String loss, INDArray labels, INDArray preOutput) {
        if (labels == null || preOutput == null) {
            throw new LossConfigurationException(loss + ": labels and preOutput must not be null (labels "
                    + (labels == null ? "null" : "present") + ", preOutput " + (preOutput == null ? "null" : "present") + ")");
        }
        if (!preOutput.dataType().isFPType()) {
            throw new LossConfigurationException(loss + ": preOutput must be floating point (FLOAT, DOUBLE or HALF), got "
                    + preOutput.dataType());
        }
        if (!labels.dataType().isNumerical() && labels.dataType() != DataType.BOOL) {
            throw new LossConfigurationException(loss + ": labels must be numeric, got " + labels.dataType());
        }
        if (preOutput.isEmpty() || labels.isEmpty()) {
            throw new LossConfigurationException(loss + ": labels and preOutput must not be empty; got shapes "
                    + Arrays.toString(labels.shape()) + " and " + Arrays.toString(preOutput.shape()));
        }
        if (!Arrays.equals(labels.shape(), preOutput.shape())) {
            throw new LossConfigurationException(loss + ": labels and preOutput must have equal shapes; got labels "
                    + Arrays.toString(labels.shape()) + " vs preOutput " + Arrays.toString(preOutput.shape()));
        }
        if (preOutput.rank() != 2) {
            throw new LossConfigurationException(loss + ": expected 2-D [rows, nOut] arrays as DL4J's output layers pass"
                    + " them, got shape " + Arrays.toString(preOutput.shape())
                    + "; for N-D outputs use CnnLossLayer, Cnn3DLossLayer or RnnOutputLayer, which flatten to rows");
        }
    }

    /**
     * Classifies a mask.
     *
     * @param loss   the loss's display name, for messages
     * @param mask   the mask; may be null
     * @param labels the (checked) labels
     * @return how the mask applies
     * @throws LossConfigurationException for any other shape, naming the shapes allowed
     */
    public static MaskKind maskKind(String loss, INDArray mask, INDArray labels) {
        if (mask == null) {
            return MaskKind.NONE;
        }
        long rows = labels.size(0);
        long[] ms = mask.shape();
        if (Arrays.equals(ms, labels.shape())) {
            return labels.size(1) == 1 ? MaskKind.PER_EXAMPLE : MaskKind.PER_OUTPUT;
        }
        if ((ms.length == 2 && ms[0] == rows && ms[1] == 1) || (ms.length == 1 && ms[0] == rows)) {
            return MaskKind.PER_EXAMPLE;
        }
        throw new LossConfigurationException(loss + ": unsupported mask shape " + Arrays.toString(ms)
                + " for labels of shape " + Arrays.toString(labels.shape()) + "; allowed: [" + rows
                + ", 1] (one weight per row) or " + Arrays.toString(labels.shape()) + " (one weight per output)");
    }

    /** @return the mask as a {@code [rows, 1]} column or labels-shaped array in the given type; never the caller's array when a cast or reshape is needed */
    public static INDArray maskAs(INDArray mask, MaskKind kind, DataType type, long rows) {
        if (kind == MaskKind.NONE) {
            return null;
        }
        INDArray m = mask.dataType() == type ? mask : mask.castTo(type);
        if (kind == MaskKind.PER_EXAMPLE && m.rank() == 1) {
            m = m.reshape(rows, 1);
        }
        return m;
    }

    /** @return the labels in the given type (the same array when it already has that type: read it, never write) */
    public static INDArray labelsAs(INDArray labels, DataType type) {
        return labels.dataType() == type ? labels : labels.castTo(type);
    }

    /**
     * Requires a sigmoid output activation.
     *
     * @throws LossConfigurationException naming the activation found and the alternative
     */
    public static void requireSigmoid(String loss, IActivation activation, String alternative) {
        if (!(activation instanceof ActivationSigmoid)) {
            throw new LossConfigurationException(loss + " is defined on logits through a sigmoid and needs the layer's"
                    + " activation to be SIGMOID; got " + describe(activation) + "."
                    + (alternative == null ? "" : " " + alternative));
        }
    }

    /**
     * Requires a softmax output activation.
     *
     * @throws LossConfigurationException naming the activation found and the alternative
     */
    public static void requireSoftmax(String loss, IActivation activation, String alternative) {
        if (!(activation instanceof ActivationSoftmax)) {
            throw new LossConfigurationException(loss + " is defined on logits through a softmax over the classes and"
                    + " needs the layer's activation to be SOFTMAX; got " + describe(activation) + "."
                    + (alternative == null ? "" : " " + alternative));
        }
    }

    /** @return the activation's name for messages, e.g. {@code relu}, or {@code null activation} */
    public static String describe(IActivation activation) {
        return activation == null ? "no activation (null)" : activation.toString();
    }
}
