package io.hush.bench;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.GemmScalar;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Exec;
import io.hush.engine.layers.KernelStorage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The seed network's Dense 3136 -> 3136 (a 39 MB kernel) at batch 1 (GEMV, memory-bound) and batch 128 (GEMM).
 * Score: calls per second; the {@code gflop} counter is GFLOP per second (forward = 2*N*In*Out, backward =
 * 4*N*In*Out for dX and dW). {@code impl=scalar} is the {@link GemmScalar} reference (rows split over threads,
 * so at batch 1 it runs on one thread whatever {@code threads} says); backward is SIMD only. {@code impl=int8}: the
 * kernel kept as int8 ({@link KernelStorage#INT8}, 9.8 MB instead of 39 MB), widened in registers; forward only.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class DenseBench extends LayerBench {
    static final int F = 3136;

    @Param({"1", "128"})
    public int batch;
    @Param({"simd", "scalar", "int8"})
    public String impl;

    Dense dense;
    Exec ex;

    @Setup(Level.Trial)
    public void setup() {
        open();
        dense = new Dense(F, Activation.LINEAR, true);
        if (impl.equals("int8")) dense.kernelStorage(KernelStorage.INT8);
        Shape[] per = {Shape.of(F)};
        dense.createParams(per, arena);
        dense.initialize(new SplittableRandom(1));
        Shape inB = Shape.of(batch, F), outB = Shape.of(batch, F);
        tensors(inB, outB, 2, false);
        ex = new Exec(pool, !impl.equals("int8")); // int8 is inference only
        ex.scratch = floats(dense.scratchFloats(new Shape[] {inB}, outB, threads));
    }

    @Benchmark
    public Tensor forward(ModelBench.Flops f) {
        if (!impl.equals("scalar")) {
            dense.forward(in, out, ex);
        } else {
            GemmScalar.gemm(pool, batch, F, F, in[0].data(), F, 1, dense.kernel().value.data(), F, 1, out.data(),
                    dense.bias().value.data(), Activation.LINEAR);
        }
        f.gflop += 2L * batch * F * F * 1e-9;
        return out;
    }

    @Benchmark
    public Tensor backward(ModelBench.Flops f) {
        if (!impl.equals("simd")) return out; // no scalar or int8 backward; skip quickly
        dense.backward(in, out, gradOut, gradIn, ex);
        f.gflop += 4L * batch * F * F * 1e-9;
        return gradIn[0];
    }
}
