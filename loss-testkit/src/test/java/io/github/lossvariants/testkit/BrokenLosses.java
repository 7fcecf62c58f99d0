package io.github.lossvariants.testkit;

import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

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

        @Override
        public String registryName() {
            return "naive-bce";
        }

        @Override
        public java.util.Map<String, Object> parameters() {
            return java.util.Map.of();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NaiveBce;
        }

        @Override
        public int hashCode() {
            return 1;
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
            super(1.0);
        }

        DropsFieldInJson(double scale) {
            super(1.0);
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

        @Override
        public String registryName() {
            return "drops-field";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DropsFieldInJson;
        }

        @Override
        public int hashCode() {
            return 2;
        }
    }

    /** As DropsFieldInJson, but equals does compare the field. */
    public static final class DropsFieldEqualsNotices extends TestBceLoss {
        private static final long serialVersionUID = 1L;
        private double scale = 1.0;

        public DropsFieldEqualsNotices() {
            super(1.0);
        }

        DropsFieldEqualsNotices(double scale) {
            super(1.0);
            this.scale = scale;
        }

        @Override
        public String registryName() {
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
                io.github.lossvariants.api.internal.LossInputs.requireRowConstantMask("softmax-gradient-ignores-mask", mask);
            }
            return super.computeGradient(l, p, a, null);
        }

        @Override
        public Pair<Double, INDArray> computeGradientAndScore(INDArray l, INDArray p, IActivation a, INDArray mask,
                                                              boolean average) {
            return new Pair<>(computeScore(l, p, a, mask, average), computeGradient(l, p, a, mask));
        }

        @Override
        public String registryName() {
            return "softmax-gradient-ignores-mask";
        }
    }
}
