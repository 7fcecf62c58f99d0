package io.github.lossvariants.testkit;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import io.github.lossvariants.api.internal.LossInputs;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;

/** Deliberately defective losses: each must make exactly the check that targets its defect fail. */
final class BrokenLosses {
    private BrokenLosses() {
    }

    /** Writes sigmoid(z) into preOutput in computeGradient, like DL4J's own LossBinaryXENT. */
    static final class MutatesPreOutput extends TestBceLoss {
        private static final long serialVersionUID = 1L;

        MutatesPreOutput() {
            super(1.0);
        }

        @Override
        public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation act, INDArray mask) {
            INDArray g = super.computeGradient(labels, preOutput, act, mask);
            act.getActivation(preOutput, true); // in place: the defect
            return g;
        }
    }

    /** Returns y - sigmoid(z): the gradient of -loss. */
    static final class WrongGradientSign extends TestBceLoss {
        private static final long serialVersionUID = 1L;

        WrongGradientSign() {
            super(1.0);
        }

        @Override
        protected void computeTerms(INDArray logits, INDArray labels, INDArray loss, INDArray grad) {
            super.computeTerms(logits, labels, loss, grad);
            if (grad != null) {
                grad.negi();
            }
        }
    }

    /** computeScoreArray reports twice the per-row loss, so rows do not add up to computeScore. */
    static final class RowsDoNotAddUp extends TestBceLoss {
        private static final long serialVersionUID = 1L;

        RowsDoNotAddUp() {
            super(1.0);
        }

        @Override
        public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation act, INDArray mask) {
            return super.computeScoreArray(labels, preOutput, act, mask).muli(2.0);
        }
    }

    /** Drops the mask everywhere. */
    static final class IgnoresMask extends TestBceLoss {
        private static final long serialVersionUID = 1L;

        IgnoresMask() {
            super(1.0);
        }

        @Override
        public double computeScore(INDArray l, INDArray p, IActivation a, INDArray mask, boolean average) {
            return super.computeScore(l, p, a, null, average);
        }

        @Override
        public INDArray computeScoreArray(INDArray l, INDArray p, IActivation a, INDArray mask) {
            return super.computeScoreArray(l, p, a, null);
        }

        @Override
        public INDArray computeGradient(INDArray l, INDArray p, IActivation a, INDArray mask) {
            return super.computeGradient(l, p, a, null);
        }

        @Override
        public Pair<Double, INDArray> computeGradientAndScore(INDArray l, INDArray p, IActivation a, INDArray mask,
                                                              boolean average) {
            return super.computeGradientAndScore(l, p, a, null, average);
        }
    }

    /** BCE computed naively from probabilities: log(0) at |z| = 100, so inf/NaN. */
    static final class NaiveBce extends SigmoidElementwiseLoss {
        private static final long serialVersionUID = 1L;

        NaiveBce() {
            super("naive-bce", ParameterSchema.empty(), Map.of());
        }

        @Override
        protected void computeTerms(INDArray logits, INDArray labels, INDArray loss, INDArray grad) {
            INDArray p = Transforms.sigmoid(logits, true);
            INDArray q = p.rsub(1.0);
            // -(y log p + (1 - y) log(1 - p))
            loss.assign(labels.mul(Transforms.log(p, true)).addi(labels.rsub(1.0).muli(Transforms.log(q, true))).negi());
            if (grad != null) {
                // dL/dp * dp/dz with dL/dp = (p - y) / (p (1 - p))
                grad.assign(p.sub(labels).divi(p.mul(q)).muli(p).muli(q));
            }
        }
    }

    /**
     * A private parameter without getter or @JsonProperty: DL4J's JSON silently drops it, and equals
     * (as is common) forgets it too, so only the score comparison can notice.
     */
    public static final class DropsFieldInJson extends TestBceLoss {
        private static final long serialVersionUID = 1L;
        private double scale = 1.0;

        public DropsFieldInJson() {
            super("drops-field", Map.of());
        }

        DropsFieldInJson(double scale) {
            this();
            this.scale = scale;
        }

        @Override
        protected void computeTerms(INDArray logits, INDArray labels, INDArray loss, INDArray grad) {
            super.computeTerms(logits, labels, loss, grad);
            loss.muli(scale);
            if (grad != null) {
                grad.muli(scale);
            }
        }
    }

    /**
     * As DropsFieldInJson, but equals does compare the field (which, like a setting only some inputs
     * use, does not change the score on the check's input): a plain ILossFunction (written the way
     * DL4J's own losses are, not on this project's base classes) that delegates to weight-1 BCE.
     */
    public static final class DropsFieldEqualsNotices implements ILossFunction {
        private static final long serialVersionUID = 1L;
        private final TestBceLoss bce = new TestBceLoss(1.0);
        private double scale = 1.0;

        public DropsFieldEqualsNotices() {
        }

        DropsFieldEqualsNotices(double scale) {
            this.scale = scale;
        }

        @Override
        public double computeScore(INDArray l, INDArray p, IActivation a, INDArray mask, boolean average) {
            return bce.computeScore(l, p, a, mask, average);
        }

        @Override
        public INDArray computeScoreArray(INDArray l, INDArray p, IActivation a, INDArray mask) {
            return bce.computeScoreArray(l, p, a, mask);
        }

        @Override
        public INDArray computeGradient(INDArray l, INDArray p, IActivation a, INDArray mask) {
            return bce.computeGradient(l, p, a, mask);
        }

        @Override
        public Pair<Double, INDArray> computeGradientAndScore(INDArray l, INDArray p, IActivation a, INDArray mask,
                                                              boolean average) {
            return new Pair<>(computeScore(l, p, a, mask, average), computeGradient(l, p, a, mask));
        }

        @Override
        public String name() {
            return "drops-field-2";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DropsFieldEqualsNotices && ((DropsFieldEqualsNotices) o).scale == scale;
        }

        @Override
        public int hashCode() {
            return Double.hashCode(scale);
        }
    }

    /** A plain ILossFunction (not a LossFunction) is described by name and class in messages. */
    static ILossFunction plain(ILossFunction l) {
        return l;
    }

    /**
     * Softmax cross-entropy that masks the score but not the gradient: masked rows still get the
     * unmasked gradient, so DL4J's OutputLayer (which uses the gradient unmasked) learns from masked
     * examples. Otherwise correct (it rejects masks that differ within a row).
     */
    static final class SoftmaxGradientIgnoresMask extends TestCeLoss {
        private static final long serialVersionUID = 1L;

        @Override
        public INDArray computeGradient(INDArray l, INDArray p, IActivation a, INDArray mask) {
            if (mask != null && mask.length() == l.length() && l.size(1) > 1) {
                LossInputs.requireRowConstantMask("softmax-gradient-ignores-mask", mask);
            }
            return super.computeGradient(l, p, a, null);
        }

        @Override
        public Pair<Double, INDArray> computeGradientAndScore(INDArray l, INDArray p, IActivation a, INDArray mask,
                                                              boolean average) {
            return new Pair<>(computeScore(l, p, a, mask, average), computeGradient(l, p, a, mask));
        }

        SoftmaxGradientIgnoresMask() {
            super("softmax-gradient-ignores-mask");
        }
    }

    /**
     * BCE with logits as log(1 + exp(z)) - y z, computed in the input's data type: fine in FLOAT at
     * z = 12 (exp(12) = 1.6e5), infinite in HALF (largest value 65504). A plain ILossFunction.
     */
    static final class SoftplusInInputType implements ILossFunction {
        private static final long serialVersionUID = 1L;

        private static INDArray terms(INDArray y, INDArray z) {
            return Transforms.log(Transforms.exp(z, true).addi(1.0), false).subi(y.castTo(z.dataType()).mul(z));
        }

        @Override
        public double computeScore(INDArray l, INDArray p, IActivation a, INDArray mask, boolean average) {
            double s = terms(l, p).sumNumber().doubleValue();
            return average ? s / p.size(0) : s;
        }

        @Override
        public INDArray computeScoreArray(INDArray l, INDArray p, IActivation a, INDArray mask) {
            return terms(l, p).sum(true, 1);
        }

        @Override
        public INDArray computeGradient(INDArray l, INDArray p, IActivation a, INDArray mask) {
            return Transforms.sigmoid(p, true).subi(l.castTo(p.dataType()));
        }

        @Override
        public Pair<Double, INDArray> computeGradientAndScore(INDArray l, INDArray p, IActivation a, INDArray mask,
                                                              boolean average) {
            return new Pair<>(computeScore(l, p, a, mask, average), computeGradient(l, p, a, mask));
        }

        @Override
        public String name() {
            return "softplus-in-input-type";
        }
    }

    /** A correct loss holding a field that is not Serializable: Spark could not ship it. */
    static final class HoldsNonSerializableField extends TestBceLoss {
        private static final long serialVersionUID = 1L;
        private final Object lock = new Object();

        HoldsNonSerializableField() {
            super("holds-lock", Map.of());
        }
    }
}
