package io.github.lossvariants.examples.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Loaders for the two tabular benchmarks: imbalanced2d (CSV) and yeast (gzipped CSV). */
public final class CsvData {
    /** yeast: data rows 1-1500 are the training split, 1501-2417 the test split. */
    public static final int YEAST_TRAIN_ROWS = 1500;
    /** yeast: number of label columns (the first 14 columns). */
    public static final int YEAST_LABELS = 14;

    private CsvData() {
    }

    /**
     * @param dataDir the shared data folder
     * @return imbalanced2d: 2 features, one 0/1 target (1 = minority); train 4200 rows, test 1800
     */
    public static Tabular imbalanced2d(Path dataDir) {
        double[][] train = read(dataDir.resolve("imbalanced2d/imbalanced2d_train.csv"), "x1,x2,label");
        double[][] test = read(dataDir.resolve("imbalanced2d/imbalanced2d_test.csv"), "x1,x2,label");
        return new Tabular(cols(train, 0, 2), cols(train, 2, 3), cols(test, 0, 2), cols(test, 2, 3));
    }

    /**
     * @param dataDir the shared data folder
     * @return yeast with the standard split: 103 features, 14 labels; 1500 train rows, 917 test rows
     */
    public static Tabular yeast(Path dataDir) {
        double[][] all = read(dataDir.resolve("yeast/yeast.csv.gz"), "label1,");
        double[][] train = Arrays.copyOfRange(all, 0, YEAST_TRAIN_ROWS);
        double[][] test = Arrays.copyOfRange(all, YEAST_TRAIN_ROWS, all.length);
        int w = all[0].length;
        return new Tabular(cols(train, YEAST_LABELS, w), cols(train, 0, YEAST_LABELS), cols(test, YEAST_LABELS, w),
                cols(test, 0, YEAST_LABELS));
    }

    static double[][] read(Path file, String headerPrefix) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("Data file not found: " + file.toAbsolutePath());
        }
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null || !header.startsWith(headerPrefix)) {
                throw new IllegalStateException("Unexpected header in " + file + ": '" + header + "', expected it to start with '"
                        + headerPrefix + "'");
            }
            int width = header.split(",").length;
            List<double[]> rows = new ArrayList<>();
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(",");
                if (parts.length != width) {
                    throw new IllegalStateException(file + " line " + (rows.size() + 2) + ": " + parts.length + " fields, expected " + width);
                }
                double[] row = new double[width];
                for (int j = 0; j < width; j++) {
                    row[j] = Double.parseDouble(parts[j].trim());
                }
                rows.add(row);
            }
            return rows.toArray(new double[0][]);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    static double[][] cols(double[][] x, int from, int to) {
        double[][] o = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            o[i] = Arrays.copyOfRange(x[i], from, to);
        }
        return o;
    }
}
