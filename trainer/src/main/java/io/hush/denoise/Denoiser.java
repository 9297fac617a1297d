package io.hush.denoise;

import io.hush.data.FloatImage;

/** Anything that denoises a whole image: a model ({@link ModelDenoiser}) or a classical filter. */
public interface Denoiser {
    /** Short name for tables and messages ("gray-blind", "nlm"). */
    String name();

    /** Whether {@link #denoise} uses {@code sigma} (a non-blind method); blind ones ignore it. */
    boolean usesSigma();

    /** Why this image cannot be denoised as it is (wrong size for a fixed-size model), or null. */
    default String refusal(FloatImage img, boolean resize) { return null; }

    /**
     * Denoises {@code img} (values in [0,1]); may overwrite its planes. {@code sigma} is the noise standard
     * deviation in [0,1] units; {@code progress} (may be null) gets (done, total).
     */
    FloatImage denoise(FloatImage img, float sigma, boolean resize, Tiler.Progress progress);
}
