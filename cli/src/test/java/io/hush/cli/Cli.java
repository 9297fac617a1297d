package io.hush.cli;

import io.hush.image.FloatImage;
import io.hush.data.Images;
import io.hush.engine.Model;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.Reshape;
import io.hush.engine.layers.Scale;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Runs hush commands in-process with captured output, and makes test images and models. */
final class Cli {
    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override public String toString() {
            return "exit " + code + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    private Cli() {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** A smooth gray test image with a little texture, values in [0,1]. */
    static FloatImage gray(int w, int h, long seed) {
        float[] p = new float[w * h];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                p[y * w + x] = (float) (0.5 + 0.3 * Math.sin(x * 0.11) * Math.cos(y * 0.07) + 0.05 * rng.nextDouble());
            }
        }
        return FloatImage.gray(w, h, p);
    }

    static Path writeGray(Path file, int w, int h) throws IOException {
        Images.write(file, gray(w, h, 1), Images.Format.fromFileName(file.toString()));
        return file;
    }

    /** A fully-convolutional "model" y = 0.5 x + 0.25 (pointwise, saveable with the built-in codec). */
    static Path pointwiseModel(Path dir) throws IOException {
        Path f = dir.resolve("halve.hush");
        try (Model m = Model.builder(16, 16, 1).add(new Scale(0.5f, 0.25f)).build()) {
            m.card().name("halve");
            m.save(f);
        }
        return f;
    }

    /** A fixed-size 8x8 gray "model": Flatten then Reshape back to [8,8,1]. */
    static Path fixedModel(Path dir) throws IOException {
        Path f = dir.resolve("fixed8.hush");
        try (Model m = Model.builder(8, 8, 1).add(new Flatten()).add(new Reshape(8, 8, 1)).build()) {
            m.save(f);
        }
        return f;
    }

    /** Files in {@code dir} (to check that nothing, not even a temp file, was left behind). */
    static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
