package io.hush.cli;

import io.hush.data.DataPaths;
import io.hush.engine.Model;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The models in weights/ still do what their model cards promise: each loads with its card, and evaluated through
 * {@code hush eval} on the shared test data it reaches its figures: the seed models on the full test splits (a
 * regression guard 0.02 dB under the figure of their card), gray-blind on Set12 (noisy input
 * clipped and quantised to 8 bits). And every file stays under the repository's 5 MiB limit.
 */
class ShippedModelsTest {
    static final Path WEIGHTS = Path.of("").toAbsolutePath().resolveSibling("weights");

    private static Path model(String name) {
        Path p = WEIGHTS.resolve(name + ".hush");
        assertTrue(Files.isRegularFile(p), "shipped model missing: " + p);
        return p;
    }

    /** Mean PSNR of the model row of a quiet {@code hush eval} table. */
    private static double evalPsnr(String... args) {
        return psnr(Cli.run(args), "(model");
    }

    /**
     * Mean PSNR of the first row of a {@code hush eval} table whose label contains {@code label}: "(model" matches
     * "(model)" and "(model, per channel)" (a gray model on colour images).
     */
    private static double psnr(Cli.Result r, String label) {
        assertEquals(0, r.code(), r.toString());
        String row = r.out().lines().filter(l -> l.contains(label)).findFirst().orElseThrow(() -> new AssertionError(r.toString()));
        int end = label.startsWith("(") ? row.indexOf(')', row.indexOf(label)) + 1 : row.indexOf(label) + label.length();
        return Double.parseDouble(row.substring(end).trim().split("\\s+")[0]);
    }

    @Test
    void everyShippedModelLoadsWithItsCard() throws IOException {
        for (String name : new String[] {"gray-blind", "color-real", "color-blind", "seed-mnist", "seed-fashion", "mnist-best"}) {
            try (Model m = Model.load(model(name))) {
                assertEquals(name.substring(name.lastIndexOf('/') + 1), m.card().name(), "card name of " + name);
                assertFalse(m.card().description().isBlank(), name);
                assertFalse(m.card().metrics().isEmpty(), name + ": card lists no metrics");
                assertNotNull(m.card().training(), name + ": card has no training record");
                String config = m.card().extra().getOrDefault("train.config", "");
                for (String line : config.split("\n")) { // the trainer's paths, relative: nothing of the machine that trained it
                    if (line.matches("(out|runDir|initFrom) = .*")) assertFalse(line.contains(" = /"), name + ": " + line);
                }
            }
        }
    }

    @Test
    void everyFileInWeightsIsUnderFiveMiB() throws IOException {
        try (var files = Files.list(WEIGHTS)) {
            for (Path f : files.toList()) {
                assertTrue(Files.size(f) < 5L << 20, f + ": " + Files.size(f) + " bytes, over the 5 MiB limit for a committed file");
            }
        }
    }

    @Test
    void seedModelsKeepTheirPsnr() {
        assumeTrue(DataPaths.check(DataPaths.available("mnist-test-images-idx3-ubyte.gz"), "shared MNIST data not found"), "shared MNIST data not found: skipped");
        // full test splits, noise seed 0 (the cards' figures, 4-bit files): 20.57 / 21.03 / 22.66 dB
        double mnist = evalPsnr("eval", "-q", "--model", model("seed-mnist").toString(), "--data", "mnist",
                "--noise", "gaussian:102+clip", "--baselines", "none", "-o", "none");
        assertTrue(mnist >= 20.55, String.format(Locale.ROOT, "seed-mnist %.2f dB", mnist));
        double best = evalPsnr("eval", "-q", "--model", model("mnist-best").toString(), "--data", "mnist",
                "--noise", "gaussian:102+clip", "--baselines", "none", "-o", "none");
        assertTrue(best >= 21.01 && best > mnist, String.format(Locale.ROOT, "mnist-best %.2f dB (seed-mnist %.2f dB)", best, mnist));
        assumeTrue(DataPaths.check(DataPaths.available("fashion-test-images-idx3-ubyte.gz"), "shared Fashion-MNIST data not found"), "shared Fashion-MNIST data not found: skipped");
        double fashion = evalPsnr("eval", "-q", "--model", model("seed-fashion").toString(), "--data", "fashion",
                "--noise", "gaussian:51+clip", "--baselines", "none", "-o", "none");
        assertTrue(fashion >= 22.64, String.format(Locale.ROOT, "seed-fashion %.2f dB", fashion));
    }

    /**
     * Regression guard: the shipped gray-blind on Set12 (8-bit clipped noisy input), at its measured figures less 0.05 dB
     * (31.81 / 29.50 / 26.27 dB), which also keeps it above the bar set for it (OpenCV NLM + 1 dB = 31.4 / 28.9 / 24.9);
     * see weights/gray-blind.md. Raise these figures when a better-trained model is shipped.
     */
    @Test
    void grayBlindKeepsItsSet12Figures() {
        assumeTrue(DataPaths.check(Files.isDirectory(DataPaths.resolve("set12")), "shared Set12 not found"), "shared Set12 not found: skipped");
        int[] sigma = {15, 25, 50};
        double[] guard = {31.76, 29.45, 26.22};
        for (int i = 0; i < sigma.length; i++) {
            double p = evalPsnr("eval", "-q", "--model", model("gray-blind").toString(), "--data", "set12",
                    "--noise", "gaussian:" + sigma[i] + "+clip+q8", "--baselines", "none", "-o", "none");
            assertTrue(p >= guard[i], String.format(Locale.ROOT, "gray-blind at sigma %d: %.2f dB < %.2f", sigma[i], p, guard[i]));
        }
    }

    /**
     * color-blind beats gray-blind run per channel on colour photos: first two Kodak24 images, sigma 25, same noise for
     * both; see weights/color-blind.md.
     */
    @Test
    void colorBlindBeatsGrayBlindPerChannelOnKodak() {
        assumeTrue(DataPaths.check(Files.isDirectory(DataPaths.resolve("kodak24")), "shared Kodak24 not found"), "shared Kodak24 not found: skipped");
        double[] p = new double[2];
        String[] models = {"color-blind", "gray-blind"};
        for (int i = 0; i < 2; i++) {
            p[i] = evalPsnr("eval", "-q", "--model", model(models[i]).toString(), "--data", "kodak24", "--limit", "2",
                    "--noise", "gaussian:25+clip+q8", "--baselines", "none", "-o", "none");
        }
        assertTrue(p[0] > p[1] + 0.3, String.format(Locale.ROOT, "color-blind %.2f dB vs gray-blind per channel %.2f dB", p[0], p[1]));
    }

    /**
     * color-real removes real camera noise: the first 8 PolyU pairs (real noisy JPEGs against their mean-of-many
     * shots), at least 1 dB over the noisy input (the card: +1.70 dB on all 100 pairs); see weights/color-real.md.
     */
    @Test
    void colorRealCleansRealCameraNoise() {
        assumeTrue(DataPaths.check(Files.isDirectory(DataPaths.resolve("polyu100")), "shared polyu100 not found"), "shared polyu100 not found: skipped");
        Cli.Result r = Cli.run("eval", "-q", "--model", model("color-real").toString(), "--data", "polyu100", "--limit", "8",
                "--baselines", "none", "-o", "none");
        double noisy = psnr(r, "noisy input"), real = psnr(r, "(model");
        assertTrue(real >= noisy + 1.0, String.format(Locale.ROOT, "color-real %.2f dB on real noise, noisy input %.2f dB", real, noisy));
    }

    /**
     * hush denoise without --model sends a real camera photo to color-real and a photo with strong white noise to the
     * Gaussian model, color-blind, and each file's line names the model that ran (chosen on the noisy input, not on the
     * denoised planes).
     */
    @Test
    void autoChoosesByNoiseLevelAndSaysWhichRan(@org.junit.jupiter.api.io.TempDir Path tmp) {
        assumeTrue(DataPaths.check(Files.isDirectory(DataPaths.resolve("polyu100")) && Files.isDirectory(DataPaths.resolve("kodak24")),
                "shared polyu100/kodak24 not found"), "shared polyu100/kodak24 not found: skipped");
        Path camera = DataPaths.resolve("polyu100").resolve("Canon5D2_5_160_3200_chair_11_real.JPG");
        Path white = tmp.resolve("kodim03-s25.png");
        Cli.Result noise = Cli.run("noise", "-q", DataPaths.resolve("kodak24").resolve("kodim03.png").toString(), white.toString(),
                "--type", "gaussian:25+clip+q8");
        assertEquals(0, noise.code(), noise.toString());
        Path out = tmp.resolve("out");
        assertTrue(out.toFile().mkdir());
        Cli.Result r = Cli.run("denoise", camera.toString(), white.toString(), "-o", out.toString());
        assertEquals(0, r.code(), r.toString());
        String all = r.out() + r.err();
        assertTrue(all.lines().anyMatch(l -> l.contains("chair_11_real.JPG ->") && l.contains(", color-real,")), all);
        assertTrue(all.lines().anyMatch(l -> l.contains("kodim03-s25.png ->") && l.contains(", color-blind,")), all);

        // hush eval without --model: one row for auto, and a line saying what it chose
        Cli.Result e = Cli.run("eval", "--data", "polyu100", "--limit", "2", "--baselines", "none", "-o", "none");
        assertEquals(0, e.code(), e.toString());
        assertTrue(e.out().contains("auto (models chosen per image)") && e.out().contains("auto ran color-real on 2"), e.toString());
    }

    /** hush demo runs each sample through the model auto picks for it and names it on the sample's row. */
    @Test
    void demoNamesTheModelOfEachSample(@org.junit.jupiter.api.io.TempDir Path tmp) {
        Cli.Result r = Cli.run("demo", "-o", tmp.resolve("demo.png").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("shapes.png") && l.endsWith(" gray-blind")), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("color.png") && l.endsWith(" color-blind")), r.toString());
        assertTrue(r.out().contains("-> auto "), r.toString());
    }
}
