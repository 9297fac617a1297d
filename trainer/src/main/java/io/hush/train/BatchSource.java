package io.hush.train;

import io.hush.data.Batch;

/**
 * Where the training loop gets its (noisy, clean) batches. The order inside an epoch must be a pure function of
 * the source's seed and the epoch number, so that {@code epoch(e)} followed by {@code skip(k)} puts the source in
 * exactly the state it had after the k-th batch of epoch e: that is how a resumed run continues bit for bit.
 *
 * <p>Implementations: {@link ArraySource} (in-memory images, shuffled per epoch) and {@link NoisySource} (adds
 * fresh noise from io.hush.noise to a clean source, seeded per epoch and batch). A background loader that prepares
 * batches ahead only has to hand them out in that same order.
 */
public interface BatchSource {
    /** Batches per epoch. */
    int batches();

    /** Starts epoch {@code e} (0-based): the next {@link #next} returns its first batch. */
    void epoch(int e);

    /** The next batch of the current epoch; valid until the next call. */
    Batch next();

    /** Skips {@code k} batches of the current epoch (resume); the default draws and drops them. */
    default void skip(int k) {
        for (int i = 0; i < k; i++) next();
    }

    /** Samples per epoch, for images/s and progress (the default assumes full batches of the first one). */
    default long samples() { return -1; }
}
