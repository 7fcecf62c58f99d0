package io.github.lossvariants.api;

import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A weighted sum of losses: L = sum_i w_i * L_i, e.g. {@code ce + dice} or
 * {@code 0.7*focal-tversky(gamma=4/3) + 0.3*softmax-focal(gamma=2)}. Score, per-example scores and
 * gradient are the weighted sums of the parts'; the same labels, activation and mask go to every
 * part. Build it with {@link LossRegistry#create(String)} or {@link #of}.
 *
 * <p>Every part sees the same pre-activations and activation, so combine losses meant for the
 * same output activation (sigmoid with sigmoid, softmax with softmax).
 *
 * <p>A compound loss is a {@link RowGroupedLoss}: {@link #withRowsPerExample} passes the grouping
 * on to every part that is a {@code RowGroupedLoss} (e.g. {@code dice} in {@code ce + dice} behind
 * a {@code CnnLossLayer}) and leaves the other parts as they are; {@link #rowsPerExample()} is the
 * largest grouping of its parts (1 when none is grouped).
 *
 * @since 0.1.0
 */
public final class CompoundLoss implements RowGroupedLoss {
    private static final long serialVersionUID = 1L;

    @JsonProperty("losses")
    private final List<ILossFunction> losses;
    @JsonProperty("weights")
    private final double[] weights;

    /**
     * @param losses  the parts, at least one; not null
     * @param weights one finite weight > 0 per part, with a finite sum
     * @throws LossConfigurationException when the sizes differ, a weight is invalid or the weights
     *                                    overflow when summed
     */
    @JsonCreator
    public CompoundLoss(@JsonProperty("losses") List<? extends ILossFunction> losses,
                        @JsonProperty("weights") double[] weights) {
        if (losses == null || losses.isEmpty()) {
            throw new LossConfigurationException("A compound loss needs at least one part");
        }
        if (weights == null || weights.length != losses.size()) {
            throw new LossConfigurationException("A compound loss needs one weight per part: " + losses.size()
                    + " parts, " + (weights == null ? "no" : String.valueOf(weights.length)) + " weights");
        }
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] > 0) || Double.isInfinite(weights[i])) {
                throw new LossConfigurationException("Invalid weight " + weights[i] + " for part " + i + " ("
                        + losses.get(i).name() + ") of a compound loss. Must be a finite number > 0.");
            }
            Objects.requireNonNull(losses.get(i), "part " + i);
        }
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        if (Double.isInfinite(sum)) {
            throw new LossConfigurationException("The weights of a compound loss must have a finite sum: "
                    + Arrays.toString(weights) + " sum to Infinity in double precision. Scale them down: only their"
                    + " ratios matter, the overall scale acts like the learning rate.");
        }
        this.losses = Collections.unmodifiableList(new ArrayList<>(losses));
        this.weights = weights.clone();
    }

    /** @return the unweighted sum of the given losses */
    public static CompoundLoss of(ILossFunction... losses) {
        double[] w = new double[losses.length];
        Arrays.fill(w, 1.0);
        return new CompoundLoss(List.of(losses), w);
    }

    /** @return the parts, in order */
    public List<ILossFunction> getLosses() {
        return losses;
    }

    /** @return a copy of the weights, in order */
    public double[] getWeights() {
        return weights.clone();
    }

    @Override
    public long rowsPerExample() {
        long r = 1;
        for (ILossFunction l : losses) {
            if (l instanceof RowGroupedLoss) {
                r = Math.max(r, ((RowGroupedLoss) l).rowsPerExample());
            }
        }
        return r;
    }

    /**
     * @param rowsPerExample rows per example, {@code >= 1}
     * @return an equal compound whose {@link RowGroupedLoss} parts use that grouping (this instance
     * when no part changes)
     */
    @Override
    public CompoundLoss withRowsPerExample(long rowsPerExample) {
        List<ILossFunction> parts = new ArrayList<>(losses.size());
        boolean changed = false;
        for (ILossFunction l : losses) {
            ILossFunction n = l instanceof RowGroupedLoss ? ((RowGroupedLoss) l).withRowsPerExample(rowsPerExample) : l;
            changed |= n != l;
            parts.add(n);
        }
        return changed ? new CompoundLoss(parts, weights) : this;
    }

    @Override
    public String registryName() {
        return "compound";
    }

    /** @return the part specs by index ({@code "0"}, {@code "1"}, ...) with their weights */
    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < losses.size(); i++) {
            m.put(String.valueOf(i), LossSpecs.formatWeight(weights[i]) + "*" + partSpec(losses.get(i)));
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public String spec() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < losses.size(); i++) {
            if (i > 0) {
                b.append(" + ");
            }
            if (weights[i] != 1.0) {
                b.append(LossSpecs.formatWeight(weights[i])).append('*');
            }
            b.append(partSpec(losses.get(i)));
        }
        return b.toString();
    }

    private static String partSpec(ILossFunction loss) {
        return loss instanceof LossFunction ? ((LossFunction) loss).spec() : loss.name();
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        double total = 0;
        for (int i = 0; i < losses.size(); i++) {
            total += weights[i] * losses.get(i).computeScore(labels, preOutput, activationFn, mask, average);
        }
        return total;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray sum = null;
        for (int i = 0; i < losses.size(); i++) {
            INDArray part = losses.get(i).computeScoreArray(labels, preOutput, activationFn, mask);
            sum = accumulate(sum, part, weights[i]);
        }
        return sum;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray sum = null;
        for (int i = 0; i < losses.size(); i++) {
            sum = accumulate(sum, losses.get(i).computeGradient(labels, preOutput, activationFn, mask), weights[i]);
        }
        return sum;
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        double total = 0;
        INDArray sum = null;
        for (int i = 0; i < losses.size(); i++) {
            Pair<Double, INDArray> part = losses.get(i).computeGradientAndScore(labels, preOutput, activationFn, mask,
                    average);
            total += weights[i] * part.getFirst();
            sum = accumulate(sum, part.getSecond(), weights[i]);
        }
        return new Pair<>(total, sum);
    }

    /** Adds weight * part to sum; the parts' result arrays are fresh, so they are scaled in place. */
    private static INDArray accumulate(INDArray sum, INDArray part, double weight) {
        if (weight != 1.0) {
            part.muli(weight);
        }
        if (sum == null) {
            return part;
        }
        if (!Arrays.equals(sum.shape(), part.shape())) {
            throw new LossConfigurationException("Parts of a compound loss returned arrays of different shapes "
                    + Arrays.toString(sum.shape()) + " and " + Arrays.toString(part.shape())
                    + "; combine only losses that score the same rows");
        }
        return sum.addi(part);
    }

    @Override
    public String name() {
        return spec();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CompoundLoss && ((CompoundLoss) o).losses.equals(losses)
                && Arrays.equals(((CompoundLoss) o).weights, weights);
    }

    @Override
    public int hashCode() {
        return 31 * losses.hashCode() + Arrays.hashCode(weights);
    }

    @Override
    public String toString() {
        return spec();
    }
}
