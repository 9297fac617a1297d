package io.hush.train;

import io.hush.train.state.State;

import java.util.List;
import java.util.Map;

/**
 * Stops training once the monitored value has not improved for {@code patience} epochs in a row (Keras EarlyStopping).
 * With {@link #restoringBest} the weights of the best epoch are put back when it stops (or at the end).
 */
public final class EarlyStopping implements Callback {
    private final Monitor monitor;
    private final int patience;
    private boolean restoreBest;
    private double best = Double.NaN;
    private int wait, bestEpoch = -1;
    private List<float[]> bestWeights;

    /** Watches the log value {@code key} (its direction from {@link Monitor#of}). */
    public EarlyStopping(String key, int patience) { this(Monitor.of(key), patience); }

    /** Watches {@code monitor}; the weights stay those of the last epoch unless {@link #restoringBest}. */
    public EarlyStopping(Monitor monitor, int patience) {
        if (patience < 0) throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        this.monitor = monitor;
        this.patience = patience;
    }

    /** Puts the best epoch's weights back when it stops (or at the end). */
    public EarlyStopping restoringBest() {
        restoreBest = true;
        return this;
    }

    public int bestEpoch() { return bestEpoch; }

    @Override
    public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
        double v = monitor.value(logs);
        if (monitor.improved(v, best)) {
            best = v;
            bestEpoch = epoch;
            wait = 0;
            if (restoreBest) bestWeights = t.snapshot();
        } else if (++wait >= patience) {
            t.stop();
        }
    }

    @Override
    public void onTrainEnd(Trainer t, History h) {
        if (restoreBest && bestWeights != null) t.restore(bestWeights);
    }

    @Override
    public void save(State s, String p) {
        s.putDoubles(p + "state", new double[] {best, wait, bestEpoch});
        if (bestWeights != null) {
            s.putLong(p + "weights", bestWeights.size());
            for (int i = 0; i < bestWeights.size(); i++) s.putFloats(p + "w/" + i, bestWeights.get(i));
        }
    }

    @Override
    public void load(State s, String p) {
        double[] d = s.getDoubles(p + "state");
        best = d[0];
        wait = (int) d[1];
        bestEpoch = (int) d[2];
        if (s.has(p + "weights")) {
            int n = (int) s.getLong(p + "weights");
            bestWeights = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) bestWeights.add(s.getFloats(p + "w/" + i));
        }
    }
}
