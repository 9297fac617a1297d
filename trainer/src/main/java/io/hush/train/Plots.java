package io.hush.train;

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
import java.util.Locale;

/**
 * PNG figures drawn with java.awt (headless): the training curves (loss and validation loss; validation PSNR) and
 * a grid of clean / noisy / denoised samples.
 */
public final class Plots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40)};

    private Plots() {}

    /** Two panels side by side: loss and val_loss per epoch (log scale); val_psnr and val_psnr_noisy per epoch. */
    public static void history(History h, Path file) throws IOException {
        int pw = 480, ph = 340;
        BufferedImage img = new BufferedImage(2 * pw, ph, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 2 * pw, ph);
        panel(g, 0, pw, ph, "loss", true, h, new String[] {"loss", "val_loss"});
        panel(g, pw, pw, ph, "PSNR (dB)", false, h, new String[] {"val_psnr", "val_psnr_noisy"});
        g.dispose();
        write(img, file);
    }

    private static void panel(Graphics2D g, int x0, int w, int h, String title, boolean log, History hist, String[] keys) {
        int left = x0 + 64, right = x0 + w - 16, top = 44, bottom = h - 40;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        int n = hist.size();
        for (String k : keys) {
            for (double v : hist.get(k)) {
                if (!Double.isFinite(v) || (log && v <= 0)) continue;
                double t = log ? Math.log10(v) : v;
                lo = Math.min(lo, t);
                hi = Math.max(hi, t);
            }
        }
        g.setStroke(new BasicStroke(1f));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.setColor(Color.BLACK);
        g.drawString(title, x0 + w / 2 - 30, 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawRect(left, top, right - left, bottom - top);
        if (!(hi >= lo) || n == 0) return;
        if (hi - lo < 1e-9) {
            hi += 0.5;
            lo -= 0.5;
        }
        double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
        for (int i = 0; i <= 4; i++) { // y ticks
            double t = lo + (hi - lo) * i / 4;
            int y = (int) Math.round(bottom - (bottom - top) * (double) i / 4);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left + 1, y, right - 1, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, log ? "%.3g" : "%.2f", log ? Math.pow(10, t) : t), x0 + 4, y + 4);
        }
        int ticks = Math.min(n, 10);
        for (int i = 0; i < ticks; i++) { // x ticks: epochs
            int e = n == 1 ? 1 : 1 + (int) Math.round((double) (n - 1) * i / Math.max(1, ticks - 1));
            int x = xAt(e - 1, n, left, right);
            g.drawString(Integer.toString(e), x - 4, bottom + 14);
        }
        g.drawString("epoch", (left + right) / 2 - 14, bottom + 30);
        for (int k = 0; k < keys.length; k++) {
            double[] v = hist.get(keys[k]);
            g.setColor(COLORS[k % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1, py = -1;
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(v[i]) || (log && v[i] <= 0)) {
                    px = -1;
                    continue;
                }
                double t = log ? Math.log10(v[i]) : v[i];
                int x = xAt(i, n, left, right);
                int y = (int) Math.round(bottom - (bottom - top) * (t - lo) / (hi - lo));
                if (px >= 0) g.drawLine(px, py, x, y);
                g.fillOval(x - 3, y - 3, 6, 6);
                px = x;
                py = y;
            }
        }
        // legend in one row between the title and the plot, so no curve is hidden
        g.setStroke(new BasicStroke(2f));
        int lx = left;
        for (int k = 0; k < keys.length; k++) {
            g.setColor(COLORS[k % COLORS.length]);
            g.drawLine(lx, 32, lx + 20, 32);
            g.setColor(Color.BLACK);
            g.drawString(keys[k], lx + 26, 36);
            lx += 40 + g.getFontMetrics().stringWidth(keys[k]);
        }
        g.setStroke(new BasicStroke(1f));
        g.drawRect(left, top, right - left, bottom - top);
    }

    private static int xAt(int i, int n, int left, int right) {
        return n == 1 ? (left + right) / 2 : left + 8 + (int) Math.round((right - left - 16) * (double) i / (n - 1));
    }

    /**
     * A grid with one row per sample and three columns (clean, noisy, denoised), each image scaled up to at least
     * 96 pixels, values clipped to [0,1]. Arrays are NHWC, 1 or 3 channels.
     */
    public static void samples(float[] clean, float[] noisy, float[] denoised, int n, int h, int w, int c, Path file) throws IOException {
        if (c != 1 && c != 3) throw new IllegalArgumentException("sample grid needs 1 or 3 channels, got " + c);
        int zoom = Math.max(1, (96 + Math.max(h, w) - 1) / Math.max(h, w));
        int gap = 4, head = 18;
        int cw = w * zoom, chh = h * zoom;
        BufferedImage img = new BufferedImage(3 * cw + 4 * gap, head + n * (chh + gap) + gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        String[] titles = {"clean", "noisy", "denoised"};
        float[][] cols = {clean, noisy, denoised};
        for (int k = 0; k < 3; k++) g.drawString(titles[k], gap + k * (cw + gap) + 2, 13);
        g.dispose();
        int per = h * w * c;
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < 3; k++) {
                int ox = gap + k * (cw + gap), oy = head + s * (chh + gap);
                for (int y = 0; y < chh; y++) {
                    for (int x = 0; x < cw; x++) {
                        int src = s * per + ((y / zoom) * w + x / zoom) * c;
                        int r = byteOf(cols[k][src]);
                        int gg = c == 3 ? byteOf(cols[k][src + 1]) : r;
                        int b = c == 3 ? byteOf(cols[k][src + 2]) : r;
                        img.setRGB(ox + x, oy + y, r << 16 | gg << 8 | b);
                    }
                }
            }
        }
        write(img, file);
    }

    private static int byteOf(float v) { return Math.round(Math.min(1f, Math.max(0f, v)) * 255f); }

    private static void write(BufferedImage img, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = io.hush.data.TempFiles.beside(file);
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer available");
            io.hush.data.TempFiles.moveIntoPlace(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
