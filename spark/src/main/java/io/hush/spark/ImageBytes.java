package io.hush.spark;

import io.hush.data.ImageFormatException;
import io.hush.data.Images;
import io.hush.data.PhotoMetadata;
import io.hush.image.FloatImage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Image files as bytes, decoded and encoded exactly as {@code hush denoise} does it ({@link Images}: the format from
 * the first bytes, EXIF orientation applied, CMYK/YCCK JPEG to sRGB, 16-bit PNG/TIFF kept; PNG written at the
 * image's bit depth with its EXIF block and ICC profile). {@link Images} works on files, so the bytes pass through
 * a private temporary folder under {@code java.io.tmpdir} (on an executor, the container's scratch space), removed
 * at once. That costs a few milliseconds per image, little beside denoising it, and keeps one decoder for the CLI
 * and the cluster.
 */
final class ImageBytes {
    private ImageBytes() {}

    /** A decoded image with the metadata to write back, or the one-line reason it could not be decoded. */
    record Decoded(Images.Photo photo, String problem) {}

    /**
     * Decodes {@code bytes}, the content of the file called {@code name} (its last path component; the name is only
     * used in messages and the format is detected from the bytes). Problems are reported without any file name.
     */
    static Decoded decode(byte[] bytes, String name, long maxPixels) {
        Path dir = tempDir();
        Path file = dir.resolve(safeName(name));
        try {
            Files.write(file, bytes);
            return new Decoded(Images.readPhoto(file, maxPixels), null);
        } catch (ImageFormatException e) {
            return new Decoded(null, problem(e, file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a temporary file in " + dir + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(file);
            deleteQuietly(dir);
        }
    }

    /**
     * PNG bytes of {@code image} at {@code depth} (8 or 16) bits with {@code meta}'s EXIF block and ICC profile; an
     * {@link IllegalArgumentException} says why it cannot be encoded.
     */
    static byte[] png(FloatImage image, int depth, PhotoMetadata meta) {
        Path dir = tempDir();
        Path file = dir.resolve("out.png");
        try {
            Images.write(file, image, Images.Format.PNG, depth, meta, Images.DEFAULT_JPEG_QUALITY);
            return Files.readAllBytes(file);
        } catch (ImageFormatException e) {
            throw new IllegalArgumentException(problem(e, file), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back a temporary file in " + dir + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(file);
            deleteQuietly(dir);
        }
    }

    /** The message of {@code e} without the "temporary-file: " prefix that {@link ImageFormatException} puts first. */
    static String problem(ImageFormatException e, Path tempFile) {
        String m = e.getMessage() == null ? "cannot decode" : e.getMessage();
        String prefix = tempFile + ": ";
        if (m.startsWith(prefix)) m = m.substring(prefix.length());
        return m.replace(tempFile.toString(), tempFile.getFileName().toString());
    }

    /** A file name that is safe in a temporary folder (no separators, not empty, not too long). */
    static String safeName(String name) {
        String n = name == null ? "" : name.replaceAll("[/\\\\:\\x00-\\x1f]", "_");
        if (n.isEmpty() || n.equals(".") || n.equals("..")) n = "image";
        if (n.length() > 120) n = n.substring(n.length() - 120);
        return n;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("hush-spark-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder in " + System.getProperty("java.io.tmpdir")
                    + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the folder is under the temporary directory
        }
    }
}
