package io.hush.data;

import io.hush.image.FloatImage;
import java.util.random.RandomGenerator;

/** Cutting one augmented patch out of an image into an {@code [H,W,C]} slot of a batch. */
public final class Patches {
    private Patches() {}

    /**
     * Writes a {@code ph x pw} patch of {@code im}, augmented as {@code aug} says, to
     * {@code dst[off, off + ph*pw*C)} as {@code [ph, pw, C]}. Random draws, in this order and only for what is on:
     * crop y, crop x, angle, quarter turns, h-flip, v-flip, then for 3-channel images channel order, whether to
     * saturate, saturation factor, then whether to expose, exposure gain.
     */
    public static void extract(FloatImage im, int ph, int pw, Augment aug, RandomGenerator rng, float[] dst, int off) {
        int h = im.height(), w = im.width(), c = im.channels();
        if (ph > h || pw > w || ph <= 0 || pw <= 0) {
            throw new IllegalArgumentException("patch " + ph + "x" + pw + " does not fit in an image of " + w + "x" + h);
        }
        int y0 = (h - ph) / 2, x0 = (w - pw) / 2;
        if (aug.randomCrop()) {
            y0 = rng.nextInt(h - ph + 1);
            x0 = rng.nextInt(w - pw + 1);
        }
        double theta = aug.maxRotationDegrees() > 0
                ? Math.toRadians(aug.maxRotationDegrees() * (2 * rng.nextDouble() - 1)) : 0;
        int k = 0;
        if (aug.rot90()) k = ph == pw ? rng.nextInt(4) : 2 * rng.nextInt(2);
        boolean fh = aug.hflip() && rng.nextBoolean();
        boolean fv = aug.vflip() && rng.nextBoolean();

        double cos = Math.cos(theta), sin = Math.sin(theta);
        double cy = (ph - 1) * 0.5, cx = (pw - 1) * 0.5;
        for (int oy = 0; oy < ph; oy++) {
            for (int ox = 0; ox < pw; ox++) {
                // Output position -> position in the (unrotated) crop window, undoing flips then quarter turns.
                int y = fv ? ph - 1 - oy : oy, x = fh ? pw - 1 - ox : ox;
                if (ph == pw) {
                    for (int r = 0; r < k; r++) { // one quarter turn: (y, x) -> (x, n-1-y)
                        int t = y;
                        y = x;
                        x = pw - 1 - t;
                    }
                } else if (k == 2) { // a rectangle only turns by 180
                    y = ph - 1 - y;
                    x = pw - 1 - x;
                }
                int o = off + (oy * pw + ox) * c;
                if (theta == 0) {
                    int src = (y0 + y) * w + (x0 + x);
                    for (int ch = 0; ch < c; ch++) dst[o + ch] = im.plane(ch)[src];
                } else {
                    double dy = y - cy, dx = x - cx;
                    double sy = y0 + cy + cos * dy - sin * dx, sx = x0 + cx + sin * dy + cos * dx;
                    for (int ch = 0; ch < c; ch++) dst[o + ch] = bilinearReflect(im.plane(ch), h, w, sy, sx);
                }
            }
        }
        if (c == 3 && aug.changesColour()) recolour(aug, rng, dst, off, ph * pw);
        if (aug.maxExposure() > 1) expose(aug.maxExposure(), rng, dst, off, ph * pw * c);
    }

    /**
     * With probability 1/2, {@code dst[off, off+n)} times a gain log-uniform in [1/max, max], clipped to [0,1]: more
     * flat black and white areas, where the clipped noise of an 8-bit picture is not zero-mean.
     */
    static void expose(double max, RandomGenerator rng, float[] dst, int off, int n) {
        if (!rng.nextBoolean()) return;
        float g = (float) Math.exp((2 * rng.nextDouble() - 1) * Math.log(max));
        for (int i = off; i < off + n; i++) dst[i] = clip01(dst[i] * g);
    }

    /** The 6 orders of three channels. */
    private static final int[][] ORDERS = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

    /**
     * Channel order and saturation of an {@code [n, 3]} RGB patch at {@code dst[off..]}, in place: each pixel's
     * channels are reordered, then moved away from their mean by a factor {@code s >= 1} and clipped to [0,1].
     */
    static void recolour(Augment aug, RandomGenerator rng, float[] dst, int off, int n) {
        int[] order = aug.permuteChannels() ? ORDERS[rng.nextInt(ORDERS.length)] : ORDERS[0];
        float s = 1;
        if (aug.maxSaturation() > 1 && rng.nextBoolean()) {
            s = (float) Math.exp(rng.nextDouble() * Math.log(aug.maxSaturation()));
        }
        for (int i = 0, o = off; i < n; i++, o += 3) {
            float r = dst[o + order[0]], g = dst[o + order[1]], b = dst[o + order[2]];
            if (s == 1) { // reorder only: values kept bit for bit
                dst[o] = r;
                dst[o + 1] = g;
                dst[o + 2] = b;
                continue;
            }
            float mean = (r + g + b) / 3;
            dst[o] = clip01(mean + s * (r - mean));
            dst[o + 1] = clip01(mean + s * (g - mean));
            dst[o + 2] = clip01(mean + s * (b - mean));
        }
    }

    private static float clip01(float v) { return Math.max(0f, Math.min(1f, v)); }

    /** Bilinear sample at (y, x) of a {@code [h, w]} plane, reflecting (half-sample symmetric) outside it. */
    public static float bilinearReflect(float[] p, int h, int w, double y, double x) {
        int iy = (int) Math.floor(y), ix = (int) Math.floor(x);
        float ty = (float) (y - iy), tx = (float) (x - ix);
        int y1 = reflect(iy, h), y2 = reflect(iy + 1, h), x1 = reflect(ix, w), x2 = reflect(ix + 1, w);
        float a = p[y1 * w + x1], b = p[y1 * w + x2], c = p[y2 * w + x1], d = p[y2 * w + x2];
        return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
    }

    /** Index {@code i} folded into [0, n) by half-sample symmetric reflection: ... 1 0 | 0 1 ... n-1 | n-1 n-2 ... */
    public static int reflect(int i, int n) {
        int period = 2 * n;
        int m = i % period;
        if (m < 0) m += period;
        return m < n ? m : period - 1 - m;
    }
}
