package io.hush.train;

import io.hush.train.loss.Ssim;

/**
 * Validation metrics on [0,1] images: PSNR (peak 1, per image, averaged) and SSIM (Gaussian 11x11, valid region,
 * per image and channel, averaged; NaN for images smaller than the window).
 */
public final class Metrics {
    private Metrics() {}

    /** PSNR in dB of one image {@code a[off, off+len)} against {@code b}; capped at 100 dB for identical images. */
    public static double psnr(float[] a, float[] b, int off, int len) {
        double se = 0;
        for (int i = off; i < off + len; i++) {
            double d = a[i] - b[i];
            se += d * d;
        }
        double mse = se / len;
        return mse <= 1e-10 ? 100 : 10 * Math.log10(1 / mse);
    }

    /** Sum over the batch's images of PSNR (callers divide by the image count). */
    public static double psnrSum(float[] a, float[] b, int n) {
        int per = a.length / n;
        double s = 0;
        for (int i = 0; i < n; i++) s += psnr(a, b, i * per, per);
        return s;
    }

    /** Sum over the batch's images of SSIM, or NaN if the images are smaller than the SSIM window. */
    public static double ssimSum(float[] a, float[] b, int n, int h, int w, int c) {
        if (h < Ssim.WINDOW || w < Ssim.WINDOW) return Double.NaN;
        return Ssim.mean(a, b, n, h, w, c) * n;
    }
}
