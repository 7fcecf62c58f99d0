package io.github.lossvariants.examples.bench;

import io.github.lossvariants.examples.data.DigitCanvas;
import io.github.lossvariants.examples.data.Mnist;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Train, validation and test canvases for the MNIST benchmarks: training canvases are composed
 * from the MNIST training digits, validation canvases from the MNIST training digits that no
 * training canvas uses, test canvases from the t10k digits, each with its own fixed generator
 * seed. The validation canvases are generated after and apart from the training canvases, so the
 * training and test canvases are the same with or without them; they are only used to fit the
 * temperature of the calibration table.
 *
 * @param train      the training canvases
 * @param validation the validation canvases (no digit shared with {@code train} or {@code test})
 * @param test       the test canvases
 */
record CanvasSets(DigitCanvas train, DigitCanvas validation, DigitCanvas test) {

    /** Generator seeds of the three sets. */
    record Seeds(long train, long validation, long test) {
    }

    /** Sizes of the three sets. */
    record Sizes(int train, int validation, int test) {
    }

    static CanvasSets generate(RunSettings s, Sizes sizes, Seeds seeds) {
        Path dir = Mnist.locate(s.mnistDir(), s.dataDir());
        Mnist tr = Mnist.read(dir, true);
        Mnist te = Mnist.read(dir, false);
        DigitCanvas train = DigitCanvas.compose(tr, sizes.train(), seeds.train());
        DigitCanvas validation = DigitCanvas.composeWithout(tr, train, sizes.validation(), seeds.validation());
        return new CanvasSets(train, validation, DigitCanvas.compose(te, sizes.test(), seeds.test()));
    }

    /** @return the indices from..to-1 */
    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    /** @return the images at the indices as {@code [n, 1, H, W]} */
    static INDArray images(DigitCanvas c, int[] idx) {
        int hw = c.height() * c.width();
        float[] buf = new float[idx.length * hw];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(c.images(), idx[i] * hw, buf, i * hw, hw);
        }
        return Nd4j.create(buf, new long[]{idx.length, 1, c.height(), c.width()}, 'c');
    }

    /** @return the one-hot masks at the indices as {@code [n, 11, H, W]} */
    static INDArray oneHotMasks(DigitCanvas c, int[] idx) {
        int hw = c.height() * c.width();
        int k = DigitCanvas.CLASSES;
        float[] buf = new float[idx.length * k * hw];
        for (int i = 0; i < idx.length; i++) {
            int base = i * k * hw;
            int src = idx[i] * hw;
            for (int p = 0; p < hw; p++) {
                buf[base + c.masks()[src + p] * hw + p] = 1f;
            }
        }
        return Nd4j.create(buf, new long[]{idx.length, k, c.height(), c.width()}, 'c');
    }

    /** @return the digit-set targets at the indices as {@code [n, 10]} */
    static INDArray labelSets(DigitCanvas c, int[] idx) {
        float[] buf = new float[idx.length * 10];
        for (int i = 0; i < idx.length; i++) {
            for (int d = 0; d < 10; d++) {
                buf[i * 10 + d] = c.present()[idx[i]][d] ? 1f : 0f;
            }
        }
        return Nd4j.create(buf, new long[]{idx.length, 10}, 'c');
    }

    /** @return a permutation of 0..n-1 from the seed (Fisher-Yates with SplittableRandom) */
    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
