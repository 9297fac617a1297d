package io.hush.examples;

import io.hush.denoise.Denoiser;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Denoises every image of a folder into another folder as PNG, with nothing but hush-engine and the JDK.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *      -cp hush-engine.jar:protobuf-java.jar:hush-examples.jar \
 *      io.hush.examples.DenoiseFolder weights/gray-blind.hush noisy/ clean/
 * </pre>
 *
 * One model is opened once and shared by a small pool of threads, one image each: {@link Denoiser#denoise} is
 * thread-safe, so this is all the concurrency code a folder job needs. A file that does not decode is reported and
 * skipped; the exit code is 1 if any file failed.
 */
public final class DenoiseFolder {
    private DenoiseFolder() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: DenoiseFolder MODEL IN_FOLDER OUT_FOLDER");
            System.exit(2);
        }
        int failed = run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Runtime.getRuntime().availableProcessors());
        System.exit(failed == 0 ? 0 : 1);
    }

    /** Denoises {@code in/*} into {@code out/NAME.png} with {@code threads} threads; returns the number of failures. */
    public static int run(Path model, Path in, Path out, int threads) throws IOException, InterruptedException {
        List<Path> files;
        try (Stream<Path> s = Files.list(in)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        Files.createDirectories(out);
        int[] failures = {0};
        try (Denoiser d = Denoiser.open(model);
             var pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
            for (Path f : files) {
                pool.submit(() -> {
                    try {
                        BufferedImage img = ImageIO.read(f.toFile());
                        if (img == null) throw new IOException("not an image ImageIO can read");
                        Path dst = out.resolve(stem(f) + ".png");
                        ImageIO.write(d.denoise(img), "png", dst.toFile());
                        System.out.println(f + " -> " + dst);
                    } catch (IOException | RuntimeException e) {
                        synchronized (failures) {
                            failures[0]++;
                        }
                        System.err.println(f + ": " + e.getMessage());
                    }
                });
            }
        } // close() waits for the submitted images
        return failures[0];
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
