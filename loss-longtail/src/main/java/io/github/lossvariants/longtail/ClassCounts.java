package io.github.lossvariants.longtail;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

/**
 * Counts the training examples per class (and, for multi-label data, the positives per label and
 * the examples) from a DL4J {@link DataSetIterator}, so that nobody types the {@code classCounts}
 * of {@code class-balanced}, {@code ldam}, {@code balanced-softmax} or {@code distribution-balanced}:
 * <pre>{@code
 * double[] counts = ClassCounts.of(trainIterator);                // one-hot labels
 * ILossFunction loss = new LdamLoss(counts);
 * ILossFunction same = LossRegistry.discover().create("ldam", Map.of("classCounts", counts));
 *
 * ClassCounts.MultiLabel ml = ClassCounts.multiLabel(trainIterator);   // 0/1 label rows
 * ILossFunction db = DistributionBalancedLoss.of(ml);
 * }</pre>
 *
 * <p>Every method resets the iterator before counting and again afterwards, so the iterator is
 * ready for training; an iterator that cannot be reset is rejected (counting would use it up).
 * Labels must be 2-D {@code [minibatch, classes]} (the labels of an {@code OutputLayer}); examples
 * whose per-example label mask ({@code [minibatch, 1]}, or labels-shaped and equal across the row) is
 * 0 are not counted. Labels that cannot be
 * counted (soft or multi-hot rows where one-hot rows are needed, values other than 0 and 1, class
 * indices outside the range, rank other than 2, widths that change between minibatches) are an
 * {@link IllegalArgumentException} naming the minibatch and the first offending row. Sums run as
 * ND4J column sums per minibatch, in double.
 *
 * @since 0.2.0
 */
public final class ClassCounts {
    private ClassCounts() {
    }

    /**
     * Examples per class from one-hot label rows {@code [minibatch, classes]} (at least 2 columns).
     * A class that never occurs gets 0, which the losses reject (their counts must be &gt; 0):
     * a class without training examples cannot be re-balanced.
     *
     * @param iterator the training data; reset before and after
     * @return the count of each class, in column order
     * @throws IllegalArgumentException for labels that are not one-hot rows, or an iterator that cannot be reset
     */
    public static double[] of(DataSetIterator iterator) {
        return count(iterator, 0, false).counts;
    }

    /**
     * Examples per class from either one-hot label rows {@code [minibatch, numClasses]} or class
     * indices {@code [minibatch, 1]} (whole numbers 0 .. numClasses - 1).
     *
     * @param iterator   the training data; reset before and after
     * @param numClasses the number of classes, &gt;= 2
     * @return the count of each class
     * @throws IllegalArgumentException for labels that are neither, a one-hot width other than
     *                                  numClasses, an index outside the range, or an iterator that
     *                                  cannot be reset
     */
    public static double[] of(DataSetIterator iterator, int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        return count(iterator, numClasses, false).counts;
    }

    /**
     * Positives per label and the number of examples, from 0/1 label rows {@code [minibatch, labels]}
     * (any number of 1s per row): {@code distribution-balanced}'s {@code classCounts} and
     * {@code trainNum}.
     *
     * @param iterator the training data; reset before and after
     * @return the counts
     * @throws IllegalArgumentException for labels other than 0 and 1, or an iterator that cannot be reset
     */
    public static MultiLabel multiLabel(DataSetIterator iterator) {
        Tally t = count(iterator, 0, true);
        return new MultiLabel(t.counts, t.examples);
    }

    /** Positives per label and examples of multi-label training data. */
    public static final class MultiLabel {
        private final double[] positives;
        private final double examples;

        private MultiLabel(double[] positives, double examples) {
            this.positives = positives;
            this.examples = examples;
        }

        /** @return a copy of the positive examples of each label ({@code classCounts}) */
        public double[] positives() {
            return positives.clone();
        }

        /** @return the number of (unmasked) examples ({@code trainNum}) */
        public double examples() {
            return examples;
        }

        @Override
        public String toString() {
            return "positives " + Arrays.toString(positives) + " of " + examples + " examples";
        }
    }

    private static final class Tally {
        private final double[] counts;
        private final double examples;

        private Tally(double[] counts, double examples) {
            this.counts = counts;
            this.examples = examples;
        }
    }

    private static Tally count(DataSetIterator iterator, int numClasses, boolean multiLabel) {
        if (iterator == null) {
            throw new IllegalArgumentException("iterator must not be null");
        }
        if (!iterator.resetSupported()) {
            throw new IllegalArgumentException("the iterator " + iterator.getClass().getName() + " does not support"
                    + " reset(): counting its labels would use it up before training; count a resettable iterator"
                    + " over the same data");
        }
        iterator.reset();
        double[] counts = numClasses > 0 ? new double[numClasses] : null;
        double examples = 0;
        int batch = 0;
        try {
            while (iterator.hasNext()) {
                DataSet ds = iterator.next();
                INDArray labels = ds.getLabels();
                if (labels == null) {
                    throw new IllegalArgumentException("minibatch " + batch + " has no labels");
                }
                if (labels.rank() != 2) {
                    throw new IllegalArgumentException("minibatch " + batch + " has labels of shape "
                            + Arrays.toString(labels.shape()) + "; ClassCounts counts 2-D [minibatch, classes] labels"
                            + " (one example per row, as an OutputLayer takes them)");
                }
                INDArray y = labels.castTo(DataType.DOUBLE);
                INDArray rowWeights = rowWeights(ds.getLabelsMaskArray(), y.size(0), y.size(1), batch);
                if (y.size(1) == 1 && !multiLabel) {
                    if (numClasses == 0) {
                        throw new IllegalArgumentException("minibatch " + batch + " has one label column: class"
                                + " indices need the number of classes, ClassCounts.of(iterator, numClasses)");
                    }
                    // masked rows may hold any index: they become class 0 and are zeroed below
                    y = indicesToOneHot(rowWeights == null ? y : y.mul(rowWeights), numClasses, batch);
                    if (rowWeights != null) {
                        y.muliColumnVector(rowWeights);
                    }
                } else {
                    if (rowWeights != null) {
                        y = y.mulColumnVector(rowWeights); // masked rows may hold padding: not counted, not checked
                    }
                    requireBinary(y, batch);
                    if (!multiLabel) {
                        requireOneHot(y, rowWeights, batch);
                    }
                }
                if (counts == null) {
                    counts = new double[(int) y.size(1)];
                } else if (y.size(1) != counts.length) {
                    throw new IllegalArgumentException("minibatch " + batch + " has " + y.size(1) + " label columns,"
                            + (numClasses > 0 ? " but numClasses is " : " earlier minibatches had ") + counts.length);
                }
                examples += rowWeights == null ? y.size(0) : rowWeights.sumNumber().doubleValue();
                double[] batchCounts = y.sum(0).toDoubleVector();
                for (int c = 0; c < counts.length; c++) {
                    counts[c] += batchCounts[c];
                }
                batch++;
            }
        } finally {
            iterator.reset();
        }
        if (counts == null) {
            throw new IllegalArgumentException("the iterator returned no minibatch: nothing to count");
        }
        return new Tally(counts, examples);
    }

    /**
     * @return 1 for counted rows and 0 for masked ones, from a per-example label mask: {@code [rows, 1]}, or
     * labels-shaped and equal across each row (what DL4J's {@code DataSet.merge} makes of per-example masks);
     * null without a mask
     */
    private static INDArray rowWeights(INDArray mask, long rows, long columns, int batch) {
        if (mask == null) {
            return null;
        }
        INDArray m = mask.castTo(DataType.DOUBLE);
        if (m.rank() == 1 && m.size(0) == rows) {
            m = m.reshape(rows, 1);
        }
        if (m.rank() == 2 && m.size(0) == rows && m.size(1) == columns && columns > 1) {
            INDArray range = m.max(1).subi(m.min(1));
            long row = BooleanIndexing.firstIndex(range, Conditions.notEquals(0.0)).getLong(0);
            if (row >= 0) {
                throw new IllegalArgumentException("minibatch " + batch + " has a label mask that differs within row "
                        + row + " (" + Arrays.toString(m.getRow(row).toDoubleVector()) + "); ClassCounts counts whole"
                        + " examples and understands per-example masks only");
            }
            m = m.getColumn(0).reshape(rows, 1);
        }
        if (!(m.rank() == 2 && m.size(0) == rows && m.size(1) == 1)) {
            throw new IllegalArgumentException("minibatch " + batch + " has a label mask of shape "
                    + Arrays.toString(mask.shape()) + "; ClassCounts understands per-example masks [" + rows + ", 1]");
        }
        return m.neq(0.0).castTo(DataType.DOUBLE);
    }

    private static void requireBinary(INDArray y, int batch) {
        INDArray notBinary = y.mul(y.rsub(1.0));
        if (notBinary.amaxNumber().doubleValue() != 0.0 || !Double.isFinite(y.sumNumber().doubleValue())) {
            long first = BooleanIndexing.firstIndex(notBinary.reshape(notBinary.length()),
                    Conditions.notEquals(0.0)).getLong(0);
            long row = first < 0 ? 0 : first / y.size(1);
            throw new IllegalArgumentException("minibatch " + batch + ": labels must be 0 or 1 to be counted; row "
                    + row + " is " + Arrays.toString(y.getRow(row).toDoubleVector()));
        }
    }

    /** Each counted row holds exactly one 1 (masked rows, already zeroed, none). */
    private static void requireOneHot(INDArray y, INDArray rowWeights, int batch) {
        INDArray rowSums = y.sum(1);
        if (rowWeights != null) {
            rowSums.subi(rowWeights.reshape(rowSums.length())).addi(1.0);
        }
        long bad = BooleanIndexing.firstIndex(rowSums, Conditions.notEquals(1.0)).getLong(0);
        if (bad >= 0) {
            throw new IllegalArgumentException("minibatch " + batch + ": row " + bad + " is not one-hot ("
                    + Arrays.toString(y.getRow(bad).toDoubleVector()) + "); single-label counts need exactly one 1"
                    + " per row; for multi-label data use ClassCounts.multiLabel");
        }
    }

    private static INDArray indicesToOneHot(INDArray indices, int numClasses, int batch) {
        INDArray idx = indices.reshape(indices.length());
        double min = idx.minNumber().doubleValue();
        double max = idx.maxNumber().doubleValue();
        INDArray fractional = idx.sub(Transforms.round(idx, true));
        if (!(min >= 0) || !(max <= numClasses - 1) || fractional.amaxNumber().doubleValue() != 0.0) {
            throw new IllegalArgumentException("minibatch " + batch + ": class indices must be whole numbers in 0.."
                    + (numClasses - 1) + " (numClasses = " + numClasses + "); found values from " + min + " to " + max);
        }
        INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, idx.length(), numClasses);
        for (int c = 0; c < numClasses; c++) {
            oneHot.getColumn(c).assign(idx.eq(c).castTo(DataType.DOUBLE));
        }
        return oneHot;
    }
}
