package io.hush.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The machine's Vector-API FMA throughput: the ceiling the convolution kernels are measured against, at the
 * machine's own vector width ({@code SPECIES_PREFERRED}: 4 lanes on SSE/NEON, 8 on AVX2, 16 on AVX-512).
 *
 * <p>12 independent accumulator chains ({@code a = a*b + c}) per step: an FMA has 4-5 cycles latency and x86
 * cores have two FMA ports, so at least 8-10 chains are needed to keep both busy; 12 fit in 16 registers (AVX2)
 * with the two operands, and leave room in 32 (AVX-512). Every invocation does the same {@link #FLOPS} whatever the
 * width: {@link #STEPS} = 65536 / lanes steps (JMH needs the operation count as a constant). Score = GFLOP/s
 * (ops/ns, FMA = 2 flops). {@code peak1} runs one thread, {@code peak2} two (one per core on this machine).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class FmaPeakBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int CHAINS = 12;
    /** Flops per invocation, any width: CHAINS chains x 65536 lanes' FMAs x 2 flops. */
    static final int FLOPS = CHAINS * 65536 * 2;
    /** Steps per invocation at this machine's width (lanes is a power of two up to 64 on every Vector API target). */
    static final int STEPS = 65536 / S.length();

    public float b = 0.999f, c = 1e-3f;

    @Benchmark
    @OperationsPerInvocation(FLOPS)
    @Threads(1)
    public float peak1() {
        return run(b, c);
    }

    @Benchmark
    @OperationsPerInvocation(FLOPS)
    @Threads(2)
    public float peak2() {
        return run(b, c);
    }

    /** Vectors are made here from scalars: passed-in FloatVectors of unknown class defeat C2's intrinsics. */
    private static float run(float bf, float cf) {
        FloatVector b = FloatVector.broadcast(S, bf), c = FloatVector.broadcast(S, cf);
        FloatVector a0 = c, a1 = c.add(1f), a2 = c.add(2f), a3 = c.add(3f), a4 = c.add(4f), a5 = c.add(5f);
        FloatVector a6 = c.add(6f), a7 = c.add(7f), a8 = c.add(8f), a9 = c.add(9f), a10 = c.add(10f), a11 = c.add(11f);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(b, c);
            a1 = a1.fma(b, c);
            a2 = a2.fma(b, c);
            a3 = a3.fma(b, c);
            a4 = a4.fma(b, c);
            a5 = a5.fma(b, c);
            a6 = a6.fma(b, c);
            a7 = a7.fma(b, c);
            a8 = a8.fma(b, c);
            a9 = a9.fma(b, c);
            a10 = a10.fma(b, c);
            a11 = a11.fma(b, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).reduceLanes(
                jdk.incubator.vector.VectorOperators.ADD);
    }
}
