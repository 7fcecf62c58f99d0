package io.github.lossvariants.examples.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Plots drawn directly with Java2D: decision regions and segmentation overlays. */
public final class Images {
    /** Colours of the 11 segmentation classes (0 = background). */
    static final Color[] CLASS_COLORS = {Color.BLACK, new Color(230, 25, 75), new Color(60, 180, 75),
            new Color(255, 225, 25), new Color(0, 130, 200), new Color(245, 130, 48), new Color(145, 30, 180),
            new Color(70, 240, 240), new Color(240, 50, 230), new Color(210, 245, 60), new Color(250, 190, 212)};

    private Images() {
    }

    /**
     * Draws one panel per loss: the predicted probability on a grid (white 0 to blue 1, the 0.5
     * boundary in black) and the test points (grey = majority, red = minority on top).
     */
    public static void decisionRegions(Path file, Map<String, double[]> grids, int grid, double[] bounds,
                                       double[][] points, double[] labels) throws IOException {
        int panel = 260;
        int title = 22;
        int cols = Math.min(3, grids.size());
        int rows = (grids.size() + cols - 1) / cols;
        BufferedImage img = new BufferedImage(cols * panel, rows * (panel + title), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        int k = 0;
        for (Map.Entry<String, double[]> e : grids.entrySet()) {
            int ox = (k % cols) * panel;
            int oy = (k / cols) * (panel + title);
            double[] p = e.getValue();
            double cell = (double) panel / grid;
            for (int i = 0; i < grid; i++) {
                for (int j = 0; j < grid; j++) {
                    double v = p[i * grid + j];
                    int shade = (int) Math.round(255 * (1 - 0.75 * v));
                    g.setColor(new Color(shade, shade, 255));
                    g.fillRect(ox + (int) (j * cell), oy + title + (int) (i * cell), (int) Math.ceil(cell), (int) Math.ceil(cell));
                }
            }
            g.setColor(Color.BLACK);
            for (int i = 0; i < grid; i++) {
                for (int j = 0; j < grid; j++) {
                    boolean a = p[i * grid + j] >= 0.5;
                    boolean right = j + 1 < grid && (p[i * grid + j + 1] >= 0.5) != a;
                    boolean down = i + 1 < grid && (p[(i + 1) * grid + j] >= 0.5) != a;
                    if (right || down) {
                        g.fillRect(ox + (int) ((j + 0.5) * cell), oy + title + (int) ((i + 0.5) * cell), 2, 2);
                    }
                }
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int n = 0; n < points.length; n++) {
                    boolean pos = labels[n] > 0.5;
                    if (pos != (pass == 1)) {
                        continue;
                    }
                    int x = ox + (int) ((points[n][0] - bounds[0]) / (bounds[1] - bounds[0]) * panel);
                    int y = oy + title + (int) ((bounds[3] - points[n][1]) / (bounds[3] - bounds[2]) * panel);
                    g.setColor(pos ? new Color(220, 0, 0) : new Color(120, 120, 120, 120));
                    int r = pos ? 5 : 3;
                    g.fillOval(x - r / 2, y - r / 2, r, r);
                }
            }
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), ox + 4, oy + 15);
            g.setStroke(new BasicStroke(1));
            g.drawRect(ox, oy + title, panel - 1, panel - 1);
            k++;
        }
        g.dispose();
        write(img, file);
    }

    /**
     * Segmentation overlays: one row per example; columns input, ground truth, then one per loss.
     *
     * @param inputs      per example {@code [H*W]} pixel values in [0, 1]
     * @param truths      per example {@code [H*W]} classes
     * @param predictions loss -> per example {@code [H*W]} predicted classes
     */
    public static void overlays(Path file, int h, int w, List<float[]> inputs, List<byte[]> truths,
                                Map<String, List<double[]>> predictions) throws IOException {
        int scale = 2;
        int title = 30;
        int cols = 2 + predictions.size();
        int cw = w * scale + 6;
        int rh = h * scale + 6;
        BufferedImage img = new BufferedImage(cols * cw, title + inputs.size() * rh, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        g.setColor(Color.BLACK);
        g.drawString("input", 3, 12);
        g.drawString("truth", cw + 3, 12);
        int c = 2;
        for (String name : predictions.keySet()) {
            String label = name.length() > 28 ? name.substring(0, 27) + "." : name;
            g.drawString(label, c * cw + 3, (c % 2 == 0) ? 12 : 25);
            c++;
        }
        for (int r = 0; r < inputs.size(); r++) {
            int oy = title + r * rh;
            float[] in = inputs.get(r);
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    int v = Math.round(255 * in[i * w + j]);
                    g.setColor(new Color(v, v, v));
                    g.fillRect(j * scale, oy + i * scale, scale, scale);
                }
            }
            drawClasses(g, cw, oy, h, w, scale, in, truths.get(r));
            c = 2;
            for (List<double[]> preds : predictions.values()) {
                double[] pr = preds.get(r);
                byte[] cls = new byte[pr.length];
                for (int k = 0; k < pr.length; k++) {
                    cls[k] = (byte) pr[k];
                }
                drawClasses(g, c * cw, oy, h, w, scale, in, cls);
                c++;
            }
        }
        g.dispose();
        write(img, file);
    }

    private static void drawClasses(Graphics2D g, int ox, int oy, int h, int w, int scale,
                                    float[] in, byte[] cls) {
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                int k = i * w + j;
                int v = Math.round(90 * in[k]);
                Color col = cls[k] == 0 ? new Color(v, v, v) : CLASS_COLORS[cls[k]];
                g.setColor(col);
                g.fillRect(ox + j * scale, oy + i * scale, scale, scale);
            }
        }
    }

    static void write(BufferedImage img, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("No PNG writer available for " + file);
        }
    }
}
