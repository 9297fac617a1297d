package io.hush.train;

import io.hush.train.state.State;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-epoch logs of a run, in order (what Keras' fit returns). */
public final class History {
    private final List<Map<String, Double>> epochs = new ArrayList<>();

    public void add(Map<String, Double> logs) { epochs.add(Collections.unmodifiableMap(new LinkedHashMap<>(logs))); }

    public List<Map<String, Double>> epochs() { return Collections.unmodifiableList(epochs); }

    public int size() { return epochs.size(); }

    public boolean isEmpty() { return epochs.isEmpty(); }

    public Map<String, Double> last() { return epochs.isEmpty() ? Map.of() : epochs.get(epochs.size() - 1); }

    /** One metric over epochs (NaN where an epoch lacks it). */
    public double[] get(String key) {
        double[] v = new double[epochs.size()];
        for (int i = 0; i < v.length; i++) v[i] = epochs.get(i).getOrDefault(key, Double.NaN);
        return v;
    }

    /** Every key that appears, in first-seen order. */
    public List<String> keys() {
        LinkedHashMap<String, Boolean> k = new LinkedHashMap<>();
        for (Map<String, Double> e : epochs) for (String s : e.keySet()) k.put(s, true);
        return new ArrayList<>(k.keySet());
    }

    void save(State s, String prefix) {
        List<String> keys = keys();
        s.putString(prefix + "keys", String.join("\n", keys));
        s.putLong(prefix + "count", epochs.size());
        for (String k : keys) s.putDoubles(prefix + "v/" + k, get(k));
    }

    void load(State s, String prefix) {
        epochs.clear();
        int n = (int) s.getLong(prefix + "count");
        String joined = s.getString(prefix + "keys");
        List<String> keys = joined.isEmpty() ? List.of() : List.of(joined.split("\n"));
        for (int i = 0; i < n; i++) {
            Map<String, Double> m = new LinkedHashMap<>();
            for (String k : keys) {
                double v = s.getDoubles(prefix + "v/" + k)[i];
                if (!Double.isNaN(v)) m.put(k, v);
            }
            add(m);
        }
    }

    @Override public String toString() { return epochs.toString(); }
}
