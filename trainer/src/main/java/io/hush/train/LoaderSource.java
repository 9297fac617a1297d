package io.hush.train;

import io.hush.data.Batch;
import io.hush.data.BatchLoader;

/**
 * Adapts the data package's {@link BatchLoader} (patches, augmentation, noise, background prefetching; every batch a
 * pure function of its seed, epoch and index) to {@link BatchSource}. {@link #skip} restarts the prefetcher at the
 * resume point instead of making the skipped batches. Close it to stop the background thread.
 */
public final class LoaderSource implements BatchSource, AutoCloseable {
    private final BatchLoader loader;
    private BatchLoader.Prefetcher current;
    private int epoch, cursor;
    private boolean started;

    public LoaderSource(BatchLoader loader) { this.loader = loader; }

    @Override public int batches() { return loader.batchesPerEpoch(); }

    @Override public long samples() {
        int b = loader.config().batchSize();
        return loader.config().dropLast() ? (long) batches() * b : loader.samplesPerEpoch();
    }

    @Override
    public void epoch(int e) {
        close();
        epoch = e;
        cursor = 0;
        started = false;
    }

    @Override
    public void skip(int k) {
        if (started) throw new IllegalStateException("skip only right after epoch(e)");
        cursor += k;
    }

    @Override
    public Batch next() {
        if (!started) {
            current = loader.epoch(epoch, cursor);
            started = true;
        }
        cursor++;
        return current.next();
    }

    @Override
    public void close() {
        if (current != null) current.close();
        current = null;
    }
}
