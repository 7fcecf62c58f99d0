package io.github.lossvariants.examples.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A minimal reader for the gzipped IDX files of MNIST (magic 0x803 images, 0x801 labels). It reads
 * local files only and never downloads.
 *
 * @param images {@code [n][28*28]} unsigned pixel values 0-255
 * @param labels {@code [n]} digit labels 0-9
 * @param rows   image height (28)
 * @param cols   image width (28)
 */
public record Mnist(int[][] images, int[] labels, int rows, int cols) {

    /**
     * @param dir   folder with {@code train-images-idx3-ubyte.gz} etc. (or the same names without {@code .gz},
     *              uncompressed); any files in MNIST's IDX format (Fashion-MNIST, KMNIST, ...) are read
     * @param train the training files (60000 for MNIST) or the t10k test files (10000)
     * @return the images and labels
     */
    public static Mnist read(Path dir, boolean train) {
        String prefix = train ? "train" : "t10k";
        return read(idxFile(dir, prefix + "-images-idx3-ubyte"), idxFile(dir, prefix + "-labels-idx1-ubyte"));
    }

    /** @return {@code dir/name.gz} when it exists, else {@code dir/name} (uncompressed IDX) */
    static Path idxFile(Path dir, String name) {
        Path gz = dir.resolve(name + ".gz");
        return Files.isRegularFile(gz) ? gz : dir.resolve(name);
    }

    /** Reads an image file and its label file (gzipped IDX, or plain IDX when the name lacks .gz). */
    public static Mnist read(Path imagesFile, Path labelsFile) {
        try (DataInputStream im = open(imagesFile); DataInputStream lb = open(labelsFile)) {
            int magic = im.readInt();
            if (magic != 0x803) {
                throw new IllegalStateException(imagesFile + ": magic 0x" + Integer.toHexString(magic) + ", expected 0x803 (IDX images)");
            }
            int n = im.readInt();
            int rows = im.readInt();
            int cols = im.readInt();
            int lmagic = lb.readInt();
            if (lmagic != 0x801) {
                throw new IllegalStateException(labelsFile + ": magic 0x" + Integer.toHexString(lmagic) + ", expected 0x801 (IDX labels)");
            }
            int nl = lb.readInt();
            if (nl != n) {
                throw new IllegalStateException(imagesFile + " has " + n + " images but " + labelsFile + " has " + nl + " labels");
            }
            byte[] buf = new byte[rows * cols];
            int[][] images = new int[n][rows * cols];
            for (int i = 0; i < n; i++) {
                im.readFully(buf);
                for (int j = 0; j < buf.length; j++) {
                    images[i][j] = buf[j] & 0xff;
                }
            }
            byte[] lbuf = new byte[n];
            lb.readFully(lbuf);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = lbuf[i] & 0xff;
            }
            return new Mnist(images, labels, rows, cols);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read MNIST from " + imagesFile + " and " + labelsFile, e);
        }
    }

    private static DataInputStream open(Path f) throws IOException {
        InputStream in = Files.newInputStream(f);
        if (f.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new DataInputStream(new BufferedInputStream(in, 1 << 16));
    }

    /**
     * Finds the MNIST folder: the explicit one, then {@code <data>/mnist}, then
     * {@code ~/.deeplearning4j/data/MNIST} (DL4J's cache, same file names).
     *
     * @return the folder holding {@code train-images-idx3-ubyte.gz} (or {@code train-images-idx3-ubyte})
     */
    public static Path locate(Path explicit, Path dataDir) {
        List<Path> tried = new ArrayList<>();
        if (explicit != null) {
            tried.add(explicit);
        }
        if (dataDir != null) {
            tried.add(dataDir.resolve("mnist"));
        }
        tried.add(Paths.get(System.getProperty("user.home"), ".deeplearning4j", "data", "MNIST"));
        for (Path p : tried) {
            if (Files.isRegularFile(idxFile(p, "train-images-idx3-ubyte"))) {
                return p;
            }
        }
        throw new IllegalStateException("MNIST IDX files (train-images-idx3-ubyte.gz, ...) not found in " + tried
                + ". Pass --mnist-dir DIR. This app never downloads data.");
    }
}
