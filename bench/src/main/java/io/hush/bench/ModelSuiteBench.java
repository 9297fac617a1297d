package io.hush.bench;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The JMH settings of the whole-model suite ({@link ModelBench}, {@link SeedTrainBench} and their peers), inherited
 * by each: calls per second, 3 x 2 s warm-up, 5 x 2 s measurement, one fork with the Vector API, native access (the
 * peers' libraries) and a 6 GB heap; {@code threads} = Hush's pool and the peers' intra-op threads. A subclass that
 * needs more of the fork declares its own {@link Fork}, which replaces this one whole.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
@State(Scope.Benchmark)
public abstract class ModelSuiteBench {
    @Param({"1", "2"})
    public int threads;
}
