package io.github.lossvariants.asymmetric;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.SigmoidElementwiseLoss;
import io.github.lossvariants.asymmetric.internal.AsymmetricKernel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Asymmetric loss (ASL) for multi-label classification, registry name {@code asymmetric}:
 * Ben-Baruch, Ridnik, Zamir, Noy, Friedman, Protter, Zelnik-Manor, "Asymmetric Loss For
 * Multi-Label Classification", ICCV 2021 (arXiv 2009.14119), reproducing the authors' code
 * (Alibaba-MIIL/ASL, {@code AsymmetricLoss}).
 *
 * <p>Per element, with logit x, p = &sigma;(x), label y, clip m and the shifted probability
 * p<sub>m</sub> = max(p &minus; m, 0):
 * <pre>
 *   positives (y = 1):  L = &minus;(1 &minus; p)^gammaPos &middot; log max(p, &epsilon;)
 *   negatives (y = 0):  L = &minus;p_m^gammaNeg &middot; log max(1 &minus; p_m, &epsilon;)        &epsilon; = 1e-8
 * </pre>
 * The loss of a row is the <b>sum</b> over its outputs, as in the reference ({@code -loss.sum()});
 * DL4J's output layers then divide by the minibatch size. With m = 0 the negatives use p itself;
 * with gammaPos = gammaNeg = 0 and m = 0 the loss is binary cross-entropy (summed over outputs).
 *
 * <p><b>Soft labels</b> follow the reference exactly: with
 * q = 1 &minus; p<sub>t</sub> = y(1 &minus; p) + (1 &minus; y)p<sub>m</sub> and
 * g = gammaPos&middot;y + gammaNeg&middot;(1 &minus; y),
 * L = &minus;q^g &middot; [y log max(p, &epsilon;) + (1 &minus; y) log max(1 &minus; p<sub>m</sub>, &epsilon;)],
 * so a soft y interpolates both the weight's base and its exponent (this reduces to the two
 * lines above for y &isin; {0, 1}).
 *
 * <p><b>Gradient.</b> With {@code detachFocusingWeight = false} (the default) the gradient is the
 * full derivative of L, the focusing weight q^g included (the reference's
 * {@code AsymmetricLossOptimized}, and {@code AsymmetricLoss(disable_torch_grad_focal_loss=False)}).
 * With {@code true} the weight is a constant in the gradient (a stop-gradient), which is what the
 * reference's {@code AsymmetricLoss} class does by default ({@code disable_torch_grad_focal_loss=True}) and
 * what its training script uses; the authors call it an experiment (ASL issue #31). The score is
 * the same either way. Where the clip makes a negative's term exactly zero (p &le; m) the gradient
 * is exactly zero, not NaN; where the &epsilon; clamp is active the log term's derivative is zero, as
 * in the reference.
 *
 * <p><b>Numerics.</b> Computed from the logits in log space (log p = &minus;softplus(&minus;x),
 * log(1 &minus; p) = &minus;softplus(x), log(1 &minus; p<sub>m</sub>) = log1p(&minus;p<sub>m</sub>)): score and
 * gradient are finite for any finite logit in DOUBLE, FLOAT and HALF (HALF and BFLOAT16 are computed
 * in FLOAT and cast back; the reference produces NaN in fp16, ASL issue #53). The &epsilon; clamp
 * makes the values match the reference at extreme logits: a positive with p &lt; 1e-8 scores
 * &minus;log(1e-8) = 18.42 times its weight.
 *
 * <p>Parameters (defaults are the reference's {@code AsymmetricLoss} defaults):
 * <ul>
 *   <li>{@code gammaNeg} &ge; 0, default 4: focusing exponent of negatives;</li>
 *   <li>{@code gammaPos} &ge; 0, default 1: focusing exponent of positives (the training script uses 0);</li>
 *   <li>{@code clip} in [0, 1), default 0.05: probability margin m; 0 disables shifting;</li>
 *   <li>{@code detachFocusingWeight}, default false: see above.</li>
 * </ul>
 * Needs a SIGMOID output activation; masks (per row or per output) multiply score and gradient.
 * Immutable; round-trips through DL4J JSON and {@code ModelSerializer}.
 *
 * @since 0.1.0
 */
public final class AsymmetricLoss extends SigmoidElementwiseLoss {
    private static final long serialVersionUID = 1L;

    /** Registry name. */
    public static final String NAME = "asymmetric";
    /** Default {@code gammaNeg}. */
    public static final double DEFAULT_GAMMA_NEG = 4.0;
    /** Default {@code gammaPos}. */
    public static final double DEFAULT_GAMMA_POS = 1.0;
    /** Default {@code clip}. */
    public static final double DEFAULT_CLIP = 0.05;

    /**
     * The parameters: {@code gammaNeg} (4; &ge; 0), {@code gammaPos} (1; &ge; 0), {@code clip}
     * (0.05; [0, 1)), {@code detachFocusingWeight} (false).
     */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("gammaNeg", DEFAULT_GAMMA_NEG,
                    "focusing exponent of negatives (label 0): weight p_m^gammaNeg").atLeast(0),
            ParameterSpec.ofDouble("gammaPos", DEFAULT_GAMMA_POS,
                    "focusing exponent of positives (label 1): weight (1-p)^gammaPos").atLeast(0),
            ParameterSpec.ofDouble("clip", DEFAULT_CLIP,
                    "probability margin m: negatives use p_m = max(p - m, 0); 0 disables").atLeast(0).lessThan(1),
            ParameterSpec.ofBoolean("detachFocusingWeight", false,
                    "gradient treats the focusing weight as a constant (the ASL code's default stop-gradient)"));

    private final double gammaNeg;
    private final double gammaPos;
    private final double clip;
    private final boolean detachFocusingWeight;

    /**
     * @param parameters values by name ({@link #SCHEMA}); missing ones take their defaults
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public AsymmetricLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.gammaNeg = parameterValues().getDouble("gammaNeg");
        this.gammaPos = parameterValues().getDouble("gammaPos");
        this.clip = parameterValues().getDouble("clip");
        this.detachFocusingWeight = parameterValues().getBoolean("detachFocusingWeight");
    }

    /** The reference defaults: gammaNeg 4, gammaPos 1, clip 0.05, full gradient. */
    public AsymmetricLoss() {
        this(DEFAULT_GAMMA_NEG, DEFAULT_GAMMA_POS, DEFAULT_CLIP, false);
    }

    /**
     * @param gammaNeg             focusing exponent of negatives, &ge; 0
     * @param gammaPos             focusing exponent of positives, &ge; 0
     * @param clip                 probability margin, in [0, 1)
     * @param detachFocusingWeight whether the gradient treats the focusing weight as a constant
     * @throws io.github.lossvariants.api.LossConfigurationException for an out-of-range value
     */
    public AsymmetricLoss(double gammaNeg, double gammaPos, double clip, boolean detachFocusingWeight) {
        this(ParameterSchema.valuesOf("gammaNeg", gammaNeg, "gammaPos", gammaPos, "clip", clip,
                "detachFocusingWeight", detachFocusingWeight));
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return focusing exponent of negatives */
    public double getGammaNeg() {
        return gammaNeg;
    }

    /** @return focusing exponent of positives */
    public double getGammaPos() {
        return gammaPos;
    }

    /** @return probability margin of negatives */
    public double getClip() {
        return clip;
    }

    /** @return whether the gradient treats the focusing weight as a constant */
    public boolean isDetachFocusingWeight() {
        return detachFocusingWeight;
    }

    @Override
    protected void computeTerms(INDArray logits, INDArray labels, INDArray loss, INDArray grad) {
        AsymmetricKernel.compute(logits, labels, loss, grad, gammaNeg, gammaPos, clip, detachFocusingWeight);
    }

    @Override
    protected String activationHint() {
        return "Use .activation(Activation.SIGMOID) on the output layer: ASL treats each output as an independent"
                + " binary label.";
    }

    /** Builds an {@link AsymmetricLoss}; starts from the defaults; validates on {@link #build()}. */
    public static final class Builder {
        private double gammaNeg = DEFAULT_GAMMA_NEG;
        private double gammaPos = DEFAULT_GAMMA_POS;
        private double clip = DEFAULT_CLIP;
        private boolean detachFocusingWeight;

        private Builder() {
        }

        /** @param v focusing exponent of negatives, &ge; 0 (default 4) @return this */
        public Builder gammaNeg(double v) {
            this.gammaNeg = v;
            return this;
        }

        /** @param v focusing exponent of positives, &ge; 0 (default 1) @return this */
        public Builder gammaPos(double v) {
            this.gammaPos = v;
            return this;
        }

        /** @param v probability margin in [0, 1) (default 0.05; 0 disables) @return this */
        public Builder clip(double v) {
            this.clip = v;
            return this;
        }

        /** @param v whether the gradient treats the focusing weight as a constant (default false) @return this */
        public Builder detachFocusingWeight(boolean v) {
            this.detachFocusingWeight = v;
            return this;
        }

        /** @return the loss @throws io.github.lossvariants.api.LossConfigurationException for a bad value */
        public AsymmetricLoss build() {
            return new AsymmetricLoss(gammaNeg, gammaPos, clip, detachFocusingWeight);
        }
    }
}
