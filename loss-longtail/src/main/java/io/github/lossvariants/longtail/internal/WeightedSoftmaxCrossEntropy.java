package io.github.lossvariants.longtail.internal;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.dl4j.SoftmaxElementwiseLoss;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * The softmax cross-entropy with per-class weights, -sum_c w_c y_c log p_c, that
 * {@code class-balanced(baseLoss=softmax)}, {@code ldam} and {@code balanced-softmax} evaluate on
 * their (adjusted) logits. It carries the calling loss's name, schema and parameter values, so that
 * its shape, mask, label and activation errors name that loss. Internal: not for public use.
 */
public final class WeightedSoftmaxCrossEntropy extends SoftmaxElementwiseLoss {
    private static final long serialVersionUID = 1L;

    private final double[] weights;
    private final String activationHint;

    /**
     * @param name           the calling loss's registry name
     * @param schema         its schema
     * @param values         its parameter values
     * @param weights        one weight per class (length checked by the caller), or null for all 1
     * @param activationHint shown when the activation is not softmax, or null
     */
    public WeightedSoftmaxCrossEntropy(String name, ParameterSchema schema, Map<String, ?> values, double[] weights,
                                       String activationHint) {
        super(name, schema, values);
        this.weights = weights == null ? null : weights.clone();
        this.activationHint = activationHint;
    }

    @Override
    protected void computeTerms(INDArray logP, INDArray p, INDArray y, INDArray loss, INDArray h) {
        // l = -w y log p, h = dl/dlog p = -w y
        Nd4j.exec(new MulOp(y, logP, loss));
        loss.negi();
        if (h != null) {
            h.assign(y).negi();
        }
        if (weights != null) {
            INDArray w = LongTailParameters.row(weights, logP.dataType());
            loss.muliRowVector(w);
            if (h != null) {
                h.muliRowVector(w);
            }
        }
    }

    @Override
    protected boolean hasTargetForm() {
        return true;
    }

    @Override
    protected void computeTargetTerms(TargetRows rows, INDArray rowLoss, INDArray dLogPt) {
        rowLoss.assign(rows.logPt()).negi();
        if (dLogPt != null) {
            dLogPt.assign(-1.0);
        }
        if (weights != null) {
            INDArray labels = rows.labels();
            INDArray wt = labels.mmul(LongTailParameters.column(weights, labels.dataType())); // each row's w_t
            rowLoss.muli(wt);
            if (dLogPt != null) {
                dLogPt.muli(wt);
            }
        }
    }

    @Override
    protected String activationHint() {
        return activationHint;
    }
}
