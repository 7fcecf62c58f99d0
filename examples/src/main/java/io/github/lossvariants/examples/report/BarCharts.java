package io.github.lossvariants.examples.report;

import io.github.lossvariants.examples.bench.CellResult;
import io.github.lossvariants.examples.metrics.Stats;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Grouped bar charts (XChart) of per-label values. */
public final class BarCharts {
    private BarCharts() {
    }

    /** One group per label, one bar per loss: the mean over seeds of {@code extra[key][label]}. */
    public static boolean perLabel(Path file, String title, String yTitle, List<CellResult> cells, List<String> losses,
                                   String key, String[] labelNames) throws IOException {
        return perLabel(file, title, "label", yTitle, cells, losses, key, labelNames);
    }

    /** As {@link #perLabel(Path, String, String, List, List, String, String[])}, with the x axis titled {@code xTitle}. */
    public static boolean perLabel(Path file, String title, String xTitle, String yTitle, List<CellResult> cells,
                                   List<String> losses, String key, String[] labelNames) throws IOException {
        CategoryChart c = new CategoryChartBuilder().width(900).height(480).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        c.getStyler().setLegendFont(c.getStyler().getLegendFont().deriveFont(10f));
        c.getStyler().setOverlapped(false);
        boolean any = false;
        for (String l : losses) {
            List<double[]> runs = cells.stream().filter(r -> r.loss.equals(l) && r.extra.containsKey(key))
                    .map(r -> r.extra.get(key)).toList();
            if (runs.isEmpty()) {
                continue;
            }
            int n = runs.get(0).length;
            List<Double> ys = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                double[] v = new double[runs.size()];
                for (int k = 0; k < runs.size(); k++) {
                    v[k] = runs.get(k)[j];
                }
                double m = Stats.mean(v);
                ys.add(Double.isFinite(m) ? m : 0.0);
            }
            c.addSeries(l, Arrays.asList(labelNames).subList(0, n), ys);
            any = true;
        }
        if (any) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            String name = file.toString();
            BitmapEncoder.saveBitmap(c, name.substring(0, name.length() - 4), BitmapEncoder.BitmapFormat.PNG);
        }
        return any;
    }
}
