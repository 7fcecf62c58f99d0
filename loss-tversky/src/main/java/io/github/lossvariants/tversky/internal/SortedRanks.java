package io.github.lossvariants.tversky.internal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.custom.BitCast;
import org.nd4j.linalg.api.ops.impl.transforms.custom.BitwiseAnd;
import org.nd4j.linalg.api.ops.impl.transforms.custom.BitwiseOr;
import org.nd4j.linalg.api.ops.impl.transforms.custom.CumSum;
import org.nd4j.linalg.api.ops.impl.transforms.custom.RShiftBits;
import org.nd4j.linalg.api.ops.impl.transforms.custom.ShiftBits;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The ranks the Lovász extension needs, for many lists at once: for every element of every row
 * ("list") of a {@code [T, L]} array of errors, its 0-based position in its list sorted by
 * decreasing error ({@code rank}) and the number of positive labels sorted before it
 * ({@code positivesBefore}), both returned in the original element order. Internal: not for public
 * use.
 *
 * <h2>How (ND4J has no argsort)</h2>
 * ND4J 1.0.0-M2.1 sorts the rows of an array natively ({@code Nd4j.sort}) but returns no
 * permutation, its {@code top_k} op is quadratic in k, and its gather and scatter ops cost more
 * than a sort. So the permutation travels inside the sort keys, 64-bit integers:
 * <ol>
 *   <li>the error, a non-negative double, as its IEEE bit pattern (for non-negative doubles the
 *       order of the patterns as integers is the order of the values), with the lowest
 *       b + 1 bits replaced by the label (1 bit) and the element's index in its list (b bits,
 *       2^b &gt;= L). Negative errors (and -0.0) become 0: they sort last, where the Lovász hinge's
 *       relu gives them no weight. One native sort per row, descending. Equal errors, and errors
 *       that agree in all but the lowest b + 1 bits of the 52-bit mantissa (a relative difference
 *       below 2^(b - 51), 2^-35 for 65536 positions), are ordered positives first, then by
 *       decreasing index: ties of the sort, where any order is a valid permutation;</li>
 *   <li>in sorted order the labels give, by an exclusive cumulative sum, the positives before each
 *       position; a second key {@code index << 2b | rank << b | positivesBefore}, sorted ascending,
 *       brings both back to the original order.</li>
 * </ol>
 * Everything is element-wise except the two sorts and the cumulative sum; no Java loop touches the
 * elements. Limit: 3b &lt;= 63, so at most {@value #MAX_LIST_LENGTH} elements per list.
 */
public final class SortedRanks {
    /** The longest list the 64-bit keys can carry: 2^21 elements. */
    public static final long MAX_LIST_LENGTH = 1L << 21;

    /** {@code [T, L]} 0-based position of each element in its list sorted by decreasing error. */
    public final INDArray rank;
    /** {@code [T, L]} number of positive labels sorted before each element. */
    public final INDArray positivesBefore;

    private SortedRanks(INDArray rank, INDArray positivesBefore) {
        this.rank = rank;
        this.positivesBefore = positivesBefore;
    }

    /**
     * @param errors {@code [T, L]} DOUBLE errors, 'c' order; read only. Negative values count as 0
     * @param labels {@code [T, L]} DOUBLE labels, each exactly 0 or 1; read only
     * @return ranks and positives before, {@code [T, L]} DOUBLE, in the original element order
     * @throws IllegalArgumentException when L exceeds {@link #MAX_LIST_LENGTH} or a type is not DOUBLE
     */
    public static SortedRanks of(INDArray errors, INDArray labels) {
        if (errors.dataType() != DataType.DOUBLE || labels.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException("errors and labels must be DOUBLE, got " + errors.dataType() + " and "
                    + labels.dataType());
        }
        long length = errors.size(1);
        if (length > MAX_LIST_LENGTH) {
            throw new IllegalArgumentException("at most " + MAX_LIST_LENGTH + " elements per list, got " + length);
        }
        int b = Math.max(1, 64 - Long.numberOfLeadingZeros(length - 1)); // 2^b >= length
        INDArray index = Nd4j.arange(0, length).castTo(DataType.LONG).reshape(1, length);

        // 1. key = error bits with the low b+1 bits replaced by (label, index); sort each row descending
        INDArray key = Nd4j.exec(new BitCast(errors, DataType.LONG))[0];
        Transforms.max(key, 0, false);
        shiftRight(key, b + 1);
        shiftLeft(key, b + 1);
        INDArray labelBit = labels.castTo(DataType.LONG);
        shiftLeft(labelBit, b);
        or(or(key, labelBit), index);
        Nd4j.sort(key, 1, false);

        // 2. in sorted order: positives before each position, then back to the original order
        INDArray sortedLabels = and(shiftRight(key.dup(), b), 1L).castTo(DataType.DOUBLE);
        INDArray before = Nd4j.exec(new CumSum(sortedLabels, true, false, 1))[0].castTo(DataType.LONG);
        INDArray back = shiftLeft(and(key, (1L << b) - 1), 2 * b);          // original index << 2b
        INDArray rankBits = shiftLeft(index.dup(), b);                       // sorted position << b
        or(or(back, rankBits), before);
        Nd4j.sort(back, 1, true);

        INDArray positivesBefore = and(back.dup(), (1L << b) - 1).castTo(DataType.DOUBLE);
        INDArray rank = and(shiftRight(back, b), (1L << b) - 1).castTo(DataType.DOUBLE);
        return new SortedRanks(rank, positivesBefore);
    }

    private static INDArray shiftLeft(INDArray x, int bits) {
        return Nd4j.exec(new ShiftBits(x, Nd4j.scalar(DataType.LONG, (long) bits), x))[0];
    }

    private static INDArray shiftRight(INDArray x, int bits) {
        return Nd4j.exec(new RShiftBits(x, Nd4j.scalar(DataType.LONG, (long) bits), x))[0];
    }

    private static INDArray and(INDArray x, long bits) {
        return Nd4j.exec(new BitwiseAnd(x, Nd4j.scalar(DataType.LONG, bits), x))[0];
    }

    /** x |= y (y broadcast when it is a row). */
    private static INDArray or(INDArray x, INDArray y) {
        return Nd4j.exec(new BitwiseOr(x, y, x))[0];
    }
}
