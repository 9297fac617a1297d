package io.hush.cli;

import io.hush.denoise.Denoiser;
import io.hush.denoise.ModelDenoiser;
import io.hush.denoise.NoiseLevelDenoiser;
import io.hush.denoise.OptionText;
import io.hush.engine.Model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns {@code --model} into a {@link Denoiser}: {@code classic:NAME} is a classical filter; a file or name is a
 * model (see {@link ModelFiles}); no option means the shipped default model, or, while none is installed, the best
 * classical filter, and the command says so.
 */
final class Denoisers {
    /** An opened denoiser, its (first) model (null for classical filters) and the other models to close with it. */
    record Opened(Denoiser denoiser, Model model, String source, List<Model> others) implements AutoCloseable {
        Opened(Denoiser denoiser, Model model, String source) {
            this(denoiser, model, source, List.of());
        }

        @Override public void close() {
            try {
                if (model != null) model.close();
            } finally {
                for (Model m : others) m.close();
            }
        }
    }

    /**
     * The colour models that {@code auto} (and no --model) runs on RGB images when they are installed: color-real on
     * camera photos and clean-ish pictures, color-blind (else the gray default per channel) on strongly noisy ones,
     * chosen per image by the white-noise level it reads ({@link NoiseLevelDenoiser}).
     */
    static final String CAMERA_COLOR = "color-real", GAUSSIAN_COLOR = "color-blind";

    private Denoisers() {}

    static Opened open(String spec, Integer tile, String overlap, Integer threads, BaseCommand cmd) {
        if (spec != null && spec.toLowerCase(Locale.ROOT).startsWith("classic:")) {
            Denoiser d = Classic.denoiser(spec.substring("classic:".length()));
            cmd.info("method: %s (classical)", d.name());
            return new Opened(d, null, "classical");
        }
        ModelFiles.Found found;
        boolean auto = spec == null || spec.equalsIgnoreCase("auto");
        if (auto) {
            found = ModelFiles.find(ModelFiles.DEFAULT);
            if (found == null) {
                Denoiser d = Classic.best();
                cmd.warn("no trained default model is installed (weights/%s.hush): using the classical %s filter instead",
                        ModelFiles.DEFAULT, d.name());
                return new Opened(d, null, "classical fallback");
            }
        } else {
            found = ModelFiles.require(spec);
        }
        Opened gray = openModel(found, tile, overlap, threads, cmd);
        if (!auto) return gray;
        List<Opened> opened = new ArrayList<>(List.of(gray));
        try {
            ModelFiles.Found blind = ModelFiles.find(GAUSSIAN_COLOR), real = ModelFiles.find(CAMERA_COLOR);
            Opened gaussian = blind == null ? null : openModel(blind, tile, overlap, threads, cmd);
            if (gaussian != null) opened.add(gaussian);
            Opened camera = real == null ? null : openModel(real, tile, overlap, threads, cmd);
            if (camera != null) opened.add(camera);
            if (opened.size() == 1) return gray;
            String colorName = blind == null ? found.name() + " per channel" : blind.name();
            if (real != null) {
                colorName = String.format(Locale.ROOT, "%s where the estimated white-noise sigma is under %.0f (camera noise, clean-ish photos), %s above",
                        real.name(), NoiseLevelDenoiser.DEFAULT_THRESHOLD, colorName);
            }
            cmd.info("auto: %s for gray images; for colour ones %s", found.name(), colorName);
            Denoiser d = Denoiser.auto(gray.denoiser(), gaussian == null ? null : gaussian.denoiser(),
                    camera == null ? null : camera.denoiser());
            List<Model> others = new ArrayList<>();
            StringBuilder where = new StringBuilder(found.where());
            for (Opened o : opened.subList(1, opened.size())) {
                others.add(o.model());
                where.append(", ").append(o.source());
            }
            return new Opened(d, gray.model(), where.toString(), others);
        } catch (RuntimeException e) {
            for (Opened o : opened) o.close();
            throw e;
        }
    }

    private static Opened openModel(ModelFiles.Found found, Integer tile, String overlap, Integer threads, BaseCommand cmd) {
        Model m = found.loadForInference();
        if (cmd.inputRange() != null) cmd.inputRange().apply(m);
        try {
            if (threads != null) m.threads(threads);
            ModelDenoiser d = ModelDenoiser.of(m).name(found.name()).overlap(parseOverlap(overlap));
            if (tile != null) d.tile(tile);
            String tiling = "";
            if (d.anySize()) {
                int r = d.receptiveRadius();
                tiling = String.format(Locale.ROOT, "; receptive field %s; large images in %d px tiles overlapping %d px%s",
                        r < 0 ? "unbounded" : "radius " + r + " px", d.effectiveTile(), d.effectiveOverlap(),
                        d.exactTiling() ? " (exact)" : " (blended, not exact)");
            }
            cmd.info("model: %s (%s): %s%s", found.name(), found.where(), d.describe(), tiling);
            return new Opened(d, m, found.where());
        } catch (IllegalArgumentException e) {
            m.close();
            throw new CliException(found.where() + ": " + Main.oneLine(e.getMessage()));
        }
    }

    /** What ran on one image: the model's name, with "per channel" for a gray model on a colour image. */
    static String ranLabel(Denoiser actual, int channels) {
        return actual.name() + (channels > 1 && actual instanceof ModelDenoiser md && md.channels() == 1 ? " per channel" : "");
    }

    /** {@code --overlap M|auto}: pixels, or -1 for automatic ({@link OptionText#overlap}). */
    static int parseOverlap(String s) {
        try {
            return OptionText.overlap(s).orElse(-1);
        } catch (IllegalArgumentException e) {
            throw new CliException("--overlap " + e.getMessage(), Main.EXIT_USAGE);
        }
    }
}
