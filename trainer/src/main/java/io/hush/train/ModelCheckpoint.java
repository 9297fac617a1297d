package io.hush.train;

import io.hush.train.state.State;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Keep-best: saves the model ({@code Model.save}, the .hush format, written atomically) whenever the monitored value
 * improves, with the epoch and metrics in its metadata. With {@code bestOnly=false} it saves after every epoch.
 */
public final class ModelCheckpoint implements Callback {
    private final Path file;
    private final Monitor monitor;
    private final boolean bestOnly;
    private double best = Double.NaN;
    private int saved;

    public ModelCheckpoint(Path file, String key) { this(file, Monitor.of(key), true); }

    public ModelCheckpoint(Path file, Monitor monitor, boolean bestOnly) {
        this.file = file;
        this.monitor = monitor;
        this.bestOnly = bestOnly;
    }

    public double best() { return best; }

    /** Models written so far. */
    public int saved() { return saved; }

    @Override
    public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
        double v = monitor.value(logs);
        boolean better = monitor.improved(v, best);
        if (better) best = v;
        if (!better && bestOnly) return;
        Map<String, String> meta = t.model().metadata();
        meta.put("train.epoch", Integer.toString(epoch + 1));
        meta.put("train.recipe", t.describe());
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            if (e.getKey().startsWith("val_") || e.getKey().equals("loss")) meta.put("train." + e.getKey(), String.format(Locale.ROOT, "%.6g", e.getValue()));
        }
        try {
            t.model().save(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save model " + file, e);
        }
        saved++;
    }

    @Override
    public void save(State s, String p) { s.putDoubles(p + "best", new double[] {best, saved}); }

    @Override
    public void load(State s, String p) {
        double[] d = s.getDoubles(p + "best");
        best = d[0];
        saved = (int) d[1];
    }
}
