package io.github.lossvariants.examples.bench;

import io.github.lossvariants.examples.metrics.BinaryMetrics;
import io.github.lossvariants.examples.metrics.CalibrationBeforeAfter;
import io.github.lossvariants.examples.metrics.CalibrationBins;
import io.github.lossvariants.examples.metrics.Metric;
import io.github.lossvariants.examples.metrics.Metrics;
import io.github.lossvariants.examples.metrics.MultiLabelMetrics;
import io.github.lossvariants.examples.metrics.SigmoidTemperature;
import io.github.lossvariants.examples.report.BarCharts;
import io.github.lossvariants.longtail.ClassCounts;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Evaluation and plots shared by the multi-label benchmarks (yeast, multimnist). */
final class MultiLabelEval {
    /** The metrics of the main tables of a multi-label benchmark. */
    static final List<Metric> HEADLINE = List.of(Metrics.HAMMING_LOSS, Metrics.MICRO_F1, Metrics.MACRO_F1,
            Metrics.MACRO_MAP, Metrics.RANKING_AP, Metrics.ONE_ERROR, Metrics.COVERAGE, Metrics.RANKING_LOSS, Metrics.ECE);
    /** The threshold-free metric of the verdict lines. */
    static final Metric PRIMARY = Metrics.MACRO_MAP;

    /** The losses every multi-label benchmark compares besides its own: the multi-label long-tail family. */
    static final List<String> LONG_TAIL_LOSSES = List.of("distribution-balanced", "two-way", "poly-focal");

    private MultiLabelEval() {
    }

    /**
     * The parameters of {@link io.github.lossvariants.examples.bench.Benchmark#dataParameters()} for multi-label
     * training labels: {@code classCounts} (positives per label) and {@code trainNum} (examples), counted by
     * loss-longtail's {@link ClassCounts#multiLabel} (what {@code distribution-balanced} needs).
     *
     * @param labels the 0/1 training labels {@code [examples, labels]}
     */
    static Map<String, Object> countedParameters(INDArray labels) {
        // ClassCounts reads the labels only: one feature column stands in for the inputs
        DataSet all = new DataSet(Nd4j.zeros(DataType.FLOAT, labels.size(0), 1), labels);
        ClassCounts.MultiLabel counts = ClassCounts.multiLabel(new ListDataSetIterator<>(all.batchBy(1024)));
        return Map.of("classCounts", counts.positives(), "trainNum", counts.examples());
    }

    /**
     * Fills a protocol's metrics, per-label values and plots data from the test predictions.
     *
     * @param p      sigmoid outputs of the network {@code [n][L]}
     * @param logits the output layer's pre-activations of the same rows, for NLL and temperature scaling
     * @param y      0/1 labels
     * @param scaled the same predictions after temperature scaling (see {@link SigmoidTemperature})
     */
    static void evaluate(CellResult r, String protocol, double[][] p, double[][] logits, double[][] y,
                         SigmoidTemperature.Scaled scaled) {
        Map<String, Double> m = r.protocol(protocol);
        m.putAll(MultiLabelMetrics.all(p, y));
        double[] ece = CalibrationBins.perLabelEce(p, y);
        double[] ap = new double[ece.length];
        for (int j = 0; j < ece.length; j++) {
            ece[j] *= 100;
            ap[j] = BinaryMetrics.averagePrecision(MultiLabelMetrics.column(p, j), MultiLabelMetrics.column(y, j));
            m.put(Metrics.labelEce(j + 1).name(), ece[j]);
        }
        new CalibrationBeforeAfter(CalibrationBins.multiLabelEce(p, y), CalibrationBins.multiLabelAdaptiveEce(p, y),
                SigmoidTemperature.nll(logits, y, SigmoidTemperature.IDENTITY), scaled.temperature(),
                CalibrationBins.multiLabelEce(scaled.probabilities(), y),
                CalibrationBins.multiLabelAdaptiveEce(scaled.probabilities(), y), scaled.nll())
                .putInto(m, Metrics.CALIBRATION);
        r.extra.put("label_ece", ece);
        r.extra.put("label_ap", ap);
        r.reliability.put(protocol, CalibrationBins.toCellBins(CalibrationBins.pooled(p, y)));
        r.pr.put(protocol, BinaryMetrics.prCurve(MultiLabelMetrics.flatten(p), MultiLabelMetrics.flatten(y), 300));
    }

    static String plots(List<CellResult> cells, List<String> losses, Path out, String name, String[] labelNames)
            throws IOException {
        boolean a = BarCharts.perLabel(out.resolve("per_label_ece.png"), name + ": per-label ECE x100 (mean over seeds)",
                "ECE x100", cells, losses, "label_ece", labelNames);
        boolean b = BarCharts.perLabel(out.resolve("per_label_ap.png"), name + ": per-label average precision (mean over seeds)",
                "AP", cells, losses, "label_ap", labelNames);
        StringBuilder md = new StringBuilder();
        if (a) {
            md.append("![per-label ECE](per_label_ece.png)\n\n");
        }
        if (b) {
            md.append("![per-label AP](per_label_ap.png)\n\n");
        }
        md.append("The reliability diagram of a multi-label benchmark pools all (sample, label) pairs in the "
                + "positive-class form (confidence = p, outcome = label); the PR curve is micro-averaged.\n");
        return md.toString();
    }
}
