package io.hush.train;

import io.hush.metrics.Psnr;
import io.hush.metrics.Ssim;

import java.util.Arrays;

/**
 * Validation metrics over a batch, per image, via io.hush.metrics: PSNR (peak 1; an exact image counts as 100 dB so
 * means stay finite) and SSIM (Gaussian 11x11, valid region, mean over channels; NaN for images under 11x11).
 */
public final class Metrics {
    static final double EXACT_DB = 100;

    private Metrics() {}

    /** Sum over the batch's {@code n} images of PSNR (callers divide by the image count). */
    public static double psnrSum(float[] a, float[] b, int n) {
        int per = a.length / n;
        double s = 0;
        for (int i = 0; i < n; i++) {
            double p = Psnr.psnr(Arrays.copyOfRange(a, i * per, (i + 1) * per), Arrays.copyOfRange(b, i * per, (i + 1) * per));
            s += Math.min(p, EXACT_DB);
        }
        return s;
    }

    /** Sum over the batch's images of SSIM, or NaN if the images are smaller than the SSIM window. */
    public static double ssimSum(float[] a, float[] b, int n, int h, int w, int c) {
        if (h < Ssim.WINDOW || w < Ssim.WINDOW) return Double.NaN;
        int per = h * w * c;
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Ssim.ssim(Arrays.copyOfRange(a, i * per, (i + 1) * per), Arrays.copyOfRange(b, i * per, (i + 1) * per), h, w, c, 1.0);
        }
        return s;
    }
}
