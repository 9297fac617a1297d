package io.hush.bench;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.ThreadPool;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the layer benchmarks set up alike: an arena and a pool of {@code threads} ({@link #open}), the input, output
 * and their gradients of one layer call ({@link #tensors}), aligned scratch ({@link #floats}), and the tear-down
 * that frees them after the trial. The JMH settings here (microseconds per call, 3 x 1 s warm-up, 4 x 1 s
 * measurement, one fork with the Vector API and a 2 GB heap) are those of the light layers, {@link PoolBench} and
 * {@link BatchNormBench}; {@link ConvBench} and {@link DenseBench} (calls per second with a FLOP counter, longer
 * iterations, a 4 GB heap) declare their own.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@State(Scope.Benchmark)
public abstract class LayerBench {
    @Param({"1", "2"})
    public int threads;

    Arena arena;
    ThreadPool pool;
    Tensor[] in, gradIn;
    Tensor out, gradOut;

    /** A shared arena and a pool of {@code threads}. */
    void open() {
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
