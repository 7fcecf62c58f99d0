package io.github.lossvariants.longtail;

import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassCountsTest {
    /** Minibatches of {@code batch} rows (the last one shorter), with a per-example mask when given. */
    private static DataSetIterator iterator(double[][] labels, int batch, double[][] mask) {
        List<DataSet> batches = new ArrayList<>();
        for (int from = 0; from < labels.length; from += batch) {
            int to = Math.min(labels.length, from + batch);
            double[][] y = Arrays.copyOfRange(labels, from, to);
            DataSet d = new DataSet(Nd4j.zeros(to - from, 1), Nd4j.createFromArray(y));
            if (mask != null) {
                d.setLabelsMaskArray(Nd4j.createFromArray(Arrays.copyOfRange(mask, from, to)));
            }
            batches.add(d);
        }
        return new ExistingDataSetIterator(batches);
    }

    @Test
    void oneHotLabels() {
        double[][] y = {{1, 0, 0}, {0, 0, 1}, {1, 0, 0}, {1, 0, 0}, {0, 1, 0}};
        DataSetIterator it = iterator(y, 2, null);
        it.next(); // a partly used iterator is reset first
        assertArrayEquals(new double[]{3, 1, 1}, ClassCounts.of(it), 0.0);
        assertTrue(it.hasNext(), "reset afterwards, ready for training");
        assertEquals(2, it.next().numExamples());
        assertArrayEquals(new double[]{3, 1, 1}, ClassCounts.of(it, 3), 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassCounts.of(it, 4));
        assertTrue(e.getMessage().contains("3 label columns, but numClasses is 4"), e.getMessage());
        // a class without examples counts 0, which the losses then reject
        assertArrayEquals(new double[]{3, 1, 1, 0}, ClassCounts.of(iterator(new double[][]{{1, 0, 0, 0}, {1, 0, 0, 0},
                {1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}}, 3, null)), 0.0);
    }

    @Test
    void indexLabels() {
        double[][] y = {{2}, {0}, {0}, {3}, {2}, {0}};
        assertArrayEquals(new double[]{3, 0, 2, 1}, ClassCounts.of(iterator(y, 4, null), 4), 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassCounts.of(iterator(y, 4,
                null)));
        assertTrue(e.getMessage().contains("ClassCounts.of(iterator, numClasses)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClassCounts.of(iterator(y, 4, null), 3));
        assertTrue(e.getMessage().contains("whole numbers in 0..2") && e.getMessage().contains("to 3.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClassCounts.of(iterator(new double[][]{{0.5}, {1}}, 2,
                null), 2));
        assertTrue(e.getMessage().contains("whole numbers"), e.getMessage());
    }

    @Test
    void maskedExamplesAreNotCounted() {
        double[][] y = {{1, 0}, {0, 0}, {0, 1}, {0.5, 0.5}};
        double[][] mask = {{1}, {0}, {1}, {0}};
        assertArrayEquals(new double[]{1, 1}, ClassCounts.of(iterator(y, 4, mask)), 0.0);
        ClassCounts.MultiLabel ml = ClassCounts.multiLabel(iterator(new double[][]{{1, 1}, {1, 0}, {0, 1}},
                2, new double[][]{{1}, {0}, {1}}));
        assertArrayEquals(new double[]{1, 2}, ml.positives(), 0.0);
        assertEquals(2, ml.examples(), 0.0);
        // a labels-shaped mask equal across each row is a per-example mask; one that differs within a row is not
        assertArrayEquals(new double[]{1, 1}, ClassCounts.of(iterator(y, 4, new double[][]{{1, 1}, {0, 0}, {1, 1},
                {0, 0}})), 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassCounts.of(iterator(y, 4,
                new double[][]{{1, 1}, {0, 1}, {1, 1}, {0, 0}})));
        assertTrue(e.getMessage().contains("differs within row 1"), e.getMessage());
    }

    @Test
    void multiLabelCounts() {
        double[][] y = {{1, 1, 0}, {0, 0, 0}, {1, 0, 1}, {1, 0, 0}};
        ClassCounts.MultiLabel ml = ClassCounts.multiLabel(iterator(y, 3, null));
        assertArrayEquals(new double[]{3, 1, 1}, ml.positives(), 0.0);
        assertEquals(4, ml.examples(), 0.0);
        DistributionBalancedLoss db = DistributionBalancedLoss.of(ml);
        assertArrayEquals(new double[]{3, 1, 1}, db.getClassCounts(), 0.0);
        assertEquals(4, db.getTrainNum(), 0.0);
    }

    @Test
    void labelsThatCannotBeCounted() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassCounts.of(iterator(new double[][]{{1, 0}, {1, 1}}, 2, null)));
        assertTrue(e.getMessage().contains("row 1 is not one-hot") && e.getMessage().contains("ClassCounts.multiLabel"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ClassCounts.multiLabel(iterator(new double[][]{{1, 0}, {0.3, 0.7}}, 2, null)));
        assertTrue(e.getMessage().contains("labels must be 0 or 1") && e.getMessage().contains("row 1"), e.getMessage());
        List<DataSet> seq = List.of(new DataSet(Nd4j.zeros(2, 1, 3), Nd4j.zeros(2, 2, 3)));
        e = assertThrows(IllegalArgumentException.class, () -> ClassCounts.of(new ListDataSetIterator<>(seq, 2)));
        assertTrue(e.getMessage().contains("shape [2, 2, 3]"), e.getMessage());
        INDArray features = Nd4j.zeros(1, 1);
        DataSetIterator once = new ListDataSetIterator<>(List.of(new DataSet(features, Nd4j.ones(1, 2)))) {
            @Override
            public boolean resetSupported() {
                return false;
            }
        };
        e = assertThrows(IllegalArgumentException.class, () -> ClassCounts.of(once));
        assertTrue(e.getMessage().contains("does not support reset()"), e.getMessage());
    }
}
