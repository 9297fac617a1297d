package io.hush.cli;

import io.hush.denoise.Denoiser;
import io.hush.denoise.ModelDenoiser;
import io.hush.engine.Model;

import java.util.Locale;

/**
 * Turns {@code --model} into a {@link Denoiser}: {@code classic:NAME} is a classical filter; a file or name is a
 * model (see {@link ModelFiles}); no option means the shipped default model, or, while none is installed, the best
 * classical filter, and the command says so.
 */
final class Denoisers {
    /** An opened denoiser and the model to close with it (null for classical filters). */
    record Opened(Denoiser denoiser, Model model, String source) implements AutoCloseable {
        @Override public void close() {
            if (model != null) model.close();
        }
    }

    private Denoisers() {}

    static Opened open(String spec, Integer tile, String overlap, Integer threads, BaseCommand cmd) {
        if (spec != null && spec.toLowerCase(Locale.ROOT).startsWith("classic:")) {
            Denoiser d = Classic.denoiser(spec.substring("classic:".length()));
            cmd.info("method: %s (classical)", d.name());
            return new Opened(d, null, "classical");
        }
        ModelFiles.Found found;
        if (spec == null) {
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
        Model m = found.loadForInference();
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
