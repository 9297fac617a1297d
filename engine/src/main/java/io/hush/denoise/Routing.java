package io.hush.denoise;

import io.hush.image.FloatImage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Batch denoising for routers ({@link GrayColorDenoiser}, {@link NoiseLevelDenoiser}) that pick a denoiser per image. */
final class Routing {
    private Routing() {}

    /**
     * Denoises image {@code i} with {@code chosen[i]}: the images of each denoiser go to it as one
     * {@link Denoiser#denoiseAll} batch, and the results come back in input order.
     */
    static List<FloatImage> denoiseAll(List<FloatImage> imgs, List<DenoiseOptions> options, Denoiser[] chosen) {
        if (options.size() != imgs.size()) throw new IllegalArgumentException(imgs.size() + " images but " + options.size() + " options");
        Map<Denoiser, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < chosen.length; i++) groups.computeIfAbsent(chosen[i], d -> new ArrayList<>()).add(i);
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
}
