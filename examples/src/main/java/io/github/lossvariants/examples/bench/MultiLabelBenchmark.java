package io.github.lossvariants.examples.bench;

import io.github.lossvariants.examples.metrics.Metric;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A multi-label benchmark (yeast, multimnist): sigmoid outputs, baseline {@code bce}, the
 * multi-label metrics of {@link MultiLabelEval}, per-label ECE and AP bar charts.
 */
interface MultiLabelBenchmark extends Benchmark {

    /** @return the label names of the bar charts, in output order */
    String[] labelNames();

    @Override
    default String baseline() {
        return "bce";
    }

    @Override
    default List<Metric> headlineMetrics() {
        return MultiLabelEval.HEADLINE;
    }

    @Override
    default Metric primaryMetric() {
        return MultiLabelEval.PRIMARY;
    }

    @Override
    default String writeSpecificPlots(List<CellResult> cells, List<String> losses, Path outDir) throws IOException {
        return MultiLabelEval.plots(cells, losses, outDir, name(), labelNames());
    }
}
