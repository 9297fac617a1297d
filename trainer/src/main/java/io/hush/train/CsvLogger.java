package io.hush.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One CSV row per epoch (header = every log key seen). The file is rewritten from the whole history after each epoch
 * (temporary file + move), so a resumed run continues the same file without duplicate or missing rows.
 */
public final class CsvLogger implements Callback {
    private final Path file;

    public CsvLogger(Path file) { this.file = file; }

    @Override
    public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
        write(t.history(), file);
    }

    /** Writes a history as CSV. */
    public static void write(History h, Path file) {
        List<String> keys = h.keys();
        StringBuilder sb = new StringBuilder(String.join(",", keys)).append('\n');
        for (Map<String, Double> e : h.epochs()) {
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) sb.append(',');
                Double v = e.get(keys.get(i));
                if (v == null || v.isNaN()) continue;
                sb.append(keys.get(i).equals("epoch") ? Long.toString(v.longValue()) : String.format(Locale.ROOT, "%.8g", v));
            }
            sb.append('\n');
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = io.hush.data.TempFiles.beside(file);
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            io.hush.data.TempFiles.moveIntoPlace(tmp, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write training log " + file, e);
        }
    }
}
