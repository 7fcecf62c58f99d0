package io.github.lossvariants.api.dl4j;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.internal.ScratchWorkspace;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Carries DL4J's {@link org.nd4j.linalg.lossfunctions.ILossFunction} plumbing once: the four
 * entry points all run one {@link #evaluate} that produces per-row scores and, when asked, the
 * gradient in the same pass.
 *
 * <p>Semantics of the entry points (as DL4J's layers expect them):
 * <ul>
 *   <li>{@code computeScoreArray}: per-row loss as a {@code [rows, 1]} column;</li>
 *   <li>{@code computeScore}: the sum of the per-row losses, divided by the number of examples
 *       only when {@code average} is true (DL4J's layers pass false and divide themselves);</li>
 *   <li>{@code computeGradient}: d(sum)/d(preOutput), never averaged.</li>
 * </ul>
 * Subclasses must not write into {@code labels}, {@code preOutput} or {@code mask}. Parameters,
 * identity and JSON come from {@link ParameterizedLoss}.
 *
 * @since 0.1.0
 */
public abstract class BaseLoss extends ParameterizedLoss {
    private static final long serialVersionUID = 1L;

    /**
     * @param name   the registry name
     * @param schema the loss's parameters
     * @param values parameter values by name; missing ones take their defaults
     * @see ParameterizedLoss#ParameterizedLoss(String, ParameterSchema, Map)
     */
    protected BaseLoss(String name, ParameterSchema schema, Map<String, ?> values) {
        super(name, schema, values);
    }

    /** The outcome of one evaluation. */
    protected static final class Evaluation {
        private final INDArray rowScores;
        private final INDArray gradient;
        private final long examples;
        private final double total;

        /**
         * @param rowScores per-row loss, {@code [rows, 1]}
         * @param gradient  d(sum of rowScores)/d(preOutput), or null when not asked for
         * @param examples  how many examples the rows hold (the divisor of {@code average})
         */
        public Evaluation(INDArray rowScores, INDArray gradient, long examples) {
            this.rowScores = rowScores;
            this.gradient = gradient;
            this.examples = examples;
            this.total = Double.NaN;
        }

        private Evaluation(double total, INDArray gradient, long examples) {
            this.rowScores = null;
            this.gradient = gradient;
            this.examples = examples;
            this.total = total;
        }

        /**
         * An evaluation that carries only the total score (when row scores were not asked for, see
         * {@link BaseLoss#evaluate(INDArray, INDArray, IActivation, INDArray, boolean, boolean)}).
         *
         * @param total    the sum of all per-row losses
         * @param gradient the gradient, or null
         * @param examples the number of examples
         * @return the evaluation
         */
        public static Evaluation ofTotal(double total, INDArray gradient, long examples) {
            return new Evaluation(total, gradient, examples);
        }

        /** @return per-row loss, {@code [rows, 1]}; null when only the total was computed */
        public INDArray rowScores() {
            return rowScores;
        }

        /** @return the gradient, or null */
        public INDArray gradient() {
            return gradient;
        }

        /** @return the number of examples, the divisor when averaging */
        public long examples() {
            return examples;
        }

        /** @return the sum of the per-row losses */
        public double total() {
            return rowScores == null ? total : rowScores.sumNumber().doubleValue();
        }
    }

    /**
     * Computes per-row scores and optionally the gradient in one pass.
     *
     * @param labels     labels, same shape as preOutput; read only
     * @param preOutput  pre-activations; read only
     * @param activation the layer's activation
     * @param mask       null, a per-row column or a per-output array; read only
     * @param gradient   whether to compute the gradient
     * @return the evaluation
     */
    protected abstract Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                           boolean gradient);

    /**
     * Like {@link #evaluate(INDArray, INDArray, IActivation, INDArray, boolean)}, but a subclass
     * may skip the per-row scores when {@code rowScores} is false and return
     * {@link Evaluation#ofTotal} (saves a reduction over rows). The default computes everything.
     *
     * @param rowScores whether the per-row scores are needed
     * @return the evaluation
     */
    protected Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                  boolean gradient, boolean rowScores) {
        return evaluate(labels, preOutput, activation, mask, gradient);
    }

    // Every entry point computes inside the thread's scratch workspace (temporaries cost nothing
    // to allocate or free) and copies what it returns out to the caller's workspace. HALF inputs
    // are computed in FLOAT and the results converted back (ScratchWorkspace.computeType).

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        try (ScratchWorkspace ws = ScratchWorkspace.open()) {
            return total(evaluate(ws, labels, preOutput, activationFn, mask, false, false), average);
        }
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        try (ScratchWorkspace ws = ScratchWorkspace.open()) {
            return ws.export(evaluate(ws, labels, preOutput, activationFn, mask, false, true).rowScores());
        }
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        try (ScratchWorkspace ws = ScratchWorkspace.open()) {
            return ws.export(evaluate(ws, labels, preOutput, activationFn, mask, true, false).gradient());
        }
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        try (ScratchWorkspace ws = ScratchWorkspace.open()) {
            Evaluation e = evaluate(ws, labels, preOutput, activationFn, mask, true, false);
            return new Pair<>(total(e, average), ws.export(e.gradient()));
        }
    }

    private Evaluation evaluate(ScratchWorkspace ws, INDArray labels, INDArray preOutput, IActivation activation,
                                INDArray mask, boolean gradient, boolean rowScores) {
        INDArray z = ws.preOutput(preOutput);
        return evaluate(ws.input(labels), z, activation, ws.input(mask), gradient, rowScores);
    }

    private static double total(Evaluation e, boolean average) {
        double sum = e.total();
        return average ? sum / e.examples() : sum;
    }
}
