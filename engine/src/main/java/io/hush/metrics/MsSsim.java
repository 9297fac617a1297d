package io.hush.metrics;

/**
 * Multi-scale SSIM (Wang, Simoncelli, Bovik 2003) as in Wang's {@code msssim.m}: 5 scales with weights
 * {0.0448, 0.2856, 0.3001, 0.2363, 0.1333}; at each scale the mean contrast-structure term of {@link Ssim} (same
 * window, constants and valid region), at the coarsest the mean full SSIM; between scales both images are averaged
 * over 2x2 blocks and subsampled by 2 (odd sizes repeat the last row/column: MATLAB's 'symmetric' imfilter with
 * ones(2)/4, then every other sample), so a side n becomes ceil(n/2).
 * {@code MS-SSIM = prod_{j<5} cs_j^w_j * ssim_5^w_5}. A negative mean term (strongly anti-correlated images) is clamped
 * to 0 before the fractional power, as pytorch-msssim does, instead of giving NaN.
 * The coarsest scale must still hold an 11x11 window: each side at least 161 pixels (11 * 16 - 15).
 */
public final class MsSsim {
    private static final double[] WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};

    private MsSsim() {}

    /** The published per-scale weights, finest first, {@code [5]} (a copy; they sum to 1.0001). */
    public static double[] weights() { return WEIGHTS.clone(); }

    /** MS-SSIM of two {@code [H, W]} planes with peak 1. */
    public static double msSsim(float[] a, float[] b, int h, int w) { return msSsim(a, b, h, w, 1, 1.0); }

    /** MS-SSIM of two {@code [H, W, C]} images: the mean over channels. */
    public static double msSsim(float[] a, float[] b, int h, int w, int c, double peak) {
        Ssim.check(a, b, h, w, c);
        int levels = WEIGHTS.length;
        int minSide = (Ssim.WINDOW - 1) * (1 << (levels - 1)) + 1;
        if (h < minSide || w < minSide) {
            throw new IllegalArgumentException("MS-SSIM with " + levels + " scales needs images of at least " + minSide + "x"
                    + minSide + ", got " + w + "x" + h);
        }
        double total = 0;
        for (int ch = 0; ch < c; ch++) {
            double[] x = Ssim.channel(a, c, ch), y = Ssim.channel(b, c, ch);
            int hh = h, ww = w;
            double v = 1;
            for (int j = 0; j < levels; j++) {
                double[] st = Ssim.stats(x, y, hh, ww, peak);
                double term = j == levels - 1 ? st[0] : st[1];
                v *= Math.pow(Math.max(term, 0), WEIGHTS[j]);
                if (j < levels - 1) {
                    x = half(x, hh, ww);
                    y = half(y, hh, ww);
                    hh = (hh + 1) / 2;
                    ww = (ww + 1) / 2;
                }
            }
            total += v;
        }
        return total / c;
    }

    /** {@link #downsample} into a new array: {@code [h, w] -> [ceil(h/2), ceil(w/2)]}. */
    static double[] half(double[] x, int h, int w) {
        double[] out = new double[((h + 1) / 2) * ((w + 1) / 2)];
        downsample(x, h, w, out);
        return out;
    }

    /**
     * The step between scales: 2x2 block mean, subsampled, {@code src[h, w] -> dst[ceil(h/2), ceil(w/2)]}, the last
     * row/column repeated when a side is odd. Allocates nothing (the training loss runs it, and its transpose, per plane).
     */
    public static void downsample(double[] src, int h, int w, double[] dst) {
        int oh = (h + 1) / 2, ow = (w + 1) / 2;
        for (int y = 0; y < oh; y++) {
            int y0 = 2 * y, y1 = Math.min(2 * y + 1, h - 1);
            for (int i = 0; i < ow; i++) {
                int x0 = 2 * i, x1 = Math.min(2 * i + 1, w - 1);
                dst[y * ow + i] = 0.25 * (src[y0 * w + x0] + src[y0 * w + x1] + src[y1 * w + x0] + src[y1 * w + x1]);
            }
        }
    }
}
