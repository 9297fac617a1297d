package io.hush.denoise;

import io.hush.classic.NoiseEstimator;
import io.hush.image.FloatImage;


/**
 * Chooses per image between a model for camera noise and one for strong white noise, by the white-noise level the
 * image reads: {@link NoiseEstimator} (finest diagonal wavelet band) on each colour channel, averaged, on the 0..255
 * scale. How the {@code auto} colour choice of {@link Denoiser#openZoo} and {@code hush denoise} without
 * {@code --model} sends camera photos to color-real and strongly noisy pictures to a Gaussian-noise model.
 *
 * <p>Why this one number separates them: camera noise is demosaiced, smoothed by the camera and JPEG-compressed, so it
 * has almost no energy in the finest diagonal band, while white noise puts a sigma's worth there. Measured (see
 * weights/color-real.md): the 100 real noisy PolyU photos read 0.0-1.5, clean Kodak24 photos 1.5-8.2 (texture), and
 * Kodak24 with Gaussian noise of sigma 5 / 10 / 15 reads 6.7 / 11.2 / 15.9. color-real is the better model below
 * about sigma 10 (real noise, clean-ish photos, light white noise) and a Gaussian-trained one above, hence
 * {@link #DEFAULT_THRESHOLD}. Thread-safe when both parts are; closing it closes both.
 */
public final class NoiseLevelDenoiser extends RoutingDenoiser {
    /** Estimated sigma (0..255) from which images go to the white-noise model. */
    public static final double DEFAULT_THRESHOLD = 10;

    private final Denoiser low, high;
    private final double threshold;

    private NoiseLevelDenoiser(Denoiser low, Denoiser high, double threshold) {
        super(low, high);
        if (!(threshold > 0) || Double.isInfinite(threshold)) throw new IllegalArgumentException("threshold must be a positive sigma on the 0..255 scale, got " + threshold);
        this.low = low;
        this.high = high;
        this.threshold = threshold;
    }

    /** Images reading below {@code threshold} (sigma on 0..255) go to {@code low}, the others to {@code high}. */
    public static NoiseLevelDenoiser of(Denoiser low, Denoiser high, double threshold) {
        return new NoiseLevelDenoiser(low, high, threshold);
    }

    /** The white-noise sigma an image reads, 0..255 scale: the mean over its colour channels (alpha ignored). */
    public static double estimatedSigma(FloatImage img) {
        if (img.width() < 2 || img.height() < 2) return 0;
        double s = 0;
        for (int c = 0; c < img.channels(); c++) s += NoiseEstimator.sigma(img.plane(c), img.height(), img.width());
        return 255 * s / img.channels();
    }

    @Override Denoiser choose(FloatImage img) { return estimatedSigma(img) < threshold ? low : high; }

    @Override public String name() { return low.name() + " or " + high.name(); }
}
