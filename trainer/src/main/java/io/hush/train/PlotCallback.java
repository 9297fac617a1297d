package io.hush.train;

import io.hush.data.Batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * After every epoch: {@code dir/history.png} (loss and PSNR curves) and, given validation data,
 * {@code dir/samples.png} (clean / noisy / denoised for the first {@code count} validation images).
 */
public final class PlotCallback implements Callback {
    private final Path dir;
    private final BatchSource val;
    private final int count;

    public PlotCallback(Path dir, BatchSource val, int count) {
        this.dir = dir;
        this.val = val;
        this.count = count;
    }

    @Override
    public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
        try {
            Plots.history(t.history(), dir.resolve("history.png"));
            if (val != null && count > 0) {
                val.epoch(0);
                Batch b = val.next();
                int n = Math.min(count, b.n());
                int m = n * b.sampleSize();
                float[] noisy = java.util.Arrays.copyOf(b.input(), m), clean = java.util.Arrays.copyOf(b.target(), m);
                float[] den = t.denoise(noisy, n, b.h(), b.w(), b.c());
                Plots.samples(clean, noisy, den, n, b.h(), b.w(), b.c(), dir.resolve("samples.png"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plots in " + dir, e);
        }
    }
}
