package io.github.lossvariants.examples.report;

import io.github.lossvariants.examples.bench.CellResult;
import io.github.lossvariants.examples.metrics.Stats;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The common XChart plots: reliability diagrams, PR curves and training curves. */
public final class Plots {
    private Plots() {
    }

    static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(720).height(480).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setChartTitleFont(c.getStyler().getChartTitleFont().deriveFont(14f));
        c.getStyler().setLegendFont(c.getStyler().getLegendFont().deriveFont(10f));
        c.getStyler().setMarkerSize(5);
        return c;
    }

    static void save(XYChart chart, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        String name = file.toString();
        BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
                BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * Reliability diagram of one protocol: per loss the bins pooled over seeds (accuracy against
     * mean confidence of the non-empty bins), with the diagonal.
     */
    public static boolean reliability(Path file, String title, List<CellResult> cells, List<String> losses,
                                      String protocol, String xTitle, String yTitle) throws IOException {
        XYChart c = chart(title, xTitle, yTitle);
        c.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        XYSeries diag = c.addSeries("perfect calibration", new double[]{0, 1}, new double[]{0, 1});
        diag.setMarker(SeriesMarkers.NONE);
        boolean any = false;
        for (String l : losses) {
            double[] conf = null;
            double[] acc = null;
            double[] cnt = null;
            for (CellResult r : cells) {
                double[][] bins = r.loss.equals(l) ? r.reliability.get(protocol) : null;
                if (bins == null) {
                    continue;
                }
                if (conf == null) {
                    conf = new double[bins.length];
                    acc = new double[bins.length];
                    cnt = new double[bins.length];
                }
                for (int b = 0; b < bins.length; b++) {
                    conf[b] += bins[b][0] * bins[b][2];
                    acc[b] += bins[b][1] * bins[b][2];
                    cnt[b] += bins[b][2];
                }
            }
            if (conf == null) {
                continue;
            }
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int b = 0; b < conf.length; b++) {
                if (cnt[b] > 0) {
                    xs.add(conf[b] / cnt[b]);
                    ys.add(acc[b] / cnt[b]);
                }
            }
            if (!xs.isEmpty()) {
                c.addSeries(l, xs, ys);
                any = true;
            }
        }
        if (any) {
            save(c, file);
        }
        return any;
    }

    /** PR curves of one protocol, first seed of every loss. */
    public static boolean pr(Path file, String title, List<CellResult> cells, List<String> losses, String protocol)
            throws IOException {
        XYChart c = chart(title, "recall", "precision");
        c.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        boolean any = false;
        for (String l : losses) {
            Optional<CellResult> first = cells.stream().filter(r -> r.loss.equals(l) && r.pr.containsKey(protocol))
                    .min(Comparator.comparingInt(r -> r.seed));
            if (first.isEmpty()) {
                continue;
            }
            double[][] pts = first.get().pr.get(protocol);
            double[] x = new double[pts.length];
            double[] y = new double[pts.length];
            for (int i = 0; i < pts.length; i++) {
                x[i] = pts[i][0];
                y[i] = pts[i][1];
            }
            XYSeries s = c.addSeries(l + " (seed " + first.get().seed + ")", x, y);
            s.setMarker(SeriesMarkers.NONE);
            any = true;
        }
        if (any) {
            save(c, file);
        }
        return any;
    }

    /** A training curve: per loss the mean over seeds of the named per-epoch values. */
    public static boolean curve(Path file, String title, String yTitle, List<CellResult> cells, List<String> losses,
                                String curve, boolean logY) throws IOException {
        XYChart c = chart(title, "epoch", yTitle);
        c.getStyler().setYAxisLogarithmic(logY);
        boolean any = false;
        for (String l : losses) {
            List<double[]> runs = cells.stream().filter(r -> r.loss.equals(l) && r.curves.containsKey(curve))
                    .map(r -> r.curves.get(curve)).toList();
            if (runs.isEmpty()) {
                continue;
            }
            int n = runs.stream().mapToInt(a -> a.length).min().orElse(0);
            double[] x = new double[n];
            double[] y = new double[n];
            boolean ok = n > 0;
            for (int e = 0; e < n; e++) {
                double[] v = new double[runs.size()];
                for (int k = 0; k < runs.size(); k++) {
                    v[k] = runs.get(k)[e];
                }
                x[e] = e + 1;
                y[e] = Stats.mean(v);
                ok &= Double.isFinite(y[e]) && (!logY || y[e] > 0);
            }
            if (!ok) {
                continue;
            }
            XYSeries s = c.addSeries(l, x, y);
            s.setMarker(n > 40 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            any = true;
        }
        if (any) {
            save(c, file);
        }
        return any;
    }
}
