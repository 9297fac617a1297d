package io.hush.bench;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.ThreadPool;
import io.hush.train.loss.MsSsimLoss;
import io.hush.train.loss.SsimLoss;
import io.hush.train.optim.Adam;
import io.hush.train.optim.UpdateKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Training-side costs per step outside the network: an Adam update over the seed network's 9.9M parameters (SIMD
 * kernel through {@link Adam#step} on 1 or 2 threads, and the scalar reference on one thread; memory-bound, 28 bytes
 * per parameter), and the SSIM / MS-SSIM loss with gradient on an MNIST batch {@code [128,28,28,1]}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@State(Scope.Benchmark)
public class OptimizerBench {
    static final int PARAMS = 9_912_129; // Architectures.seed(): conv 320 + 18,496, dense 9,837,632, convT 36,928 + 18,464, conv 289

    @Param({"1", "2"})
    public int threads;

    Arena arena;
    ThreadPool pool;
    io.hush.engine.layers.Param p;
    Adam adam;
    Tensor m, v;
    float[] y, t, g;
    SsimLoss ssim;
    MsSsimLoss msssim;

    @Setup
    public void setup() {
        arena = Arena.ofShared();
        pool = new ThreadPool(threads);
        Tensor w = Tensor.allocate(arena, PARAMS), gr = Tensor.allocate(arena, PARAMS);
        for (long i = 0; i < PARAMS; i++) {
            w.set(i, (float) Math.sin(i));
            gr.set(i, (float) Math.cos(i) * 1e-3f);
        }
        p = new io.hush.engine.layers.Param("w", w, gr, true, true);
        adam = new Adam(1e-3);
        adam.attach(List.of(p), pool);
        m = Tensor.allocate(arena, PARAMS);
        v = Tensor.allocate(arena, PARAMS);
        int n = 128 * 28 * 28;
        y = new float[n];
        t = new float[n];
        g = new float[n];
        for (int i = 0; i < n; i++) {
            t[i] = (float) (0.5 + 0.4 * Math.sin(i * 0.05));
            y[i] = (float) (t[i] + 0.1 * Math.cos(i * 0.7));
        }
        ssim = new SsimLoss();
        msssim = new MsSsimLoss();
    }

    @TearDown
    public void tearDown() {
        adam.close();
        pool.close();
        arena.close();
    }

    @Benchmark
    public void adamStep() { adam.step(); }

    /** The scalar reference on one thread, for the SIMD speed-up (ignores {@code threads}). */
    @Benchmark
    public void adamScalar() {
        UpdateKernels.adamScalar(p.value.data(), p.grad.data(), m.data(), v.data(), 0, PARAMS, 0.9f, 0.1f, 0.999f, 0.001f,
                1e-3f, 1f, 1e-8f, 1f);
    }

    @Benchmark
    public double ssimLossAndGradient() { return ssim.compute(y, t, g, Shape.of(128, 28, 28, 1), pool); }

    @Benchmark
    public double msssimLossAndGradient() { return msssim.compute(y, t, g, Shape.of(128, 28, 28, 1), pool); }
}
