package io.github.lossvariants.longtail;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.dl4j.SoftmaxElementwiseLoss;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Expm1;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * Poly-1 cross-entropy (registry name {@code poly}) from Leng, Tan, Liu, Cubuk, Shi, Cheng and
 * Anguelov, "PolyLoss: A Polynomial Expansion Perspective of Classification Loss Functions",
 * ICLR 2022 (arXiv 2204.12511): cross-entropy plus epsilon times its first polynomial term.
 *
 * <p>For a row with logits x, labels y and p = softmax(x):
 * <pre>
 *   L = sum_c y_c [ -log p_c + epsilon (1 - p_c) ]      (= CE + epsilon (1 - p_t) for one-hot y)
 *   dL/d(log p_c) = -y_c (1 + epsilon p_c)
 * </pre>
 * computed from log p = log-softmax(x), so it is finite at logits of +-100. For one-hot labels it is
 * the reference (abhuse/polyloss-pytorch {@code Poly1CrossEntropyLoss}); for soft labels it is the
 * per-class form above, whose polynomial term is epsilon (sum_c y_c - sum_c y_c p_c), the
 * reference's epsilon (1 - sum_c y_c p_c) when the labels of a row sum to 1.
 *
 * <p>Parameter: {@code epsilon} &gt;= -1, default 1 (the reference implementation's default; the
 * paper tunes epsilon per task). With epsilon &gt;= -1 the loss is &gt;= 0, since -log p &gt;= 1 - p. epsilon = 0 is
 * cross-entropy. Use with a {@code SOFTMAX} output activation. Instances are immutable and
 * thread-safe.
 *
 * @since 0.2.0
 */
public final class PolyLoss extends SoftmaxElementwiseLoss {
    private static final long serialVersionUID = 1L;

    /** The registry name. */
    public static final String NAME = "poly";

    /** The parameters: {@code epsilon} (1; &gt;= -1). */
    public static final ParameterSchema SCHEMA = ParameterSchema.of(ParameterSpec.ofDouble("epsilon", 1.0,
            "coefficient of the first polynomial term (1 - p_t) added to the cross-entropy; 0 = cross-entropy")
            .atLeast(-1));

    private final double epsilon;

    /**
     * @param parameters values by name: {@code epsilon}
     * @throws io.github.lossvariants.api.LossConfigurationException for an unknown name or an invalid value
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public PolyLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.epsilon = parameterValues().getDouble("epsilon");
    }

    /** @param epsilon coefficient of (1 - p_t), &gt;= -1 */
    public PolyLoss(double epsilon) {
        this(ParameterSchema.valuesOf("epsilon", epsilon));
    }

    /** @return Poly-1 with epsilon 1 (the registry default) */
    public static PolyLoss defaults() {
        return new PolyLoss(1.0);
    }

    /** @return epsilon */
    public double getEpsilon() {
        return epsilon;
    }

    @Override
    protected void computeTerms(INDArray logP, INDArray p, INDArray y, INDArray loss, INDArray h) {
        // l = y (epsilon (1 - p) - log p), h = -y (1 + epsilon p)
        Nd4j.exec(new ScalarReverseSubtraction(p, null, loss, 1.0));
        loss.muli(epsilon).subi(logP).muli(y);
        if (h != null) {
            Nd4j.exec(new MulOp(p, y, h));
            h.muli(-epsilon).subi(y);
        }
    }

    @Override
    protected boolean hasTargetForm() {
        return true;
    }

    @Override
    protected void computeTargetTerms(TargetRows rows, INDArray rowLoss, INDArray dLogPt) {
        // 1 - p_t = -expm1(log p_t): exact also when p_t is close to 1
        Nd4j.exec(new Expm1(rows.logPt(), rowLoss));
        rowLoss.muli(-epsilon).subi(rows.logPt());
        if (dLogPt != null) {
            dLogPt.assign(rows.pt()).muli(-epsilon).subi(1.0);
        }
    }

    @Override
    protected String activationHint() {
        return "For independent sigmoid outputs use poly-focal (PolyFocalLoss).";
    }
}
