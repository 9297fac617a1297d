package io.hush.bench;

import io.hush.engine.Model;
import io.hush.engine.graph.FoldBatchNorm;
import io.hush.engine.onnx.OnnxExporter;
import io.hush.train.Architectures;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes the inputs of the end-to-end comparison ({@code bench/run.sh e2e}) into a folder:
 * <ul>
 *   <li>{@code dncnn17-gray.onnx}: DnCNN, 17 layers, 64 channels, 1 channel in and out, BatchNorm folded, the
 *       subtraction {@code input - noise} in the graph (so both engines output the clean image);</li>
 *   <li>{@code cdncnn20-rgb.onnx}: the same with 20 layers and 3 channels (CDnCNN-B's shape);</li>
 *   <li>{@code gray512/}: one 512x512 gray PNG (Set12's 08.png);</li>
 *   <li>{@code photos/}: ten 481x321 RGB photos from CBSD432, as PNG (the first ten landscape ones by name).</li>
 * </ul>
 * Weights are the architectures' seeded initialisation (seed 42): the timing of a convolutional network does not
 * depend on its trained values. Both engines read the very same ONNX files. Usage:
 * {@code java -cp benchmarks.jar io.hush.bench.E2eFixtures OUT_DIR DATA_DIR}.
 */
public final class E2eFixtures {
    private E2eFixtures() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: E2eFixtures OUT_DIR DATA_DIR (the shared data folder with set12/ and cbsd432/)");
            System.exit(2);
        }
        Path out = Path.of(args[0]), data = Path.of(args[1]);
        Files.createDirectories(out);
        writeDncnn(out.resolve("dncnn17-gray.onnx"), 1, 17);
        writeDncnn(out.resolve("cdncnn20-rgb.onnx"), 3, 20);
        Path gray = Files.createDirectories(out.resolve("gray512"));
        Files.copy(data.resolve("set12/08.png"), gray.resolve("08.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path photos = Files.createDirectories(out.resolve("photos"));
        List<Path> jpgs;
        try (Stream<Path> s = Files.list(data.resolve("cbsd432"))) {
            jpgs = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
        int n = 0;
        for (Path p : jpgs) {
            if (n == 10) break;
            BufferedImage img = ImageIO.read(p.toFile());
            if (img == null || img.getWidth() != 481 || img.getHeight() != 321) continue;
            String name = p.getFileName().toString().replace(".jpg", ".png");
            ImageIO.write(img, "png", photos.resolve(name).toFile());
            n++;
        }
        if (n < 10) throw new IOException("found only " + n + " landscape 481x321 photos in " + data.resolve("cbsd432"));
        System.err.println("wrote " + out + ": dncnn17-gray.onnx, cdncnn20-rgb.onnx, gray512/08.png, photos/ (" + n + ")");
    }

    private static void writeDncnn(Path file, int channels, int depth) throws IOException {
        try (Model m = Architectures.dncnn(64, 64, channels, depth, 64, true, true, 42); Model f = FoldBatchNorm.fold(m)) {
            OnnxExporter.write(f, file);
        }
    }
}
