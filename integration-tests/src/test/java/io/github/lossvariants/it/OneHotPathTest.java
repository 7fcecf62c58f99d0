package io.github.lossvariants.it;

import io.github.lossvariants.api.LossFunction;
import io.github.lossvariants.api.LossRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Softmax losses take a per-row path when every label row is one-hot and the element-wise path
 * otherwise (see {@code SoftmaxElementwiseLoss.hasTargetForm}). One soft row appended to a batch
 * of one-hot rows sends the whole batch down the element-wise path, so the two paths can be
 * compared on the same one-hot rows: per-row scores and gradient rows must agree, with and
 * without a per-row mask, at ordinary and extreme logits. (adafocal and dual-focal accept only
 * one-hot labels, so they have one path; the conformance vectors and gradient checks cover it.)
 */
class OneHotPathTest {
    private static final int ROWS = 23;
    private static final int CLASSES = 5;

    @ParameterizedTest
    @ValueSource(strings = {"softmax-focal", "softmax-focal(gamma=0)", "softmax-focal(gamma=1)",
            "softmax-focal(gamma=0.5)", "softmax-focal(gamma=3, classWeights=[0.2, 1, 2, 0.5, 1])",
            "focal-adaptive", "focal-adaptive(gamma=4)"})
    void oneHotRowsScoreAndGradientAsOnTheElementWisePath(String spec) {
        LossFunction loss = LossRegistry.discover().create(spec);
        Random rng = new Random(11);
        INDArray z = Nd4j.create(DataType.DOUBLE, ROWS + 1, CLASSES);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, ROWS + 1, CLASSES);
        for (int r = 0; r < ROWS + 1; r++) {
            double scale = r < 4 ? 60 : 4; // the first rows far apart: p_t near 0 and near 1
            for (int c = 0; c < CLASSES; c++) {
                z.putScalar(r, c, scale * rng.nextGaussian());
            }
            y.putScalar(r, rng.nextInt(CLASSES), 1.0);
        }
        y.getRow(ROWS - 1).assign(0.0); // an all-zero (padding) row
        y.getRow(ROWS).assign(Nd4j.createFromArray(0.5, 0.25, 0.25, 0.0, 0.0));
        INDArray mixedZ = z;
        INDArray mixedY = y;
        INDArray oneHotZ = z.get(NDArrayIndex.interval(0, ROWS), NDArrayIndex.all()).dup();
        INDArray oneHotY = y.get(NDArrayIndex.interval(0, ROWS), NDArrayIndex.all()).dup();
        INDArray mask = Nd4j.create(DataType.DOUBLE, ROWS + 1, 1);
        for (int r = 0; r < ROWS + 1; r++) {
            mask.putScalar(r, 0, r == 2 ? 0.0 : rng.nextDouble());
        }
        for (INDArray m : new INDArray[]{null, mask}) {
            INDArray oneHotMask = m == null ? null : m.get(NDArrayIndex.interval(0, ROWS), NDArrayIndex.all()).dup();
            INDArray scoresFast = loss.computeScoreArray(oneHotY, oneHotZ, new ActivationSoftmax(), oneHotMask);
            INDArray gradFast = loss.computeGradient(oneHotY, oneHotZ, new ActivationSoftmax(), oneHotMask);
            INDArray scoresGeneral = loss.computeScoreArray(mixedY, mixedZ, new ActivationSoftmax(), m);
            INDArray gradGeneral = loss.computeGradient(mixedY, mixedZ, new ActivationSoftmax(), m);
            for (int r = 0; r < ROWS; r++) {
                String at = spec + (m == null ? "" : " with mask") + ", row " + r;
                assertClose(scoresGeneral.getDouble(r, 0), scoresFast.getDouble(r, 0), "score " + at);
                for (int c = 0; c < CLASSES; c++) {
                    assertClose(gradGeneral.getDouble(r, c), gradFast.getDouble(r, c), "gradient " + at + ", class " + c);
                }
            }
        }
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-12 + 1e-9 * Math.abs(expected), what);
    }
}
