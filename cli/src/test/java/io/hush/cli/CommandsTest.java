package io.hush.cli;

import io.hush.data.DataPaths;
import io.hush.image.FloatImage;
import io.hush.data.Images;
import io.hush.engine.Model;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Conv2D;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Each command end to end, in-process, with captured output. */
class CommandsTest {
    @TempDir Path dir;

    @Test
    void versionAndHelp() {
        Cli.Result v = Cli.run("--version");
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().startsWith("hush "), v.toString());
        for (String cmd : List.of("demo", "denoise", "noise", "eval", "info", "convert", "train", "benchmark")) {
            Cli.Result h = Cli.run(cmd, "--help");
            assertEquals(0, h.code(), cmd + "\n" + h);
            assertTrue(h.out().contains("Usage: hush " + cmd), cmd + "\n" + h);
        }
        assertEquals(2, Cli.run("no-such-command").code());
        Cli.Result bare = Cli.run();
        assertEquals(2, bare.code(), "no command: nothing done");
        assertTrue(bare.err().contains("Commands:"), bare.toString());
    }

    @Test
    void quietKeepsOnlyResults() throws IOException {
        Path clean = Cli.writeGray(dir.resolve("c.png"), 20, 20);
        for (String[] args : List.of(new String[] {"-q", "noise"}, new String[] {"noise", "--quiet"})) {
            Path o = dir.resolve("q" + args[0].length() + ".png");
            String[] full = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of(clean.toString(), o.toString(), "--type", "gaussian:5")).toArray(String[]::new);
            Cli.Result r = Cli.run(full);
            assertEquals(0, r.code(), r.toString());
            assertEquals("", r.out(), "quiet: " + r);
            assertTrue(Files.exists(o));
        }
        Cli.Result loud = Cli.run("noise", clean.toString(), dir.resolve("l.png").toString(), "--type", "gaussian:5");
        assertTrue(loud.out().contains("-> "), loud.toString());
    }

    @Test
    void everyOptionAndArgumentIsExplained() {
        CommandLine cl = Main.commandLine();
        for (CommandLine sub : cl.getSubcommands().values()) {
            for (CommandLine.Model.OptionSpec o : sub.getCommandSpec().options()) {
                assertTrue(o.description().length > 0 && !o.description()[0].isBlank(),
                        sub.getCommandName() + " " + o.longestName() + " has no description");
            }
            for (CommandLine.Model.PositionalParamSpec p : sub.getCommandSpec().positionalParameters()) {
                assertTrue(p.description().length > 0, sub.getCommandName() + " " + p.paramLabel() + " has no description");
            }
        }
    }

    @Test
    void demoFallsBackToAClassicalFilterAndSaysSo() throws IOException {
        String old = System.getProperty("hush.home");
        System.setProperty("hush.home", dir.toString()); // no weights/ here: no default model
        try {
            Path png = dir.resolve("demo.png");
            Cli.Result r = Cli.run("demo", "-o", png.toString());
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.err().contains("no trained default model is installed"), r.toString());
            assertTrue(r.out().contains("note: no trained model is installed yet, so this used the classical nlm filter"), r.toString());
            for (String s : DemoSamples.NAMES) assertTrue(r.out().contains(s), r.toString());
            assertTrue(r.out().contains("mean PSNR: noisy"), r.toString());
            double noisy = Double.parseDouble(r.out().replaceAll("(?s).*mean PSNR: noisy ([0-9.]+) dB.*", "$1"));
            double den = Double.parseDouble(r.out().replaceAll("(?s).*-> nlm ([0-9.]+) dB.*", "$1"));
            assertTrue(den > noisy + 5, "denoising helps: " + noisy + " -> " + den);
            FloatImage pic = Images.read(png);
            assertEquals(3, pic.channels());
            assertTrue(pic.width() > 3 * DemoSamples.SIZE, "clean | noisy | denoised side by side");
        } finally {
            if (old == null) System.clearProperty("hush.home");
            else System.setProperty("hush.home", old);
        }
    }

    @Test
    void noiseIsSeededAndKeepsTheBitDepth() throws IOException {
        Path clean = dir.resolve("clean.png");
        FloatImage g = Cli.gray(48, 40, 1).withBitDepth(16);
        Images.write(clean, g, Images.Format.PNG);
        Path a = dir.resolve("a.png"), b = dir.resolve("b.png"), c = dir.resolve("c.png");
        assertEquals(0, Cli.run("noise", clean.toString(), a.toString(), "--type", "gaussian:25", "--seed", "7").code());
        assertEquals(0, Cli.run("noise", clean.toString(), b.toString(), "--type", "gaussian:25", "--seed", "7").code());
        assertEquals(0, Cli.run("noise", clean.toString(), c.toString(), "--type", "gaussian:25", "--seed", "8").code());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)));
        FloatImage n = Images.read(a);
        assertEquals(16, n.bitDepth());
        double sd = 0;
        for (int i = 0; i < n.plane(0).length; i++) sd += Math.pow(n.plane(0)[i] - g.plane(0)[i], 2);
        assertEquals(25.0, 255 * Math.sqrt(sd / n.plane(0).length), 3.0, "noise of sigma 25");
        Cli.Result bad = Cli.run("noise", clean.toString(), dir.resolve("d.png").toString(), "--type", "gaussian:abc");
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("'abc' is not a number"), bad.toString());
        assertFalse(Files.exists(dir.resolve("d.png")));
    }

    /** A small Conv2D denoiser (untrained: only the plumbing is tested). */
    private Path convModel() throws IOException {
        Path f = dir.resolve("conv.hush");
        try (Model m = Model.builder(16, 16, 1).add(new Conv2D(4, 3, Activation.RELU)).add(new Conv2D(1, 3)).seed(5).build()) {
            m.card().name("conv");
            m.save(f);
        }
        return f;
    }

    @Test
    void infoAndConvertRoundTrip() throws IOException {
        Path model = convModel();
        Cli.Result info = Cli.run("info", model.toString());
        assertEquals(0, info.code(), info.toString());
        assertTrue(info.out().contains("Conv2D") && info.out().contains("Denoising: gray, any size"), info.toString());
        assertTrue(info.out().contains("receptive field radius 2 px"), info.toString());

        Path onnx = dir.resolve("conv.onnx"), back = dir.resolve("back.hush");
        Cli.Result c1 = Cli.run("convert", model.toString(), onnx.toString());
        assertEquals(0, c1.code(), c1.toString());
        Cli.Result c2 = Cli.run("convert", onnx.toString(), back.toString());
        assertEquals(0, c2.code(), c2.toString());
        Cli.Result again = Cli.run("convert", onnx.toString(), back.toString());
        assertEquals(1, again.code(), "refuses to replace without --overwrite");
        assertTrue(again.err().contains("already exists"), again.toString());

        Path img = Cli.writeGray(dir.resolve("in.png"), 40, 30);
        Path o1 = dir.resolve("o1.png"), o2 = dir.resolve("o2.png");
        assertEquals(0, Cli.run("denoise", img.toString(), "-o", o1.toString(), "-m", model.toString()).code());
        assertEquals(0, Cli.run("denoise", img.toString(), "-o", o2.toString(), "-m", back.toString()).code());
        assertArrayEquals(Images.read(o1).plane(0), Images.read(o2).plane(0), 1.5f / 255, "same model after .hush -> .onnx -> .hush");

        Cli.Result badInfo = Cli.run("info", img.toString());
        assertEquals(1, badInfo.code(), badInfo.toString());
        assertEquals(1, badInfo.errLines().size(), badInfo.toString());
    }

    @Test
    void evalPrintsATableAndWritesAComparison() throws IOException {
        Path data = Files.createDirectory(dir.resolve("data"));
        for (int i = 0; i < 3; i++) Images.write(data.resolve("img" + i + ".png"), Cli.gray(32, 32, i), Images.Format.PNG);
        Path pic = dir.resolve("cmp.png");
        Cli.Result r = Cli.run("eval", "--model", convModel().toString(), "--data", data.toString(), "--noise", "gaussian:25",
                "--baselines", "median,gaussian", "-o", pic.toString());
        assertEquals(0, r.code(), r.toString());
        for (String row : List.of("noisy input", "conv (model)", "median (classical)", "gaussian (classical)")) {
            assertTrue(r.out().contains(row), row + "\n" + r);
        }
        assertTrue(Files.exists(pic));
        Cli.Result missing = Cli.run("eval", "--data", dir.resolve("nope").toString(), "--noise", "gaussian:25");
        assertEquals(1, missing.code(), missing.toString());
        assertTrue(missing.err().contains("no such folder or file"), missing.toString());
    }

    @Test
    void benchmarkEndsWithTheThroughputLine() throws IOException {
        Cli.Result r = Cli.run("benchmark", "--model", convModel().toString(), "--size", "32x24", "--batch", "2",
                "--seconds", "0.2", "--warmup", "0");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(lines.size() - 1).matches("throughput: [0-9.]+ images/s"), r.toString());
        assertTrue(r.out().contains("GFLOP/s: ") && r.out().contains("ms/batch: "), r.toString());
        Cli.Result prof = Cli.run("benchmark", "--model", convModel().toString(), "--size", "32x24", "--seconds", "0.1",
                "--warmup", "0", "--profile");
        assertEquals(0, prof.code(), prof.toString());
        assertTrue(prof.out().contains("ms/batch") && prof.out().contains("[32,24,"), "profile rows show the measured shapes\n" + prof);
        assertTrue(prof.out().lines().anyMatch(l -> l.matches("1 +\\S+ +\\[32,24,\\d+\\] .*%.*")), prof.toString());
        Cli.Result bad = Cli.run("benchmark", "--model", convModel().toString(), "--size", "big");
        assertEquals(2, bad.code(), bad.toString());
    }

    @Test
    void trainShowsItsConfigAndRejectsUnknownKeys() {
        Cli.Result r = Cli.run("train", "--preset", "dncnn", "--epochs", "3", "lr=0.01", "--show-config");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("epochs = 3") && r.out().contains("lr = 0.01") && r.out().contains("arch = dncnn"), r.toString());
        Cli.Result bad = Cli.run("train", "bogus=1");
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("unknown config key 'bogus'"), bad.toString());
        Cli.Result help = Cli.run("train", "--help");
        String text = help.out().replaceAll("\\s+", " "); // picocli wraps long descriptions
        assertTrue(text.contains("Starting recipe: " + String.join(", ", io.hush.train.TrainConfig.presets())), help.toString());
        assertTrue(help.out().contains("color-real"), help.toString());
        Cli.Result arch = Cli.run("train", "--arch", "unet", "--show-config");
        assertEquals(2, arch.code(), arch.toString());
        assertTrue(arch.err().contains("'unet' is not one of seed, dncnn, dncnn-residual, halfres, conv-ae, dense-ae"), arch.toString());
    }

    @Test
    void trainsATinyModelThatDenoiseCanUse() throws IOException {
        assumeTrue(DataPaths.check(DataPaths.available("mnist-train-images-idx3-ubyte.gz"), "shared MNIST data not found"), "shared MNIST data not found: skipped");
        Path out = dir.resolve("tiny.hush");
        Cli.Result r = Cli.run("train", "-q", "arch=dncnn", "depth=2", "channels=4", "batchNorm=false", "residual=true",
                "trainLimit=32", "valLimit=16", "epochs=1", "batch=16", "samples=1",
                "out=" + out, "runDir=" + dir.resolve("run"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.exists(out), r.toString());
        Cli.Result info = Cli.run("info", out.toString());
        assertTrue(info.out().contains("predicts the noise"), info.toString());
        Path img = Cli.writeGray(dir.resolve("x.png"), 30, 30);
        assertEquals(0, Cli.run("denoise", img.toString(), "-o", dir.resolve("y.png").toString(), "-m", out.toString()).code());
    }
}
