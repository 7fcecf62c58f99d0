package io.github.lossvariants.examples.bench;

import io.github.lossvariants.calibration.metrics.CalibrationMetrics;
import io.github.lossvariants.calibration.metrics.ReliabilityDiagram;
import io.github.lossvariants.calibration.scaling.TemperatureScaling;
import io.github.lossvariants.examples.data.DigitCanvas;
import io.github.lossvariants.examples.metrics.CalibrationBeforeAfter;
import io.github.lossvariants.examples.metrics.CalibrationBins;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

/**
 * Top-label calibration of a segmentation network's softmax pixels, collected batch by batch over
 * the test canvases, before and after one temperature (loss-calibration's
 * {@link TemperatureScaling} on the probabilities: softmax(log p / T) = softmax(z / T)). Every
 * test pixel counts (background included), one decision per pixel. The temperature is fitted on
 * every {@value #FIT_STRIDE}th pixel of the validation canvases. NLL is
 * {@link CalibrationMetrics#nll}'s definition, computed from the flat probability buffers:
 * {@code CalibrationMetrics.nll} and {@code TemperatureScaling.fit} read their inputs row by row
 * ({@code INDArray.toDoubleMatrix}, about 0.1 ms per row), minutes for the million test pixels;
 * the fit's subsample keeps its share to a few seconds.
 */
final class PixelCalibration {
    /** The temperature is fitted on pixel p of canvas c when p % FIT_STRIDE == c % FIT_STRIDE. */
    static final int FIT_STRIDE = 8;
    private final TemperatureScaling temperature;
    private final double[] confidence;
    private final double[] correct;
    private final double[] scaledConfidence;
    private final double[] scaledCorrect;
    private int raw;
    /** pixels of the batches added: the NLL denominator and the fill level of the scaled arrays */
    private int batchPixels;
    private double nllSum;
    private double scaledNllSum;

    /**
     * @param pixels      the number of pixels that will be added
     * @param temperature the scaling fitted on validation data
     */
    PixelCalibration(int pixels, TemperatureScaling temperature) {
        this.temperature = temperature;
        confidence = new double[pixels];
        correct = new double[pixels];
        scaledConfidence = new double[pixels];
        scaledCorrect = new double[pixels];
    }

    /** Adds one pixel's raw top-label confidence (its largest output probability) and whether its argmax is right. */
    void addTopLabel(double topProbability, boolean argmaxCorrect) {
        confidence[raw] = topProbability;
        correct[raw] = argmaxCorrect ? 1 : 0;
        raw++;
    }

    /**
     * Adds the NLL of a batch before and after scaling, and the top label after scaling.
     *
     * @param probabilities {@code [n, K, H, W]} softmax outputs
     * @param canvases      the canvases of the batch, for the truth
     * @param firstCanvas   the index of the batch's first canvas
     */
    void addBatch(INDArray probabilities, DigitCanvas canvases, int firstCanvas) {
        int k = (int) probabilities.size(1);
        INDArray rows = pixelRows(probabilities).castTo(DataType.DOUBLE);
        double[] p = rows.data().asDouble();
        double[] scaled = temperature.calibrateProbabilities(rows).dup('c').data().asDouble();
        int hw = canvases.height() * canvases.width();
        int first = firstCanvas * hw;
        for (int i = 0; i < p.length / k; i++) {
            int truth = canvases.masks()[first + i];
            nllSum -= Math.log(Math.max(p[i * k + truth], CalibrationMetrics.NLL_FLOOR));
            scaledNllSum -= Math.log(Math.max(scaled[i * k + truth], CalibrationMetrics.NLL_FLOOR));
            int top = 0;
            for (int c = 1; c < k; c++) {
                if (scaled[i * k + c] > scaled[i * k + top]) {
                    top = c;
                }
            }
            scaledConfidence[batchPixels] = scaled[i * k + top];
            scaledCorrect[batchPixels] = top == truth ? 1 : 0;
            batchPixels++;
        }
    }

    /** @return the equal-width reliability diagram of the raw outputs */
    ReliabilityDiagram rawDiagram() {
        return CalibrationBins.equalWidth(Arrays.copyOf(confidence, raw), Arrays.copyOf(correct, raw));
    }

    /** @return ECE, adaptive ECE and NLL per pixel before and after scaling */
    CalibrationBeforeAfter result() {
        double[] c = Arrays.copyOf(confidence, raw);
        double[] a = Arrays.copyOf(correct, raw);
        double[] cs = Arrays.copyOf(scaledConfidence, batchPixels);
        double[] as = Arrays.copyOf(scaledCorrect, batchPixels);
        return new CalibrationBeforeAfter(CalibrationBins.equalWidth(c, a).ece(), CalibrationBins.adaptiveEce(c, a),
                nllSum / batchPixels, temperature.temperature(), CalibrationBins.equalWidth(cs, as).ece(),
                CalibrationBins.adaptiveEce(cs, as), scaledNllSum / batchPixels);
    }

    /**
     * @param validation the validation canvases
     * @param outputs    the network's softmax outputs {@code [n, K, H, W]} of the validation canvases, batch by batch
     * @return the temperature fitted on every {@value #FIT_STRIDE}th pixel of the validation canvases
     */
    static TemperatureScaling fit(DigitCanvas validation, List<INDArray> outputs) {
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("No validation canvases to fit the temperature on");
        }
        int hw = validation.height() * validation.width();
        int k = (int) outputs.get(0).size(1);
        int capacity = validation.size() * (hw / FIT_STRIDE + 1);
        double[] rows = new double[capacity * k];
        double[] truth = new double[capacity];
        int n = 0;
        int canvas = 0;
        for (INDArray out : outputs) {
            double[] p = pixelRows(out).castTo(DataType.DOUBLE).data().asDouble();
            for (int i = 0; i < out.size(0); i++, canvas++) {
                for (int px = canvas % FIT_STRIDE; px < hw; px += FIT_STRIDE, n++) {
                    System.arraycopy(p, (i * hw + px) * k, rows, n * k, k);
                    truth[n] = validation.masks()[canvas * hw + px];
                }
            }
        }
        INDArray probabilities = Nd4j.createFromArray(Arrays.copyOf(rows, n * k)).reshape(n, k);
        return TemperatureScaling.fitOnProbabilities(probabilities, Nd4j.createFromArray(Arrays.copyOf(truth, n)));
    }

    /** @return {@code [n*H*W, K]} pixel rows of an {@code [n, K, H, W]} array, in CnnLossLayer's order */
    static INDArray pixelRows(INDArray nchw) {
        long k = nchw.size(1);
        return nchw.permute(0, 2, 3, 1).dup('c').reshape('c', nchw.length() / k, k);
    }

    /** @return the true class of every pixel of {@code count} canvases from {@code first}, {@code [count*H*W]} */
    static INDArray truth(DigitCanvas canvases, int first, int count) {
        int hw = canvases.height() * canvases.width();
        double[] t = new double[count * hw];
        for (int i = 0; i < t.length; i++) {
            t[i] = canvases.masks()[first * hw + i];
        }
        return Nd4j.createFromArray(t);
    }

}
