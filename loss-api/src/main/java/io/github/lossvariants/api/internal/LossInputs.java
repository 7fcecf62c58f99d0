package io.github.lossvariants.api.internal;

import io.github.lossvariants.api.dl4j.MaskKind;

import io.github.lossvariants.api.LossConfigurationException;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.api.ops.impl.transforms.same.TimesOneMinus;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Condition;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.util.Arrays;

/**
 * Checks of what DL4J hands a loss, each failing with a message that names the loss, the shapes or
 * values, and what is allowed. Nothing here writes into its arguments.
 *
 * @since 0.1.0
 */
public final class LossInputs {
    /**
     * System property that turns off the value checks of {@link #checkValues} (non-finite logits,
     * labels outside [0, 1]) for speed: {@code -Dlossvariants.checkInputs=false}. On by default;
     * the checks cost about two reductions over the input.
     */
    public static final String CHECK_INPUTS_PROPERTY = "lossvariants.checkInputs";

    private static final boolean CHECK_VALUES = !"false".equalsIgnoreCase(System.getProperty(CHECK_INPUTS_PROPERTY));

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
        checkRowsWithoutValues(loss, labels, preOutput);
        if (CHECK_VALUES) {
            checkValues(loss, labels, preOutput);
        }
    }

    private static void checkRowsWithoutValues(String loss, INDArray labels, INDArray preOutput) {
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
     * {@link #checkRows} without the check of the label values, for a caller that recognises valid
     * labels on its own way (one-hot rows, {@link #oneHotRowSums}) and otherwise calls
     * {@link #checkLabels}.
     *
     * @throws LossConfigurationException as {@link #checkRows}
     */
    public static void checkRowsAndLogits(String loss, INDArray labels, INDArray preOutput) {
        checkRowsWithoutValues(loss, labels, preOutput);
        if (CHECK_VALUES) {
            checkLogits(loss, preOutput);
        }
    }

    /**
     * The label half of {@link #checkValues} (skipped when the system property
     * {@value #CHECK_INPUTS_PROPERTY} is {@code false}).
     *
     * @throws LossConfigurationException for labels outside [0, 1] or NaN
     */
    public static void checkLabels(String loss, INDArray labels) {
        if (CHECK_VALUES && labels.dataType() != DataType.BOOL) {
            checkLabelValues(loss, labels);
        }
    }

    /**
     * Fails fast on values no loss can use: NaN or infinite pre-activations (an upstream
     * divergence that would otherwise turn every score and weight into NaN) and labels outside
     * [0, 1]. Skipped when the system property {@value #CHECK_INPUTS_PROPERTY} is {@code false}.
     *
     * @throws LossConfigurationException with the count and the first offending position and value
     */
    public static void checkValues(String loss, INDArray labels, INDArray preOutput) {
        checkLogits(loss, preOutput);
        if (labels.dataType() == DataType.BOOL) {
            return;
        }
        checkLabelValues(loss, labels);
    }

    private static void checkLogits(String loss, INDArray preOutput) {
        // One plain sum first: it is finite exactly when every value is (or, rarely, it overflows);
        // only then are the non-finite values counted and located, far slower than a sum.
        double sum = preOutput.sumNumber().doubleValue();
        long nonFinite = Double.isFinite(sum) ? 0 : count(preOutput, Conditions.notFinite());
        if (nonFinite > 0) {
            throw new LossConfigurationException(loss + ": preOutput contains " + nonFinite + " non-finite value"
                    + (nonFinite == 1 ? "" : "s") + " (NaN or infinite); the first is " + first(preOutput,
                    Conditions.notFinite()) + ". The network diverged before the loss (check the learning rate and"
                    + " the input data); -D" + CHECK_INPUTS_PROPERTY + "=false skips this check");
        }
    }

    /**
     * The label half of {@link #checkValues}: labels must lie in [0, 1] (NaN is outside).
     *
     * @throws LossConfigurationException with the range found and the first offending position and value
     */
    static void checkLabelValues(String loss, INDArray labels) {
        // min/max reductions skip NaN, so NaN labels are found by the sum (counting them with a
        // MatchCondition costs about ten times a sum, so it runs only once a sum is NaN)
        long nanLabels = Double.isNaN(labels.sumNumber().doubleValue()) ? count(labels, Conditions.isNan()) : 0;
        if (nanLabels > 0) {
            throw new LossConfigurationException(loss + ": labels must lie in [0, 1] (0/1 targets, one-hot rows or soft"
                    + " targets); found " + nanLabels + " NaN value" + (nanLabels == 1 ? "" : "s") + ", the first is "
                    + first(labels, Conditions.isNan()));
        }
        double min = labels.minNumber().doubleValue();
        double max = labels.maxNumber().doubleValue();
        if (!(min >= 0) || !(max <= 1)) {
            Condition outside = !(min >= 0) ? Conditions.lessThan(0) : Conditions.greaterThan(1);
            String where = Double.isNaN(min) || Double.isNaN(max) ? first(labels, Conditions.isNan())
                    : first(labels, outside);
            throw new LossConfigurationException(loss + ": labels must lie in [0, 1] (0/1 targets, one-hot rows or soft"
                    + " targets); found values from " + min + " to " + max + ", the first outside is " + where);
        }
    }

    /**
     * Requires one-hot label rows (every value 0 or 1, at most one 1 per row), for losses defined
     * only for hard labels. All-zero rows are allowed: they are the padding of masked time steps
     * or pixels, and contribute nothing. Call it on the labels in the computation's data type.
     *
     * @param loss   the loss's display name, for messages
     * @param labels {@code [rows, classes]} labels, already checked to lie in [0, 1]
     * @throws LossConfigurationException naming the first row that is not one-hot and its values
     */
    public static void requireOneHot(String loss, INDArray labels) {
        if (oneHotRowSums(labels) != null) {
            return;
        }
        long rows = labels.size(0);
        for (long r = 0; r < rows; r++) {
            double s = 0;
            boolean binary = true;
            for (long c = 0; c < labels.size(1); c++) {
                double v = labels.getDouble(r, c);
                s += v;
                binary &= v == 0.0 || v == 1.0;
            }
            if (!binary || s > 1.0) {
                throw new LossConfigurationException(loss + " needs one-hot labels (one 1 per row, 0 elsewhere;"
                        + " soft or multi-hot targets are not defined for it); row " + r + " is "
                        + Arrays.toString(labels.getRow(r).castTo(DataType.DOUBLE).toDoubleVector())
                        + ". Use label-smoothing for soft targets, or a sigmoid loss for multi-label outputs");
            }
        }
    }

    /**
     * Tells one-hot label rows apart exactly, in four passes: every row sums to 0 or 1 and every
     * label is 0 or 1 ({@link #isBinary}). All-zero rows
     * are allowed (the padding of masked time steps or pixels). Needs no prior check of the label
     * values: NaN or infinite labels make a row sum non-finite, and the answer is then null.
     *
     * @param labels {@code [rows, classes]} labels; read only
     * @return the {@code [rows, 1]} row sums (each 0 or 1) when every row is one-hot or all zero, else null
     */
    public static INDArray oneHotRowSums(INDArray labels) {
        INDArray rowSums = labels.sum(true, 1);
        if (!Double.isFinite(rowSums.sumNumber().doubleValue()) || rowSums.maxNumber().doubleValue() > 1.0
                || rowSums.minNumber().doubleValue() < 0.0) {
            return null;
        }
        return isBinary(labels) ? rowSums : null;
    }

    /**
     * Whether every label is exactly 0 or 1, in two passes: the largest |y(1 - y)| is 0 exactly
     * then. Meant for finite labels (a NaN may be skipped by the maximum).
     *
     * @param labels the labels; read only
     * @return true when every value is 0 or 1
     */
    public static boolean isBinary(INDArray labels) {
        return Nd4j.exec(new TimesOneMinus(labels, labels.ulike())).amaxNumber().doubleValue() == 0.0;
    }

    private static long count(INDArray a, Condition c) {
        return Nd4j.getExecutioner().exec(new MatchCondition(a, c)).getLong(0);
    }

    private static String first(INDArray a, Condition c) {
        long flat = BooleanIndexing.firstIndex(a.reshape(a.length()), c).getLong(0);
        if (flat < 0) {
            return "not located";
        }
        long cols = a.size(1);
        long row = flat / cols;
        long col = flat % cols;
        return a.getDouble(row, col) + " at row " + row + ", column " + col;
    }

    /**
     * Mask values weight the entries they cover: 0 leaves an entry out, 1 counts it, other values
     * in [0, inf) weight it (fractional weights are allowed). NaN, infinite and negative values are
     * rejected: they would turn the score into NaN or make a weight count negatively.
     *
     * @throws LossConfigurationException naming how many values are wrong and where the first is
     */
    private static void checkMaskValues(String loss, INDArray mask) {
        // as for the logits: one sum, and only when it is not finite a count and the first position
        double sum = mask.sumNumber().doubleValue();
        long nonFinite = Double.isFinite(sum) ? 0 : count(mask, Conditions.notFinite());
        if (nonFinite > 0) {
            throw new LossConfigurationException(loss + ": mask values must be finite and >= 0 (0 leaves an entry out,"
                    + " 1 counts it, other values weight it); found " + nonFinite + " NaN or infinite value"
                    + (nonFinite == 1 ? "" : "s") + ", the first is " + first(mask, Conditions.notFinite()));
        }
        double min = mask.minNumber().doubleValue();
        if (min < 0) {
            long negative = count(mask, Conditions.lessThan(0));
            throw new LossConfigurationException(loss + ": mask values must be finite and >= 0 (0 leaves an entry out,"
                    + " 1 counts it, other values weight it); found " + negative + " negative value"
                    + (negative == 1 ? "" : "s") + ", the first is " + first(mask, Conditions.lessThan(0)));
        }
    }

    /**
     * Classifies a mask.
     *
     * @param loss   the loss's display name, for messages
     * @param mask   the mask; may be null
     * @param labels the (checked) labels
     * @return how the mask applies
     * @throws LossConfigurationException for any other shape, naming the shapes allowed, and (unless the
     *                                    value checks are off) for a NaN, infinite or negative mask value,
     *                                    naming the first
     */
    public static MaskKind maskKind(String loss, INDArray mask, INDArray labels) {
        if (mask == null) {
            return MaskKind.NONE;
        }
        long rows = labels.size(0);
        long[] ms = mask.shape();
        MaskKind kind = null;
        if (Arrays.equals(ms, labels.shape())) {
            kind = labels.size(1) == 1 ? MaskKind.PER_EXAMPLE : MaskKind.PER_OUTPUT;
        } else if ((ms.length == 2 && ms[0] == rows && ms[1] == 1) || (ms.length == 1 && ms[0] == rows)) {
            kind = MaskKind.PER_EXAMPLE;
        }
        if (kind != null) {
            if (CHECK_VALUES && mask.dataType() != DataType.BOOL) {
                checkMaskValues(loss, mask.rank() == 1 ? mask.reshape(rows, 1) : mask);
            }
            return kind;
        }
        throw new LossConfigurationException(loss + ": unsupported mask shape " + Arrays.toString(ms)
                + " for labels of shape " + Arrays.toString(labels.shape()) + "; allowed: [" + rows
                + ", 1] (one weight per row) or " + Arrays.toString(labels.shape()) + " (one weight per output)");
    }

    /**
     * Requires a per-output (labels-shaped) mask to be constant within each row, as every softmax
     * loss does. Softmax couples the classes of a row, so masking single classes is ill-defined, and
     * no gradient is right under both DL4J conventions: {@code OutputLayer} zeroes the masked
     * pre-activations and needs 0 at masked outputs, {@code CnnLossLayer} (and
     * {@code PerImageLossLayer}) passes them unmasked and needs the exact derivative of the masked
     * score, which is not 0 there. A row-constant mask masks whole examples (whole pixels behind a
     * {@code CnnLossLayer}: the usual {@code [N, C, H, W]} segmentation mask) and is then the same as
     * a per-row mask, exact under both. (DL4J's own {@code LossMCXENT} rejects every per-output mask
     * with softmax.) Costs one max-min reduction over the mask.
     *
     * @param loss the loss's display name, for messages
     * @param mask a labels-shaped {@code [rows, classes]} mask; read only
     * @throws LossConfigurationException naming the loss, the first row whose values differ and
     *                                    what to use instead
     */
    public static void requireRowConstantMask(String loss, INDArray mask) {
        INDArray m = mask.dataType() == DataType.BOOL ? mask.castTo(DataType.FLOAT) : mask;
        INDArray range = m.max(1).subi(m.min(1));
        if (range.maxNumber().doubleValue() == 0.0) {
            return;
        }
        long row = BooleanIndexing.firstIndex(range, Conditions.greaterThan(0.0)).getLong(0);
        String values = row < 0 ? "not located" : Arrays.toString(m.getRow(row).castTo(DataType.DOUBLE).toDoubleVector());
        throw new LossConfigurationException(loss + ": a per-output (labels-shaped) mask must be constant within each row"
                + " for a softmax output, but row " + row + " has mask values " + values + ". Softmax couples the"
                + " classes of a row, so masking single classes is ill-defined (DL4J's OutputLayer and CnnLossLayer"
                + " would need different gradients). To mask whole examples or pixels use a per-row mask [rows, 1]"
                + " (behind a CnnLossLayer: [N, 1, H, W], or an [N, C, H, W] mask equal across the channels); for"
                + " independent labels use a SIGMOID loss, which accepts any per-output mask");
    }

    /**
     * {@link #requireRowConstantMask Checks} a per-output mask and returns it as the equivalent
     * per-row column.
     *
     * @param loss the loss's display name, for messages
     * @param mask a labels-shaped mask, constant within each row; read only
     * @param type the data type wanted
     * @return a {@code [rows, 1]} column of the mask's first column in that type (a view of the
     * caller's mask when no cast is needed: read it, never write)
     * @throws LossConfigurationException when the mask differs within a row
     */
    public static INDArray rowConstantMaskAsColumn(String loss, INDArray mask, DataType type) {
        requireRowConstantMask(loss, mask);
        INDArray column = mask.getColumn(0, true);
        return column.dataType() == type ? column : column.castTo(type);
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

    /**
     * The number of examples in {@code rows} rows of {@code rowsPerExample} each (a region loss's rows
     * behind a CnnLossLayer are the pixels of its examples).
     *
     * @throws LossConfigurationException when rows is not a multiple of rowsPerExample, saying how to set it
     */
    public static long examples(String lossName, long rows, long rowsPerExample) {
        if (rows % rowsPerExample != 0) {
            throw new LossConfigurationException(lossName + ": got " + rows + " rows, which is not a multiple of"
                    + " rowsPerExample = " + rowsPerExample + "; rowsPerExample must equal the spatial size of one"
                    + " example (H*W behind a CnnLossLayer, D*H*W behind a Cnn3DLossLayer): set it with"
                    + " withRowsPerExample(H*W) or the rowsPerExample parameter, or use PerImageLossLayer, which"
                    + " sets it from the input shape");
        }
        return rows / rowsPerExample;
    }
}
