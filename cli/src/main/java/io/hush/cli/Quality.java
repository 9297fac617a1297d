package io.hush.cli;

import io.hush.image.FloatImage;
import io.hush.metrics.Psnr;
import io.hush.metrics.Ssim;

/** PSNR (dB, peak 1) and SSIM of a result against the clean image, over all colour channels; alpha ignored. */
record Quality(double psnr, double ssim) {
    static Quality of(FloatImage clean, FloatImage result) {
        float[] a = clean.toHwc(), b = result.toHwc();
        for (int i = 0; i < b.length; i++) b[i] = Math.clamp(b[i], 0f, 1f); // what a saved file holds
        int c = clean.channels();
        double ssim = clean.width() >= Ssim.WINDOW && clean.height() >= Ssim.WINDOW
                ? Ssim.ssim(a, b, clean.height(), clean.width(), c, 1.0) : Double.NaN;
        return new Quality(Psnr.psnr(a, b), ssim);
    }
}
