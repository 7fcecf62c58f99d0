package io.github.lossvariants.examples.bench;

import io.github.lossvariants.calibration.scaling.TemperatureScaling;
import io.github.lossvariants.examples.data.DigitCanvas;
import io.github.lossvariants.examples.metrics.CalibrationBeforeAfter;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pixel calibration of the segmentation benchmark on small hand-made outputs. */
class PixelCalibrationTest {

    /** Two 2x2 canvases; the masks are the true classes 0-2. */
    static final DigitCanvas CANVASES = new DigitCanvas(new float[8], new byte[]{0, 1, 2, 0, 2, 2, 1, 0},
            new boolean[2][10], 2, 2, new int[0]);

    /** {@code [2, 3, 2, 2]} softmax-like outputs: pixel (n, h, w) puts 0.7 on class (n + h + w) % 3, 0.2 and 0.1 on the others. */
    static INDArray outputs() {
        INDArray out = Nd4j.create(DataType.FLOAT, 2, 3, 2, 2);
        for (int n = 0; n < 2; n++) {
            for (int h = 0; h < 2; h++) {
                for (int w = 0; w < 2; w++) {
                    int top = (n + h + w) % 3;
                    out.putScalar(new int[]{n, top, h, w}, 0.7);
                    out.putScalar(new int[]{n, (top + 1) % 3, h, w}, 0.2);
                    out.putScalar(new int[]{n, (top + 2) % 3, h, w}, 0.1);
                }
            }
        }
        return out;
    }

    @Test
    void pixelRowsFollowCnnLossLayersRowOrder() {
        INDArray nchw = Nd4j.create(DataType.DOUBLE, 2, 3, 2, 2);
        for (int n = 0; n < 2; n++) {
            for (int k = 0; k < 3; k++) {
                for (int h = 0; h < 2; h++) {
                    for (int w = 0; w < 2; w++) {
                        nchw.putScalar(new int[]{n, k, h, w}, n * 100 + k * 10 + h * 2 + w);
                    }
                }
            }
        }
        double[][] rows = PixelCalibration.pixelRows(nchw).toDoubleMatrix();
        assertEquals(8, rows.length);
        // row = n*H*W + h*W + w, column = class
        assertArrayEquals(new double[]{103, 113, 123}, rows[1 * 4 + 1 * 2 + 1], 0);
        assertArrayEquals(new double[]{2, 12, 22}, rows[2], 0);
        assertArrayEquals(new double[]{0, 1, 2, 0, 2, 2, 1, 0}, PixelCalibration.truth(CANVASES, 0, 2).toDoubleVector(), 0);
    }

    @Test
    void withUnitTemperatureTheScaledValuesEqualTheRawOnes() {
        INDArray out = outputs();
        PixelCalibration c = new PixelCalibration(8, new TemperatureScaling(1));
        double nll = 0;
        for (int n = 0; n < 2; n++) {
            for (int h = 0; h < 2; h++) {
                for (int w = 0; w < 2; w++) {
                    int truth = CANVASES.masks()[n * 4 + h * 2 + w];
                    int top = (n + h + w) % 3;
                    c.addTopLabel(0.7f, top == truth);
                    nll -= Math.log(out.getDouble(n, truth, h, w));
                }
            }
        }
        c.addBatch(out, CANVASES, 0);
        CalibrationBeforeAfter r = c.result();
        assertEquals(nll / 8, r.nll(), 1e-6);
        assertEquals(r.nll(), r.nllScaled(), 1e-6);
        assertEquals(r.ece(), r.eceScaled(), 1e-6);
        assertEquals(r.adaptiveEce(), r.adaptiveEceScaled(), 1e-6);
        assertEquals(1.0, r.temperature());
        // every pixel has confidence 0.7; 4 of the 8 top classes are right: ECE |0.7 - 4/8|
        assertEquals(0.2, r.ece(), 1e-6);
        assertEquals(8, c.rawDiagram().count(10));
    }

    @Test
    void theTemperatureIsFittedOnEveryEighthPixel() {
        // two 4x8 canvases with truth px % 3. The pixels the fit uses (px % 8 == canvas % 8) are right and
        // under-confident (0.6 on the truth): alone they call for a sharper softmax, T < 1. Every other pixel is
        // confidently wrong (0.9 on another class), which would call for T > 1 if the fit used it.
        int hw = 32;
        byte[] masks = new byte[2 * hw];
        INDArray out = Nd4j.create(DataType.FLOAT, 2, 3, 4, 8);
        for (int c = 0; c < 2; c++) {
            for (int px = 0; px < hw; px++) {
                int truth = px % 3;
                masks[c * hw + px] = (byte) truth;
                boolean fitted = px % PixelCalibration.FIT_STRIDE == c % PixelCalibration.FIT_STRIDE;
                for (int k = 0; k < 3; k++) {
                    double v = fitted ? (k == truth ? 0.6 : 0.2) : (k == (truth + 1) % 3 ? 0.9 : 0.05);
                    out.putScalar(new int[]{c, k, px / 8, px % 8}, v);
                }
            }
        }
        DigitCanvas canvases = new DigitCanvas(new float[2 * hw], masks, new boolean[2][10], 4, 8, new int[0]);
        TemperatureScaling t = PixelCalibration.fit(canvases, List.of(out));
        assertTrue(t.temperature() < 1, "T = " + t.temperature());
    }
}
