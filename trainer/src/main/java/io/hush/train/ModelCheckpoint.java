package io.hush.train;

import io.hush.train.state.State;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Keep-best: saves the model ({@code Model.save}, the .hush format, written atomically) whenever the monitored value
 * improves, with the epoch and metrics in its metadata.
 */
public final class ModelCheckpoint implements Callback {
    private final Path file;
    private final Monitor monitor;
    private double best = Double.NaN;
    private int saved;
    private boolean weightsOnly;

    /** Keep-best on the log value {@code key} (its direction from {@link Monitor#of}). */
    public ModelCheckpoint(Path file, String key) { this(file, Monitor.of(key)); }

    /** Saves whenever {@code monitor} improves. */
    public ModelCheckpoint(Path file, Monitor monitor) {
        this.file = file;
        this.monitor = monitor;
    }

    public double best() { return best; }

    /**
     * Writes only the parameter values (a checkpoint-format file with {@code param/i} entries, see
     * {@link #readWeights}) instead of a .hush model: for models with layers the model format does not cover.
     */
    public ModelCheckpoint weightsOnly() {
        weightsOnly = true;
        return this;
    }

    /** Loads a {@link #weightsOnly} file into the model's parameters (same architecture). */
    public static void readWeights(io.hush.engine.Model model, Path file) throws IOException {
        State s = State.read(file);
        java.util.List<io.hush.engine.layers.Param> ps = model.params();
        if (s.getLong("params") != ps.size()) throw new IOException(file + " holds " + s.getLong("params") + " parameters, the model has " + ps.size());
        for (int i = 0; i < ps.size(); i++) {
            float[] v = s.getFloats("param/" + i);
            if (v.length != ps.get(i).value.size()) throw new IOException(file + ": parameter " + i + " has " + v.length + " values, " + ps.get(i) + " needs " + ps.get(i).value.size());
            ps.get(i).value.copyFrom(v);
        }
    }

    /** Models written so far. */
    public int saved() { return saved; }

    @Override
    public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
        double v = monitor.value(logs);
        boolean better = monitor.improved(v, best);
        if (!better) return;
        best = v;
        Map<String, String> meta = t.model().metadata();
        meta.put("train.epoch", Integer.toString(epoch + 1));
        meta.put("train.recipe", t.describe());
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            if (e.getKey().startsWith("val_") || e.getKey().equals("loss")) meta.put("train." + e.getKey(), String.format(Locale.ROOT, "%.6g", e.getValue()));
        }
        try {
            if (weightsOnly) {
                State s = new State();
                java.util.List<io.hush.engine.layers.Param> ps = t.model().params();
                s.putLong("params", ps.size());
                for (int i = 0; i < ps.size(); i++) {
                    s.putString("param/" + i + "/name", ps.get(i).name);
                    s.putFloats("param/" + i, ps.get(i).value.toArray());
                }
                s.write(file);
            } else {
                t.model().save(file);
            }
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
