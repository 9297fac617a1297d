package io.hush.train;

import io.hush.data.Batch;
import io.hush.data.Seeds;
import io.hush.noise.NoiseModel;

/**
 * Adds noise on the fly to the clean images of another source: fresh noise for every batch, seeded from
 * {@code (seed, epoch, batch)} so the same seed gives the same noise and a resumed run sees the noise it would have.
 * {@link #fixed} noise depends on the batch index only (the same noisy validation set every epoch).
 */
public final class NoisySource implements BatchSource {
    private final BatchSource clean;
    private final NoiseModel noise;
    private final long seed;
    private final boolean fixed;
    private int epoch, cursor;

    /** Fresh noise every epoch and batch, from {@code (seed, epoch, batch)}: for training. */
    public static NoisySource fresh(BatchSource clean, NoiseModel noise, long seed) { return new NoisySource(clean, noise, seed, false); }

    /** The same noise every epoch, from {@code (seed, batch)}: a fixed noisy validation set. */
    public static NoisySource fixed(BatchSource clean, NoiseModel noise, long seed) { return new NoisySource(clean, noise, seed, true); }

    private NoisySource(BatchSource clean, NoiseModel noise, long seed, boolean fixed) {
        this.clean = clean;
        this.noise = noise;
        this.seed = seed;
        this.fixed = fixed;
    }

    public NoiseModel noise() { return noise; }

    @Override public int batches() { return clean.batches(); }

    @Override public long samples() { return clean.samples(); }

    @Override
    public void epoch(int e) {
        clean.epoch(e);
        epoch = e;
        cursor = 0;
    }

    @Override
    public void skip(int k) {
        clean.skip(k);
        cursor += k;
    }

    @Override
    public Batch next() {
        Batch b = clean.next();
        System.arraycopy(b.target(), 0, b.input(), 0, b.target().length);
        noise.applyBatch(b.input(), b.n(), b.c(), Seeds.derive(seed, 0x0015E, fixed ? -1 : epoch, cursor));
        cursor++;
        return b;
    }
}
