package io.hush.denoise;

import io.hush.image.FloatImage;

import java.util.ArrayList;
import java.util.List;

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

    /**
     * Denoises several images, {@code sigmas[i]} for image i (each image may be overwritten). The default runs
     * them one by one; a model runs small images of one size as a batch (one forward pass for many MNIST digits).
     */
    default List<FloatImage> denoiseAll(List<FloatImage> imgs, float[] sigmas, boolean resize) {
        List<FloatImage> out = new ArrayList<>(imgs.size());
        for (int i = 0; i < imgs.size(); i++) out.add(denoise(imgs.get(i), sigmas[i], resize, null));
        return out;
    }
}
