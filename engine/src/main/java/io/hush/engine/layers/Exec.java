package io.hush.engine.layers;

import io.hush.engine.ThreadPool;

import java.lang.foreign.MemorySegment;

/**
 * What a layer's forward/backward call may use besides its tensors: the thread pool, the mode, the layer's
 * own {@code state} (kept from forward to backward: pooling argmax, BatchNorm batch statistics, dropout mask)
 * and a {@code scratch} area shared by all layers (im2col/packing buffers, per-thread partial sums), both sized
 * by the layer's {@link Layer#stateFloats}/{@link Layer#scratchFloats} and planned once per batch shape.
 */
public final class Exec {
    public ThreadPool pool;
    public boolean training;
    public MemorySegment state = MemorySegment.NULL;
    public MemorySegment scratch = MemorySegment.NULL;
    /** Seed source for stochastic layers (Dropout); advanced by the trainer each step. */
    public long step;

    public Exec(ThreadPool pool, boolean training) {
        this.pool = pool;
        this.training = training;
    }

    public int threads() { return pool.threads(); }
}
