package io.hush.cli;

import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.train.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

@Command(name = "benchmark",
        header = "Measure a model's inference speed.",
        description = {"Runs the model on random batches: first --warmup seconds untimed (JIT compilation, workspace"
                + " planning), then batches back to back for --seconds. Prints images/s (median and the 10th-90th"
                + " percentile spread over batches), milliseconds per batch, and GFLOP/s (forward FLOPs, multiply-add"
                + " = 2). The last line is 'throughput: N images/s' (the median), for scripts."},
        footer = {"  hush benchmark --model weights/gray-blind.hush --size 256x256 --threads 2",
                "  hush benchmark --model seed.hush --batch 128 --seconds 20"})
final class BenchmarkCommand extends BaseCommand {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "NAME|FILE",
            description = "Model to run: a .hush/.onnx file or a name in weights/.")
    String model;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1", description = "Images per batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--size", paramLabel = "HxW",
            description = "Image size for fully-convolutional models (default: the model's own input size).")
    String size;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all cores).")
    Integer threads;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10", description = "Measuring time (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "2", description = "Untimed warm-up time (default ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--profile",
            description = "After the measurement, time every layer over the same number of batches and print a table"
                    + " (layer, output shape, ms per batch, share of the time, GFLOP/s).")
    boolean profile;

    @Override
    public Integer call() {
        if (batch < 1) throw new CliException("--batch must be >= 1", Main.EXIT_USAGE);
        if (!(seconds > 0) || !(warmup >= 0)) throw new CliException("--seconds must be > 0 and --warmup >= 0", Main.EXIT_USAGE);
        if (threads != null && threads < 1) throw new CliException("--threads must be >= 1", Main.EXIT_USAGE);
        ModelFiles.Found found = ModelFiles.require(model);
        try (Model m = found.loadForInference(); Arena arena = Arena.ofShared()) {
            if (threads != null) m.threads(threads);
            Shape per = m.inputShape();
            if (size != null) {
                if (per.rank() != 3) throw new CliException("--size: the model takes vectors " + per + ", not images");
                int[] hw = InfoCommand.parseSize(size, "--size");
                per = Shape.of(hw[0], hw[1], per.dim(2));
                try {
                    m.outputShape(per);
                } catch (IllegalArgumentException e) {
                    throw new CliException("--size " + size + ": " + Main.oneLine(e.getMessage()));
                }
            }
            long flops = m.flops(per);
            Tensor x = Tensor.allocate(arena, per.withBatch(batch));
            SplittableRandom rng = new SplittableRandom(1);
            for (long i = 0; i < x.size(); i++) x.set(i, (float) rng.nextDouble());
            info("model %s, input %s x %d, %d thread(s), %.3f GFLOP per image", found.name(), per, batch, m.threads(),
                    flops / 1e9);
            long end = System.nanoTime() + (long) (warmup * 1e9);
            do {
                m.forward(x);
            } while (System.nanoTime() < end);
            List<Double> times = new ArrayList<>();
            long start = System.nanoTime(), stop = start + (long) (seconds * 1e9);
            try (ProgressBar bar = progress("benchmark", (long) (seconds * 1000))) {
                while (true) {
                    long t0 = System.nanoTime();
                    m.forward(x);
                    long t1 = System.nanoTime();
                    times.add((t1 - t0) / 1e9);
                    bar.update((t1 - start) / 1_000_000);
                    if (t1 >= stop && times.size() >= 3) break;
                }
            }
            Collections.sort(times);
            double med = pct(times, 50), fast = pct(times, 10), slow = pct(times, 90);
            result("batches: %d in %.1f s", times.size(), times.stream().mapToDouble(Double::doubleValue).sum());
            result("images/s: %.1f median (%.1f - %.1f, 10th-90th percentile)", batch / med, batch / slow, batch / fast);
            result("ms/batch: %.2f median (%.2f - %.2f)", med * 1e3, fast * 1e3, slow * 1e3);
            result("GFLOP/s: %.2f", flops * (double) batch / med / 1e9);
            if (profile) printProfile(m, x, per, times.size());
            result("throughput: %.1f images/s", batch / med);
        }
        return Main.EXIT_OK;
    }

    /** Runs {@code batches} more forward passes with per-node timing and prints where the time goes. */
    private void printProfile(Model m, Tensor x, Shape per, int batches) {
        long[] flops = m.nodeFlops(per);
        Shape[] shapes = m.nodeShapes(per);
        m.profiling(true);
        for (int i = 0; i < batches; i++) m.forward(x);
        long[] ns = m.profile();
        m.profiling(false);
        long total = 0;
        for (long t : ns) total += t;
        result("%-4s %-18s %-20s %10s %6s %9s", "node", "layer", "output", "ms/batch", "time", "GFLOP/s");
        for (int i = 1; i < ns.length; i++) {
            var node = m.nodes().get(i);
            double ms = ns[i] / 1e6 / batches;
            double gf = ns[i] == 0 ? 0 : flops[i] * (double) batch * batches / ns[i];
            result("%-4d %-18s %-20s %10.3f %5.1f%% %9.2f", i, node.layer().name(), shapes[i], ms, 100.0 * ns[i] / total, gf);
        }
    }

    private static double pct(List<Double> sorted, int p) {
        int i = (int) Math.round((sorted.size() - 1) * p / 100.0);
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
