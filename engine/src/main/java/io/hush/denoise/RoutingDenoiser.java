package io.hush.denoise;

import io.hush.image.FloatImage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A denoiser that picks one of two others per image ({@link GrayColorDenoiser} by channel count,
 * {@link NoiseLevelDenoiser} by noise level): every call goes to the chosen part, a batch goes to each part as one
 * {@link Denoiser#denoiseAll} call with its results back in input order. Thread-safe when both parts are; closing it
 * closes both.
 */
public abstract sealed class RoutingDenoiser implements Denoiser permits GrayColorDenoiser, NoiseLevelDenoiser {
    private final Denoiser first, second;

    RoutingDenoiser(Denoiser first, Denoiser second) {
        this.first = first;
        this.second = second;
    }

    /** The part (one of the two given to the constructor) that runs on {@code img}. */
    abstract Denoiser choose(FloatImage img);

    /** The denoiser that actually runs on this image (through nested routers down to the model or filter). */
    @Override public Denoiser forImage(FloatImage img) { return choose(img).forImage(img); }

    @Override public boolean usesSigma() { return first.usesSigma() || second.usesSigma(); }

    @Override public String refusal(FloatImage img, DenoiseOptions options) { return choose(img).refusal(img, options); }

    @Override public FloatImage denoise(FloatImage img, DenoiseOptions options) { return choose(img).denoise(img, options); }

    @Override
    public List<FloatImage> denoiseAll(List<FloatImage> imgs, List<DenoiseOptions> options) {
        List<Denoiser> chosen = new ArrayList<>(imgs.size());
        for (FloatImage img : imgs) chosen.add(choose(img));
        return denoiseEach(chosen, imgs, options);
    }

    /**
     * Image {@code i} through {@code chosen.get(i)}, results in input order: the images that share a denoiser go
     * through it as one batch (for a caller that has already chosen, e.g. with {@link #forImage}, once per image).
     */
    public static List<FloatImage> denoiseEach(List<Denoiser> chosen, List<FloatImage> imgs, List<DenoiseOptions> options) {
        if (options.size() != imgs.size() || chosen.size() != imgs.size()) {
            throw new IllegalArgumentException(imgs.size() + " images but " + options.size() + " options and " + chosen.size() + " denoisers");
        }
        Map<Denoiser, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < imgs.size(); i++) groups.computeIfAbsent(chosen.get(i), d -> new ArrayList<>()).add(i);
        FloatImage[] out = new FloatImage[imgs.size()];
        groups.forEach((d, idx) -> {
            List<FloatImage> in = new ArrayList<>(idx.size());
            List<DenoiseOptions> opt = new ArrayList<>(idx.size());
            for (int i : idx) {
                in.add(imgs.get(i));
                opt.add(options.get(i));
            }
            List<FloatImage> res = d.denoiseAll(in, opt);
            for (int k = 0; k < idx.size(); k++) out[idx.get(k)] = res.get(k);
        });
        return Arrays.asList(out);
    }

    @Override
    public void close() {
        try {
            first.close();
        } finally {
            second.close();
        }
    }
}
