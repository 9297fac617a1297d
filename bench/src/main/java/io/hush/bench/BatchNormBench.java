package io.hush.bench;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.ThreadPool;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Exec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * BatchNorm2D on {@code seed} = [32,28,28,32] and {@code big} = [8,64,64,64]: training forward (two reduction
 * passes + normalise), training backward (one reduction pass + dx), and inference forward (one fused pass).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@State(Scope.Benchmark)
public class BatchNormBench {
    @Param({"seed", "big"})
    public String shape;
    @Param({"1", "2"})
    public int threads;

    Arena arena;
    ThreadPool pool;
    BatchNorm2D layer;
    Tensor[] in, gradIn;
    Tensor out, gradOut;
    Exec train, infer;

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofShared();
        pool = new ThreadPool(threads);
        Shape inB = shape.equals("seed") ? Shape.of(32, 28, 28, 32) : Shape.of(8, 64, 64, 64);
        layer = new BatchNorm2D();
        layer.createParams(new Shape[] {inB.dropBatch()}, arena);
        layer.initialize(new SplittableRandom(1));
        in = new Tensor[] {Tensor.allocate(arena, inB)};
        gradIn = new Tensor[] {Tensor.allocate(arena, inB)};
        out = Tensor.allocate(arena, inB);
        gradOut = Tensor.allocate(arena, inB);
        SplittableRandom r = new SplittableRandom(3);
        for (long i = 0; i < in[0].size(); i++) in[0].set(i, (float) r.nextDouble());
        for (long i = 0; i < gradOut.size(); i++) gradOut.set(i, (float) r.nextDouble());
        Shape[] ins = {inB};
        train = new Exec(pool, true);
        train.state = arena.allocate(layer.stateFloats(ins, inB, threads) * 4, 64);
        train.scratch = arena.allocate(layer.scratchFloats(ins, inB, threads) * 4, 64);
        infer = new Exec(pool, false);
        infer.scratch = train.scratch;
        layer.forward(in, out, train);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public Tensor trainForward() {
        layer.forward(in, out, train);
        return out;
    }

    @Benchmark
    public Tensor trainBackward() {
        layer.backward(in, out, gradOut, gradIn, train);
        return gradIn[0];
    }

    @Benchmark
    public Tensor inferForward() {
        layer.forward(in, out, infer);
        return out;
    }
}
