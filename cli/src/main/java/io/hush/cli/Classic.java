package io.hush.cli;

import io.hush.classic.BilateralFilter;
import io.hush.classic.ColorNonLocalMeans;
import io.hush.classic.GaussianBlur;
import io.hush.classic.MedianFilter;
import io.hush.classic.NoiseEstimator;
import io.hush.classic.NonLocalMeans;
import io.hush.image.FloatImage;
import io.hush.denoise.DenoiseOptions;
import io.hush.denoise.Denoiser;
import io.hush.denoise.Tiler;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The classical filters of io.hush.classic as {@link Denoiser}s, each with its parameters set from the noise level
 * sigma (in [0,1] units), and the noise estimator behind {@code --sigma auto}.
 */
final class Classic {
    static final List<String> NAMES = List.of("nlm", "bilateral", "median", "gaussian");
    /** Filters of all colour planes at once (on gray images they equal their per-plane form): among eval's {@code all}
     *  on colour data only. */
    static final List<String> COLOR_NAMES = List.of("cnlm");
    /** Also accepted after {@code classic:}, but no filter (so not among the {@code all} of eval). */
    static final String IDENTITY = "identity";

    private Classic() {}

    /** Names accepted after {@code classic:} (for help texts). */
    static final class Names implements Iterable<String> {
        @Override public Iterator<String> iterator() {
            return java.util.stream.Stream.of(NAMES, COLOR_NAMES, List.of(IDENTITY)).flatMap(List::stream).iterator();
        }
    }

    /** One plane filtered at noise level sigma ([0,1] units). */
    @FunctionalInterface
    interface PlaneFilter {
        float[] apply(float[] x, int h, int w, float sigma);
    }

    /** A classical filter, run on each colour plane. */
    record Filter(String name, String params, PlaneFilter f) implements Denoiser {
        @Override public boolean usesSigma() { return true; }

        @Override
        public FloatImage denoise(FloatImage img, DenoiseOptions options) {
            float sigma = options.sigma().isPresent() ? (float) options.sigma().getAsDouble() : estimateSigma(img);
            Tiler.Progress progress = options.progress();
            float[][] out = new float[img.channels()][];
            for (int c = 0; c < out.length; c++) {
                out[c] = f.apply(img.plane(c), img.height(), img.width(), sigma);
                if (progress != null) progress.update(c + 1, out.length);
            }
            return img.withPlanes(out);
        }
    }

    /** Colour non-local means: one set of weights for the three planes ({@link ColorNonLocalMeans}); gray: plain NLM. */
    record ColorNlm() implements Denoiser {
        @Override public String name() { return "cnlm"; }

        @Override public boolean usesSigma() { return true; }

        @Override
        public FloatImage denoise(FloatImage img, DenoiseOptions options) {
            float sigma = options.sigma().isPresent() ? (float) options.sigma().getAsDouble() : estimateSigma(img);
            float[][] planes = new float[img.channels()][];
            for (int c = 0; c < planes.length; c++) planes[c] = img.plane(c);
            float[][] out = ColorNonLocalMeans.denoise(planes, img.height(), img.width(), Math.max(sigma, 1e-4f));
            if (options.progress() != null) options.progress().update(1, 1);
            return img.withPlanes(out);
        }
    }

    /**
     * {@code classic:identity}: returns the image unchanged (a copy), so {@code hush denoise} with it tests the whole
     * read/write path exactly: orientation, colour handling, bit depth and metadata.
     */
    record Identity() implements Denoiser {
        @Override public String name() { return IDENTITY; }

        @Override public boolean usesSigma() { return false; }

        @Override
        public FloatImage denoise(FloatImage img, DenoiseOptions options) {
            if (options.progress() != null) options.progress().update(1, 1);
            return img.copy();
        }
    }

    static Denoiser denoiser(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case IDENTITY -> new Identity();
            // h = sigma (OpenCV's h=10 at sigma 10 on 0..255), 7x7 patches, 21x21 search
            case "nlm", "nl-means", "nonlocalmeans" -> new Filter("nlm", "h = sigma, 7x7 patches, 21x21 search",
                    (x, h, w, s) -> NonLocalMeans.denoise(x, h, w, Math.max(s, 1e-4f)));
            // one set of NLM weights for R, G and B, from an opponent-colour patch distance; h = sigma
            case "cnlm", "color-nlm", "colour-nlm" -> new ColorNlm();
            // range sigma 2 x noise sigma keeps edges higher than the noise; spatial sigma 1.5 px
            case "bilateral" -> new Filter("bilateral", "spatial sigma 1.5 px, range sigma 2 x noise sigma",
                    (x, h, w, s) -> BilateralFilter.apply(x, h, w, 1.5, Math.max(2 * s, 1e-3f)));
            case "median" -> new Filter("median", "3x3 window (5x5 above sigma 30)",
                    (x, h, w, s) -> MedianFilter.apply(x, h, w, s * 255f > 30f ? 2 : 1));
            // blur width grows with the noise: 0.5 px at sigma 0, 1.5 px at sigma 25
            case "gaussian", "blur", "gaussian-blur" -> new Filter("gaussian", "blur sigma 0.5 + sigma/25 px",
                    (x, h, w, s) -> GaussianBlur.apply(x, h, w, 0.5 + s * 255f / 25f));
            default -> throw new CliException("classic:" + name + ": unknown classical filter (one of "
                    + String.join(", ", NAMES) + ", " + String.join(", ", COLOR_NAMES) + ")", Main.EXIT_USAGE);
        };
    }

    /** The best classical filter here (non-local means), used when no trained model is installed. */
    static Denoiser best() {
        return denoiser("nlm");
    }

    /** Noise sigma ([0,1] units) from the finest wavelet band, averaged over colour planes. */
    static float estimateSigma(FloatImage img) {
        if (img.width() < 2 || img.height() < 2) return 0f;
        double s = 0;
        for (int c = 0; c < img.channels(); c++) s += NoiseEstimator.sigma(img.plane(c), img.height(), img.width());
        return (float) (s / img.channels());
    }
}
