package io.hush.bench;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.ThreadPool;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * What the layer benchmarks set up alike: an arena and a thread pool ({@link #open}), the input, output
 * and their gradients of one layer call ({@link #tensors}), aligned scratch ({@link #floats}), and the tear-down
 * that frees them after the trial.
 */
@State(Scope.Benchmark)
public abstract class LayerBench {
    Arena arena;
    ThreadPool pool;
    Tensor[] in, gradIn;
    Tensor out, gradOut;

    /** A shared arena and a pool of {@code threads}. */
    void open(int threads) {
        arena = Arena.ofShared();
        pool = new ThreadPool(threads);
    }

    /**
     * Input and input gradient {@code inB}, output and output gradient {@code outB} (batched shapes); the input,
     * then the output gradient, drawn from {@code seed}: uniform in [0,1), or in [-1,1) when {@code signed}.
     */
    void tensors(Shape inB, Shape outB, long seed, boolean signed) {
        in = new Tensor[] {Tensor.allocate(arena, inB)};
        gradIn = new Tensor[] {Tensor.allocate(arena, inB)};
        out = Tensor.allocate(arena, outB);
        gradOut = Tensor.allocate(arena, outB);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < in[0].size(); i++) in[0].set(i, (float) (signed ? r.nextDouble() * 2 - 1 : r.nextDouble()));
        for (long i = 0; i < gradOut.size(); i++) gradOut.set(i, (float) (signed ? r.nextDouble() * 2 - 1 : r.nextDouble()));
    }

    /** {@code n} floats of 64-byte-aligned memory in the arena (scratch, state, per-channel vectors). */
    MemorySegment floats(long n) { return arena.allocate(n * 4, 64); }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }
}
