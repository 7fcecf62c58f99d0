package io.github.lossvariants.testkit;

import io.github.lossvariants.api.ParameterSchema;
import io.github.lossvariants.api.ParameterSpec;
import io.github.lossvariants.api.SimpleLossProvider;
import io.github.lossvariants.api.dl4j.BaseLoss;
import io.github.lossvariants.api.dl4j.MaskKind;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import io.github.lossvariants.api.internal.LossInputs;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;

import java.util.Map;

/**
 * A correct region test loss (plain Java loops, test code only): per (example, class) soft Dice on
 * sigmoid outputs, L = mean over classes of 1 - (2 sum p y + s) / (sum p + sum y + s), sums over the
 * example's rowsPerExample rows, masked rows/elements excluded. Each example's loss is spread
 * evenly over its rows.
 */
public final class TestDiceLoss extends BaseLoss implements RowGroupedLoss {
    private static final long serialVersionUID = 1L;
    static final String NAME = "test-dice";

    static final ParameterSchema SCHEMA = ParameterSchema.of(
            ParameterSpec.ofDouble("smooth", 1e-5, "smoothing").greaterThan(0),
            ParameterSpec.ofInt("rowsPerExample", 1, "rows per example").atLeast(1));

    private final double smooth;
    private final long rowsPerExample;

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public TestDiceLoss(Map<String, ?> parameters) {
        super(NAME, SCHEMA, parameters);
        this.smooth = parameterValues().getDouble("smooth");
        this.rowsPerExample = parameterValues().getInt("rowsPerExample");
    }

    public TestDiceLoss(double smooth, long rowsPerExample) {
        this(ParameterSchema.valuesOf("smooth", smooth, "rowsPerExample", rowsPerExample));
    }

    public double getSmooth() {
        return smooth;
    }

    @Override
    public long rowsPerExample() {
        return rowsPerExample;
    }

    @Override
    public RowGroupedLoss withRowsPerExample(long k) {
        return k == rowsPerExample ? this : new TestDiceLoss(smooth, k);
    }

    @Override
    protected Evaluation evaluate(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                  boolean wantGradient) {
        LossInputs.checkRows(NAME, labels, preOutput);
        MaskKind kind = LossInputs.maskKind(NAME, mask, labels);
        LossInputs.requireSigmoid(NAME, activation, null);
        int rows = (int) preOutput.size(0);
        int c = (int) preOutput.size(1);
        int k = (int) rowsPerExample;
        if (rows % k != 0) {
            throw new IllegalArgumentException(rows + " rows are not a multiple of rowsPerExample " + k);
        }
        double[][] z = preOutput.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] y = labels.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] m = new double[rows][c];
        double[][] mm = mask == null ? null : mask.castTo(DataType.DOUBLE).reshape(kind == MaskKind.PER_EXAMPLE
                ? new long[]{rows, 1} : new long[]{rows, c}).toDoubleMatrix();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < c; j++) {
                m[r][j] = mm == null ? 1.0 : kind == MaskKind.PER_EXAMPLE ? mm[r][0] : mm[r][j];
            }
        }
        double[] rowScore = new double[rows];
        double[][] g = new double[rows][c];
        for (int e = 0; e < rows / k; e++) {
            double loss = 0;
            for (int j = 0; j < c; j++) {
                double inter = 0;
                double union = 0;
                for (int r = e * k; r < (e + 1) * k; r++) {
                    double p = 1 / (1 + Math.exp(-z[r][j]));
                    inter += m[r][j] * p * y[r][j];
                    union += m[r][j] * (p + y[r][j]);
                }
                double den = union + smooth;
                double dice = (2 * inter + smooth) / den;
                loss += (1 - dice) / c;
                for (int r = e * k; r < (e + 1) * k; r++) {
                    double p = 1 / (1 + Math.exp(-z[r][j]));
                    double dDiceDp = m[r][j] * (2 * y[r][j] * den - (2 * inter + smooth)) / (den * den);
                    g[r][j] = -dDiceDp / c * p * (1 - p);
                }
            }
            for (int r = e * k; r < (e + 1) * k; r++) {
                rowScore[r] = loss / k;
            }
        }
        DataType type = preOutput.dataType();
        INDArray scores = Nd4j.createFromArray(rowScore).reshape(rows, 1).castTo(type);
        INDArray grad = wantGradient ? Nd4j.createFromArray(g).castTo(type) : null;
        return new Evaluation(scores, grad, rows / k);
    }

    /** Its provider. */
    public static final class Provider extends SimpleLossProvider {
        public Provider() {
            super(NAME, "test soft Dice", SCHEMA, TestDiceLoss::new);
        }
    }
}
