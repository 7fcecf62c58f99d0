package io.github.lossvariants.examples.bench;

import io.github.lossvariants.examples.metrics.BinaryMetrics;
import io.github.lossvariants.examples.metrics.MultiLabelMetrics;
import io.github.lossvariants.examples.report.BarCharts;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Evaluation and plots shared by the multi-label benchmarks (yeast, multimnist). */
final class MultiLabelEval {
    /** The metrics of the main tables of a multi-label benchmark. */
    static final List<String> HEADLINE = List.of("hamming_loss", "micro_f1", "macro_f1", "macro_map", "ranking_ap",
            "one_error", "coverage", "ranking_loss", "ece");
    /** The threshold-free metric of the verdict lines. */
    static final String PRIMARY = "macro_map";

    private MultiLabelEval() {
    }

    static void evaluate(CellResult r, String protocol, double[][] p, double[][] y) {
        Map<String, Double> m = r.protocol(protocol);
        m.putAll(MultiLabelMetrics.all(p, y));
        double[] ece = MultiLabelMetrics.perLabelEce(p, y);
        double[] ap = new double[ece.length];
        for (int j = 0; j < ece.length; j++) {
            ece[j] *= 100;
            ap[j] = BinaryMetrics.averagePrecision(MultiLabelMetrics.column(p, j), MultiLabelMetrics.column(y, j));
            m.put("ece_label" + (j + 1), ece[j]);
        }
        r.extra.put("label_ece", ece);
        r.extra.put("label_ap", ap);
        r.reliability.put(protocol, MultiLabelMetrics.pooledReliability(p, y));
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
