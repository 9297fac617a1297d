package io.hush.data;

import io.hush.image.FloatImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads every image in a folder (not sub-folders) into a {@link Dataset}: files whose extension
 * {@link Images#isImageFileName} accepts, hidden files skipped, sorted by name so the order (and hence every seeded
 * split and shuffle) is the same on every machine.
 */
public final class ImageFolder {
    private ImageFolder() {}

    /** Loads with the default pixel limit; {@code gray} converts colour images to BT.601 luma. */
    public static Dataset load(Path dir, boolean gray) throws IOException {
        return load(dir, gray, Images.DEFAULT_MAX_PIXELS);
    }

    public static Dataset load(Path dir, boolean gray, long maxPixels) throws IOException {
        List<Path> files = list(dir);
        // Decode in parallel; the result list keeps the sorted order.
        FloatImage[] out = new FloatImage[files.size()];
        IOException[] err = new IOException[1];
        java.util.stream.IntStream.range(0, files.size()).parallel().forEach(i -> {
            try {
                FloatImage im = Images.read(files.get(i), maxPixels).withoutAlpha();
                out[i] = gray ? im.toGray() : im;
            } catch (IOException e) {
                synchronized (err) {
                    if (err[0] == null) err[0] = e;
                }
            }
        });
        if (err[0] != null) throw err[0];
        List<String> names = new ArrayList<>();
        for (Path f : files) names.add(f.getFileName().toString());
        int c0 = out[0].channels();
        for (int i = 1; i < out.length; i++) {
            if (out[i].channels() != c0) {
                throw new ImageFormatException(files.get(i), out[i].channels() + " channel(s) where " + names.get(0)
                        + " has " + c0 + " (load with gray conversion)");
            }
        }
        return new Dataset(List.of(out), names);
    }

    /** The image files of {@code dir}, sorted by name. */
    public static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new ImageFormatException(dir, Files.exists(dir) ? "not a folder" : "no such folder");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Images.isImageFileName(p.getFileName().toString()))
                    .sorted()
                    .toList();
        }
        if (files.isEmpty()) throw new ImageFormatException(dir, "no image files (png, jpg, tif, bmp, gif, pgm, ppm) in this folder");
        return files;
    }
}
