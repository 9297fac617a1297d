package io.hush.metrics;

import java.util.List;

/**
 * Peak signal-to-noise ratio, {@code 10 log10(peak^2 / MSE)}, over all values given (a whole image, all channels).
 * Values are in [0,1] in this project, so peak is 1 unless stated; pass 255 for 0..255 data. Identical inputs give
 * {@code +Infinity}. Sums are in double.
 */
public final class Psnr {
    private Psnr() {}

    public static double mse(float[] a, float[] b) {
        check(a, b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return s / a.length;
    }

    public static double psnr(float[] a, float[] b, double peak) {
        if (!(peak > 0)) throw new IllegalArgumentException("peak " + peak + " must be > 0");
        double mse = mse(a, b);
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(peak * peak / mse);
    }

    /** PSNR with peak 1. */
    public static double psnr(float[] a, float[] b) { return psnr(a, b, 1.0); }

    /**
     * PSNR as the usual 8-bit evaluation protocol computes it (DnCNN's im2uint8): {@code test} is clipped to [0,1] and
     * rounded to the nearest of 256 levels before comparing with {@code clean} (itself an 8-bit image), peak 1.
     */
    public static double psnr8(float[] clean, float[] test) {
        check(clean, test);
        float[] q = new float[test.length];
        for (int i = 0; i < q.length; i++) {
            float v = test[i] > 0f ? (test[i] < 1f ? test[i] : 1f) : 0f;
            q[i] = Math.round(v * 255f) / 255f;
        }
        return psnr(clean, q, 1.0);
    }

    /**
     * Mean over a set of the per-image PSNRs (the figure papers report for Set12/BSD68), not the PSNR of the pooled
     * MSE. An infinite PSNR (an exact image) makes the mean infinite.
     */
    public static double mean(List<float[]> a, List<float[]> b, double peak) {
        if (a.size() != b.size() || a.isEmpty()) {
            throw new IllegalArgumentException(a.size() + " images against " + b.size() + " (need equal, non-zero counts)");
        }
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += psnr(a.get(i), b.get(i), peak);
        return s / a.size();
    }

    static void check(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("size mismatch: " + a.length + " vs " + b.length + " values");
        if (a.length == 0) throw new IllegalArgumentException("empty images");
    }
}
