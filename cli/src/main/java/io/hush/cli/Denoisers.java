package io.hush.cli;

import io.hush.denoise.Denoiser;
import io.hush.denoise.GrayColorDenoiser;
import io.hush.denoise.ModelDenoiser;
import io.hush.engine.Model;

import java.util.Locale;

/**
 * Turns {@code --model} into a {@link Denoiser}: {@code classic:NAME} is a classical filter; a file or name is a
 * model (see {@link ModelFiles}); no option means the shipped default model, or, while none is installed, the best
 * classical filter, and the command says so.
 */
final class Denoisers {
    /** An opened denoiser, its (first) model (null for classical filters) and any other model to close with it. */
    record Opened(Denoiser denoiser, Model model, String source, Model other) implements AutoCloseable {
        Opened(Denoiser denoiser, Model model, String source) {
            this(denoiser, model, source, null);
        }

        @Override public void close() {
            try {
                if (model != null) model.close();
            } finally {
                if (other != null) other.close();
            }
        }
    }

    /** The colour model that {@code auto} (and no --model) runs on RGB images when it is installed. */
    static final String DEFAULT_COLOR = "color-blind";

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
        ModelFiles.Found color = auto ? ModelFiles.find(DEFAULT_COLOR) : null;
        if (color == null) return gray;
        try {
            Opened rgb = openModel(color, tile, overlap, threads, cmd);
            cmd.info("auto: %s for gray images, %s for colour ones", found.name(), color.name());
            return new Opened(GrayColorDenoiser.of(gray.denoiser(), rgb.denoiser()), gray.model(),
                    found.where() + ", " + color.where(), rgb.model());
        } catch (RuntimeException e) {
            gray.close();
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

    static int parseOverlap(String s) {
        if (s == null || s.equalsIgnoreCase("auto")) return -1;
        try {
            int v = Integer.parseInt(s.trim());
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new CliException("--overlap " + s + ": expected pixels >= 0 or 'auto'", Main.EXIT_USAGE);
        }
    }
}
