package io.github.lossvariants.examples.bench;

import io.github.lossvariants.api.CompoundLoss;
import io.github.lossvariants.api.dl4j.RowGroupedLoss;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.ArrayList;
import java.util.List;

/** Small helpers shared by the benchmarks. */
public final class Nets {
    private Nets() {
    }

    /** @return a float matrix of the rows */
    public static INDArray matrix(double[][] rows) {
        return Nd4j.create(rows).castTo(DataType.FLOAT);
    }

    /** @return the rows of a 2-D array as doubles */
    public static double[][] rows(INDArray a) {
        return a.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    /**
     * Configures a loss for per-image grouping behind a CnnLossLayer: a {@link RowGroupedLoss} gets
     * {@code rowsPerExample}; the parts of a {@link CompoundLoss} are configured recursively; other
     * losses are returned unchanged.
     */
    public static ILossFunction groupedPerImage(ILossFunction loss, long rowsPerExample) {
        if (loss instanceof RowGroupedLoss g) {
            return g.withRowsPerExample(rowsPerExample);
        }
        if (loss instanceof CompoundLoss c) {
            List<ILossFunction> parts = new ArrayList<>();
            boolean changed = false;
            for (ILossFunction part : c.getLosses()) {
                ILossFunction p = groupedPerImage(part, rowsPerExample);
                changed |= p != part;
                parts.add(p);
            }
            return changed ? new CompoundLoss(parts, c.getWeights()) : c;
        }
        return loss;
    }

    /** @return whether any part of the loss is grouped per example (a region loss) */
    public static boolean isRegionLoss(ILossFunction loss) {
        if (loss instanceof RowGroupedLoss) {
            return true;
        }
        if (loss instanceof CompoundLoss c) {
            return c.getLosses().stream().anyMatch(Nets::isRegionLoss);
        }
        return false;
    }

    /** @return a value formatted for a progress bar */
    public static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4g", v);
    }
}
