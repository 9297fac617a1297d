package io.hush.cli;

import io.hush.image.FloatImage;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled grid of images for before/after comparisons: each row holds images of one scene (clean, noisy,
 * denoised...), each cell has a caption underneath. Drawn with Java2D in 8-bit RGB (16-bit images are shown
 * rounded to 8 bits: it is a picture for the eye, not data).
 */
final class Montage {
    private static final int GAP = 6, CAPTION = 16, MIN_CELL = 96;
    private final List<List<FloatImage>> rows = new ArrayList<>();
    private final List<List<String>> captions = new ArrayList<>();

    void row(List<FloatImage> images, List<String> labels) {
        rows.add(images);
        captions.add(labels);
    }

    FloatImage render() {
        int maxSide = 1;
        for (List<FloatImage> r : rows) for (FloatImage f : r) maxSide = Math.max(maxSide, Math.max(f.width(), f.height()));
        int zoom = Math.max(1, (MIN_CELL + maxSide - 1) / maxSide); // small images (MNIST) are shown enlarged
        int cols = 0, width = GAP, height = GAP;
        for (List<FloatImage> r : rows) cols = Math.max(cols, r.size());
        int[] colW = new int[cols];
        int[] rowH = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < rows.get(i).size(); j++) {
                colW[j] = Math.max(colW[j], rows.get(i).get(j).width() * zoom);
                rowH[i] = Math.max(rowH[i], rows.get(i).get(j).height() * zoom);
            }
        }
        for (int w : colW) width += w + GAP;
        for (int h : rowH) height += h + CAPTION + GAP;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(250, 250, 250));
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        int y = GAP;
        for (int i = 0; i < rows.size(); i++) {
            int x = GAP;
            for (int j = 0; j < rows.get(i).size(); j++) {
                FloatImage f = rows.get(i).get(j);
                paint(img, f, x, y, zoom);
                g.setColor(new Color(30, 30, 30));
                g.drawString(fit(g, captions.get(i).get(j), colW[j] + GAP - 2), x, y + rowH[i] + CAPTION - 4);
                x += colW[j] + GAP;
            }
            y += rowH[i] + CAPTION + GAP;
        }
        g.dispose();
        float[][] p = new float[3][width * height];
        for (int yy = 0; yy < height; yy++) {
            for (int xx = 0; xx < width; xx++) {
                int rgb = img.getRGB(xx, yy), k = yy * width + xx;
                p[0][k] = ((rgb >> 16) & 0xFF) / 255f;
                p[1][k] = ((rgb >> 8) & 0xFF) / 255f;
                p[2][k] = (rgb & 0xFF) / 255f;
            }
        }
        return new FloatImage(width, height, p, null, 8);
    }

    /** The caption cut with an ellipsis to fit {@code width} pixels. */
    private static String fit(Graphics2D g, String s, int width) {
        var fm = g.getFontMetrics();
        if (fm.stringWidth(s) <= width) return s;
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t + "..") > width) t = t.substring(0, t.length() - 1);
        return t + "..";
    }

    private static void paint(BufferedImage dst, FloatImage f, int x0, int y0, int zoom) {
        int w = f.width(), h = f.height();
        for (int y = 0; y < h * zoom; y++) {
            for (int x = 0; x < w * zoom; x++) {
                int k = (y / zoom) * w + x / zoom;
                int r = q(f.plane(0)[k]), g = f.channels() == 3 ? q(f.plane(1)[k]) : r, b = f.channels() == 3 ? q(f.plane(2)[k]) : r;
                dst.setRGB(x0 + x, y0 + y, (r << 16) | (g << 8) | b);
            }
        }
    }

    private static int q(float v) {
        return Math.round(Math.clamp(v, 0f, 1f) * 255f);
    }
}
