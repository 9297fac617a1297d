package io.hush.denoise;

import io.hush.image.FloatImage;

import java.util.List;

/**
 * One denoiser for gray images and another for colour ones, chosen per image by its channel count: how the
 * {@code auto} model of {@link Denoiser#openZoo} and {@code hush denoise} without {@code --model} run gray-blind on
 * gray pictures and color-blind on RGB(A) ones. Thread-safe when both parts are; closing it closes both.
 */
public final class GrayColorDenoiser implements Denoiser {
    private final Denoiser gray, color;

    private GrayColorDenoiser(Denoiser gray, Denoiser color) {
        this.gray = gray;
        this.color = color;
    }

    /** Routes 1-channel images to {@code gray} and 3-channel ones to {@code color}. */
    public static GrayColorDenoiser of(Denoiser gray, Denoiser color) {
        return new GrayColorDenoiser(gray, color);
    }

    /** The denoiser that runs on this image. */
    @Override
    public Denoiser forImage(FloatImage img) {
        return (img.channels() >= 3 ? color : gray).forImage(img);
    }

    @Override public String name() { return gray.name() + " (gray) / " + color.name() + " (RGB)"; }

    @Override public boolean usesSigma() { return gray.usesSigma() || color.usesSigma(); }

    @Override public String refusal(FloatImage img, DenoiseOptions options) { return forImage(img).refusal(img, options); }

    @Override public FloatImage denoise(FloatImage img, DenoiseOptions options) { return forImage(img).denoise(img, options); }

    /** Gray and colour images go to their own denoiser as two batches; the results come back in input order. */
    @Override
    public List<FloatImage> denoiseAll(List<FloatImage> imgs, List<DenoiseOptions> options) {
        Denoiser[] chosen = new Denoiser[imgs.size()];
        for (int i = 0; i < chosen.length; i++) chosen[i] = imgs.get(i).channels() >= 3 ? color : gray;
        return Routing.denoiseAll(imgs, options, chosen);
    }

    @Override
    public void close() {
        try {
            gray.close();
        } finally {
            color.close();
        }
    }
}
