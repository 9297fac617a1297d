package io.hush.engine.layers;

import io.hush.engine.ThreadPool;

import java.lang.foreign.MemorySegment;

/**
 * What a layer's forward/backward call may use besides its tensors: the thread pool, the mode, the layer's
 * own {@code state} (kept from forward to backward: pooling argmax, BatchNorm batch statistics, dropout mask)
 * and a {@code scratch} area shared by all layers (im2col/packing buffers, per-thread partial sums), both sized
 * by the layer's {@link Layer#stateFloats}/{@link Layer#scratchFloats} and planned once per batch shape.
 *
 * <p>An Exec is the per-call context of one pass, not shared between concurrent calls: a model keeps one in each
 * {@link io.hush.engine.graph.Plan}, and a call in flight owns its plan. For inference the pool is the model pool's
 * {@link ThreadPool#inlineWhenBusy()} view, so a layer's loop may run whole on the calling thread when another
 * call has the workers: inference kernels must give the same result for any split of their loops (one thread
 * computes each output element, in a fixed order). Training passes get the pool itself, so kernels with
 * per-thread partial sums ({@link #threads()} parts, reduced in thread order) stay deterministic.
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
