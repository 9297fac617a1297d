package io.hush.denoise;

import io.hush.image.FloatImage;

/**
 * One denoiser for gray images and another for colour ones, chosen per image by its channel count: how the
 * {@code auto} model of {@link Denoiser#openZoo} and {@code hush denoise} without {@code --model} run gray-blind on
 * gray pictures and a colour choice on RGB(A) ones. Thread-safe when both parts are; closing it closes both.
 */
public final class GrayColorDenoiser extends RoutingDenoiser {
    private final Denoiser gray, color;

    private GrayColorDenoiser(Denoiser gray, Denoiser color) {
        super(gray, color);
        this.gray = gray;
        this.color = color;
    }

    /** Routes 1-channel images to {@code gray} and 3-channel ones to {@code color}. */
    public static GrayColorDenoiser of(Denoiser gray, Denoiser color) {
        return new GrayColorDenoiser(gray, color);
    }

    @Override Denoiser choose(FloatImage img) { return img.channels() >= 3 ? color : gray; }

    @Override public String name() { return gray.name() + " (gray) / " + color.name() + " (RGB)"; }
}
