package io.hush.spark;

import io.hush.data.Images;
import io.hush.engine.Model;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Conv2D;
import io.hush.image.FloatImage;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test images, small models, a local Spark session, and the two command lines run in-process. */
final class Fixtures {
    private Fixtures() {}

    /** A command's exit code and output. */
    record Result(int code, String out, String err) {
        List<String> errLines() { return err.lines().filter(l -> !l.isBlank()).toList(); }

        @Override public String toString() { return "exit " + code + "\n--- out:\n" + out + "--- err:\n" + err; }
    }

    /** local[2], no web UI, loopback only, few shuffle partitions: what a test needs and no more. */
    static SparkSession session() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("hush-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.codegen.wholeStage", "false")
                .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
                .getOrCreate();
    }

    static Result sparkDenoise(String... args) {
        return run(SparkDenoiseMain.commandLine(), args);
    }

    static Result hushDenoise(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "denoise";
        System.arraycopy(args, 0, all, 1, args.length);
        return run(io.hush.cli.Main.commandLine(), all);
    }

    private static Result run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** A gray or RGB picture with texture and noise, values in [0,1]. */
    static FloatImage picture(int w, int h, int channels, boolean alpha, int depth, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] planes = new float[channels][w * h];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double v = 0.5 + 0.3 * Math.sin(x * (0.09 + 0.03 * c)) * Math.cos(y * 0.07) + 0.1 * rng.nextGaussian();
                    planes[c][y * w + x] = (float) Math.min(1, Math.max(0, v));
                }
            }
        }
        float[] a = null;
        if (alpha) {
            a = new float[w * h];
            for (int i = 0; i < a.length; i++) a[i] = (i % w) / (float) (w - 1);
        }
        return new FloatImage(w, h, planes, a, depth);
    }

    static Path write(Path file, FloatImage img) throws IOException {
        Files.createDirectories(file.getParent());
        Images.write(file, img, Images.Format.fromFileName(file.toString()), img.bitDepth());
        return file;
    }

    /**
     * A small untrained convolutional denoiser (only the plumbing is tested): gray, any size, receptive radius 2.
     * Different seeds give different files, so a test can count the loads of its own model.
     */
    static byte[] convModel(long seed) throws IOException {
        Path f = Files.createTempFile("hush-spark-model", ".hush");
        try (Model m = Model.builder(16, 16, 1).add(new Conv2D(4, 3, Activation.RELU)).add(new Conv2D(1, 3))
                .seed(seed).build()) {
            m.card().name("conv" + seed);
            m.save(f);
            return Files.readAllBytes(f);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    static Path saveModel(Path dir, byte[] bytes) throws IOException {
        return Files.write(dir.resolve("conv.hush"), bytes);
    }

    /** Largest difference between two images in 8-bit levels (sizes, channels and alpha must match). */
    static double maxLevels(FloatImage a, FloatImage b) {
        assertEquals(a.width(), b.width(), "width");
        assertEquals(a.height(), b.height(), "height");
        assertEquals(a.channels(), b.channels(), "channels");
        assertEquals(a.hasAlpha(), b.hasAlpha(), "alpha");
        double worst = 0;
        for (int c = 0; c < a.channels(); c++) {
            float[] p = a.plane(c), q = b.plane(c);
            for (int i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - q[i]) * 255.0);
        }
        if (a.hasAlpha()) {
            for (int i = 0; i < a.alpha().length; i++) worst = Math.max(worst, Math.abs(a.alpha()[i] - b.alpha()[i]) * 255.0);
        }
        return worst;
    }

    /** Every regular file under {@code dir}, relative, sorted. */
    static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    static void assertContains(String haystack, String needle, Object context) {
        assertTrue(haystack.contains(needle), "expected '" + needle + "' in:\n" + context);
    }
}
