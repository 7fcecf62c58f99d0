package io.github.lossvariants.testkit;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.dl4j.BaseLoss;
import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.internal.LossInputs;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * A correct softmax test loss (plain Java loops, test code only): cross-entropy
 * -sum_c m_c y_c log p_c with a stable log-softmax (z - max - log sum exp(z - max), finite in float
 * at |z| = 100). Gradient d/dz_j = sum_c m_c y_c (p_j - [c = j]). A labels-shaped mask must be
 * constant within each row (softmax couples a row's classes; {@link LossInputs#requireRowConstantMask});
 * a masked row then gets exactly zero gradient, which both DL4J's OutputLayer (it zeroes masked
 * pre-activations and uses the gradient unmasked) and CnnLossLayer (exact derivative) need.
 */
public class TestCeLoss extends BaseLoss {
    private static final long serialVersionUID = 1L;

    public TestCeLoss() {
        this("test-ce");
    }

    /** For defective subclasses that name themselves. */
    TestCeLoss(String name) {
        super(name, ParameterSchema.empty(), Map.of());
    }

    @Override
    protected Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                  boolean wantGradient) {
        LossInputs.checkRows("test-ce", labels, preOutput);
        MaskKind kind = LossInputs.maskKind("test-ce", mask, labels);
        LossInputs.requireSoftmax("test-ce", activation, null);
        if (kind == MaskKind.PER_OUTPUT) {
            LossInputs.requireRowConstantMask("test-ce", mask);
        }
        int rows = (int) preOutput.size(0);
        int c = (int) preOutput.size(1);
        double[][] z = preOutput.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] y = labels.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] mm = mask == null ? null : mask.castTo(DataType.DOUBLE).reshape(kind == MaskKind.PER_EXAMPLE
                ? new long[]{rows, 1} : new long[]{rows, c}).toDoubleMatrix();
        double[] score = new double[rows];
        double[][] g = new double[rows][c];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, z[r][j]);
            }
            double sum = 0;
            for (int j = 0; j < c; j++) {
                sum += Math.exp(z[r][j] - max);
            }
            double lse = max + Math.log(sum);
            double weightSum = 0;
            for (int j = 0; j < c; j++) {
                double m = mm == null ? 1 : kind == MaskKind.PER_EXAMPLE ? mm[r][0] : mm[r][j];
                score[r] -= m * y[r][j] * (z[r][j] - lse);
                weightSum += m * y[r][j];
            }
            for (int j = 0; j < c; j++) {
                double m = mm == null ? 1 : kind == MaskKind.PER_EXAMPLE ? mm[r][0] : mm[r][j];
                double p = Math.exp(z[r][j] - lse);
                g[r][j] = weightSum * p - m * y[r][j];
            }
        }
        DataType type = preOutput.dataType();
        return new Evaluation(Nd4j.createFromArray(score).reshape(rows, 1).castTo(type),
                wantGradient ? Nd4j.createFromArray(g).castTo(type) : null, rows);
    }
}
