package io.github.lossvariants.examples.data;

import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * M2NIST-style composition of real MNIST digits on a blank canvas (recipe in DATASETS.md), used
 * both for segmentation (per-pixel class masks) and for the multi-digit multi-label set.
 *
 * <p>One {@link SplittableRandom} seeded with the given seed drives every choice, in this order per
 * sample: the number of digits {@code k = minDigits + nextInt(maxDigits - minDigits + 1)},
 * then for each digit its source index {@code pool[nextInt(pool.length)]} (the pool is every
 * source digit unless a subset is given), its top row {@code nextInt(H - 27)} and its left column
 * {@code nextInt(W - 27)}. The image is the pixel-wise maximum of the placed
 * digits, scaled to [0, 1]. The mask is 0 (background) except where a placed digit's pixel exceeds
 * 127, where it is that digit's label + 1 (classes 1-10).
 *
 * <p><b>Overlap rule:</b> digits are painted in placement order and <em>the later digit wins</em>:
 * a pixel above 127 in a later digit overwrites the class of an earlier one; pixels of a later
 * digit at or below 127 leave the earlier class untouched. A digit that appears twice counts once
 * in the multi-label target.
 *
 * @param images  {@code [n * H * W]} pixel values in [0, 1], row-major per image
 * @param masks   {@code [n * H * W]} classes 0-10
 * @param present {@code [n][10]} whether each digit occurs on the canvas
 * @param height  canvas height
 * @param width   canvas width
 * @param digits  the source index of every placed digit, canvas by canvas in placement order
 */
public record DigitCanvas(float[] images, byte[] masks, boolean[][] present, int height, int width, int[] digits) {
    /** Canvas height of the M2NIST benchmark. */
    public static final int HEIGHT = 64;
    /** Canvas width of the M2NIST benchmark. */
    public static final int WIDTH = 84;
    /** Number of classes incl. background. */
    public static final int CLASSES = 11;

    /** @return number of canvases */
    public int size() {
        return present.length;
    }

    /**
     * Composes {@code n} canvases of {@link #HEIGHT} x {@link #WIDTH} with 1-3 digits each.
     *
     * @param source the MNIST digits to draw from (training digits for a training set)
     * @param n      number of canvases
     * @param seed   the generator seed
     * @return the canvases
     */
    public static DigitCanvas compose(Mnist source, int n, long seed) {
        return compose(source, n, seed, HEIGHT, WIDTH, 1, 3);
    }

    /** Composes {@code n} canvases of the given size with {@code minDigits..maxDigits} digits each. */
    public static DigitCanvas compose(Mnist source, int n, long seed, int height, int width, int minDigits, int maxDigits) {
        int[] all = new int[source.labels().length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return compose(source, all, n, seed, height, width, minDigits, maxDigits);
    }

    /**
     * Composes {@code n} canvases of {@link #HEIGHT} x {@link #WIDTH} with 1-3 digits each from the source
     * digits no canvas of {@code others} uses (e.g. validation canvases beside the training canvases, from
     * the same MNIST split without sharing a digit).
     */
    public static DigitCanvas composeWithout(Mnist source, DigitCanvas others, int n, long seed) {
        BitSet used = new BitSet(source.labels().length);
        for (int d : others.digits()) {
            used.set(d);
        }
        int[] pool = new int[source.labels().length - used.cardinality()];
        int k = 0;
        for (int i = used.nextClearBit(0); i < source.labels().length; i = used.nextClearBit(i + 1)) {
            pool[k++] = i;
        }
        return compose(source, pool, n, seed, HEIGHT, WIDTH, 1, 3);
    }

    private static DigitCanvas compose(Mnist source, int[] pool, int n, long seed, int height, int width, int minDigits,
                                       int maxDigits) {
        int dr = source.rows();
        int dc = source.cols();
        if (height < dr || width < dc || minDigits < 1 || maxDigits < minDigits) {
            throw new IllegalArgumentException("Invalid canvas " + height + "x" + width + " with " + minDigits + "-" + maxDigits + " digits");
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int hw = height * width;
        float[] images = new float[n * hw];
        byte[] masks = new byte[n * hw];
        boolean[][] present = new boolean[n][10];
        if (pool.length == 0) {
            throw new IllegalArgumentException("No source digit left to compose canvases from");
        }
        int[] digits = new int[n * maxDigits];
        int placed = 0;
        for (int s = 0; s < n; s++) {
            int k = minDigits + rnd.nextInt(maxDigits - minDigits + 1);
            int base = s * hw;
            for (int d = 0; d < k; d++) {
                int idx = pool[rnd.nextInt(pool.length)];
                digits[placed++] = idx;
                int top = rnd.nextInt(height - dr + 1);
                int left = rnd.nextInt(width - dc + 1);
                int[] px = source.images()[idx];
                int label = source.labels()[idx];
                present[s][label] = true;
                for (int r = 0; r < dr; r++) {
                    int rowBase = base + (top + r) * width + left;
                    for (int c = 0; c < dc; c++) {
                        int v = px[r * dc + c];
                        float f = v / 255f;
                        int at = rowBase + c;
                        if (f > images[at]) {
                            images[at] = f;
                        }
                        if (v > 127) {
                            masks[at] = (byte) (label + 1);
                        }
                    }
                }
            }
        }
        return new DigitCanvas(images, masks, present, height, width, Arrays.copyOf(digits, placed));
    }

    /** @return CRC32 of the masks followed by the images' float bits, for determinism checks */
    public long crc32() {
        CRC32 crc = new CRC32();
        crc.update(masks);
        byte[] b = new byte[4];
        for (float f : images) {
            int bits = Float.floatToIntBits(f);
            b[0] = (byte) (bits >>> 24);
            b[1] = (byte) (bits >>> 16);
            b[2] = (byte) (bits >>> 8);
            b[3] = (byte) bits;
            crc.update(b);
        }
        return crc.getValue();
    }

    /** @return fraction of pixels per class (index 0 = background) */
    public double[] classFractions() {
        double[] f = new double[CLASSES];
        for (byte m : masks) {
            f[m]++;
        }
        for (int i = 0; i < f.length; i++) {
            f[i] /= masks.length;
        }
        return f;
    }

    /** @return the multi-label targets {@code [n][10]} as 0/1 */
    public double[][] labelSets() {
        double[][] y = new double[present.length][10];
        for (int i = 0; i < present.length; i++) {
            for (int j = 0; j < 10; j++) {
                y[i][j] = present[i][j] ? 1 : 0;
            }
        }
        return y;
    }
}
