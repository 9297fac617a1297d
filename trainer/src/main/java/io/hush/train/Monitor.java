package io.hush.train;

import java.util.Map;

/** Which log value a callback watches and whether lower (loss) or higher (PSNR, SSIM) is better. */
public record Monitor(String key, boolean higherIsBetter, double minDelta) {
    /** The key's natural direction: *psnr and *ssim go up, everything else (losses) goes down. */
    public static Monitor of(String key) {
        return new Monitor(key, key.contains("psnr") || key.contains("ssim"), 0);
    }

    public Monitor withMinDelta(double d) { return new Monitor(key, higherIsBetter, d); }

    /** The watched value in these logs; a clear error if it is missing (e.g. val_* without validation data). */
    public double value(Map<String, Double> logs) {
        Double v = logs.get(key);
        if (v == null) throw new IllegalArgumentException("monitored value '" + key + "' is not in the epoch logs " + logs.keySet());
        return v;
    }

    /** Whether {@code v} beats {@code best} by more than minDelta (anything beats NaN). */
    public boolean improved(double v, double best) {
        if (Double.isNaN(v)) return false;
        if (Double.isNaN(best)) return true;
        return higherIsBetter ? v > best + minDelta : v < best - minDelta;
    }
}
