package io.hush.cli;

import io.hush.train.Architectures;
import io.hush.train.TrainConfig;
import io.hush.train.Training;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

@Command(name = "train",
        header = "Train a denoising model.",
        description = {"Starts from a preset recipe (default seed-mnist), applies a config file if given, then the"
                + " options below and any KEY=VALUE overrides, and runs the training: data from the shared data folder"
                + " or your own image folder, noise added on the fly, progress per epoch, a CSV log, plots and sample"
                + " images in the run folder, checkpoints (resume with --resume), keep-best on the validation metric,"
                + " and the model written to the 'out' path (a .hush file, usable by 'hush denoise --model')."},
        footer = {"  hush train                                   the seed recipe: MNIST, Gaussian noise, 30 epochs",
                "  hush train --preset dncnn --epochs 5          DnCNN-S on Train400, validated on Set12",
                "  hush train --config my.conf lr=3e-4 batch=64  a config file (key = value lines or JSON) + overrides",
                "  hush train --preset dncnn --show-config       print every key and its value, then stop",
                "",
                "Every config key (see --show-config) can be given as KEY=VALUE."})
final class TrainCommand extends BaseCommand {
    @Parameters(paramLabel = "KEY=VALUE", arity = "0..*",
            description = "Overrides of any config key, e.g. epochs=5 lr=3e-4 arch=dncnn depth=10 noise=gaussian:0-55.")
    List<String> overrides = new ArrayList<>();

    @Option(names = {"-p", "--preset"}, paramLabel = "NAME", defaultValue = "seed-mnist", completionCandidates = Presets.class,
            description = "Starting recipe: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Config file applied on top of the preset: 'key = value' lines (# comments) or a flat JSON object.")
    Path config;

    @Option(names = "--data", paramLabel = "NAME|DIR",
            description = "Training data: mnist, fashion, train400, or a folder of images.")
    String data;

    @Option(names = "--noise", paramLabel = "SPEC", description = "Noise to learn to remove, e.g. gaussian:25 or gaussian:0-55 (blind).")
    String noise;

    @Option(names = "--arch", paramLabel = "NAME", completionCandidates = Archs.class,
            description = "Network: ${COMPLETION-CANDIDATES}.")
    String arch;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs to train.")
    Integer epochs;

    @Option(names = "--batch", paramLabel = "N", description = "Batch size.")
    Integer batch;

    @Option(names = "--lr", paramLabel = "X", description = "Learning rate.")
    Double lr;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for initialisation, shuffling and noise.")
    Long seed;

    @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all cores).")
    Integer threads;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Where to write the trained model (.hush).")
    String out;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Folder for the log, plots, samples and checkpoints.")
    String runDir;

    @Option(names = "--resume", description = "Continue from the run folder's last checkpoint.")
    boolean resume;

    @Option(names = "--show-config", description = "Print the resolved configuration (every key) and exit without training.")
    boolean showConfig;

    @Override
    public Integer call() throws IOException {
        TrainConfig cfg;
        try {
            cfg = TrainConfig.preset(preset);
            if (config != null) {
                if (!Files.isRegularFile(config)) throw new CliException(config + ": no such config file");
                cfg.load(config);
            }
            Map<String, Object> opts = new java.util.LinkedHashMap<>();
            opts.put("data", data);
            opts.put("noise", noise);
            opts.put("arch", arch);
            opts.put("epochs", epochs);
            opts.put("batch", batch);
            opts.put("lr", lr);
            opts.put("seed", seed);
            opts.put("threads", threads);
            opts.put("out", out);
            opts.put("runDir", runDir);
            for (Map.Entry<String, Object> e : opts.entrySet()) if (e.getValue() != null) cfg.set(e.getKey(), e.getValue().toString());
            if (resume) cfg.set("resume", "true");
            cfg.override(overrides);
        } catch (IllegalArgumentException e) {
            throw new CliException(Main.oneLine(e.getMessage()), Main.EXIT_USAGE);
        }
        if (showConfig) {
            out().print(cfg);
            out().flush();
            return Main.EXIT_OK;
        }
        Path target = Path.of(cfg.out).toAbsolutePath();
        if (target.getParent() != null) Files.createDirectories(target.getParent());
        PrintStream log = quiet() ? new PrintStream(OutputStream.nullOutputStream())
                : Main.interactive ? System.out : new PrintStream(new WriterStream(out()), true, StandardCharsets.UTF_8);
        Training.Result r;
        try {
            r = Training.run(cfg, log);
        } catch (IllegalArgumentException e) {
            throw new CliException(Main.oneLine(e.getMessage()));
        } finally {
            log.flush();
        }
        result("trained model: %s (run folder %s)", r.model(), r.runDir());
        return Main.EXIT_OK;
    }

    /** The preset names, from {@link TrainConfig#presets()} (the help lists them). */
    static final class Presets implements Iterable<String> {
        @Override public Iterator<String> iterator() { return TrainConfig.presets().iterator(); }
    }

    /** The network names, from {@link Architectures.Arch} (the help lists them). */
    static final class Archs implements Iterable<String> {
        @Override public Iterator<String> iterator() {
            return Arrays.stream(Architectures.Arch.values()).map(Architectures.Arch::text).iterator();
        }
    }

    /** Bytes written to a PrintStream, passed on to a PrintWriter (picocli's, which tests capture). */
    static final class WriterStream extends OutputStream {
        private final PrintWriter w;
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

        WriterStream(PrintWriter w) { this.w = w; }

        @Override public void write(int b) {
            buf.write(b);
            if (b == '\n' || b == '\r') flush();
        }

        @Override public void flush() {
            w.print(buf.toString(StandardCharsets.UTF_8));
            w.flush();
            buf.reset();
        }
    }
}
