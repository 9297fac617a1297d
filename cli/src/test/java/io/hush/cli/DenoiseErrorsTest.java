package io.hush.cli;

import io.hush.image.FloatImage;
import io.hush.data.Images;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Every kind of bad input to {@code hush denoise}: one line on stderr naming the file and the problem, exit code
 * 1, no stack trace, and no output file (nor temp file) left behind.
 */
class DenoiseErrorsTest {
    @TempDir Path dir;
    Path model, in, out;

    @BeforeEach
    void setUp() throws IOException {
        model = Cli.pointwiseModel(Files.createDirectory(dir.resolve("models")));
        in = Files.createDirectory(dir.resolve("in"));
        out = Files.createDirectory(dir.resolve("out"));
    }

    /** Runs denoise on {@code file} into out/result.png and checks the one-line failure. */
    private void failsWith(Path file, String... fragments) throws IOException {
        Cli.Result r = Cli.run("denoise", file.toString(), "-o", out.resolve("result.png").toString(), "-m", model.toString());
        assertEquals(1, r.code(), r.toString());
        List<String> lines = r.errLines();
        assertEquals(1, lines.size(), "exactly one error line\n" + r);
        String line = lines.get(0);
        assertTrue(line.startsWith("hush denoise: "), line);
        assertTrue(line.contains(file.getFileName().toString()), "names the file: " + line);
        for (String f : fragments) assertTrue(line.contains(f), "'" + f + "' in: " + line);
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertEquals(List.of(), Cli.files(out), "nothing written");
    }

    @Test
    void missingFile() throws IOException {
        failsWith(in.resolve("nope.png"), "no such file");
    }

    @Test
    void emptyFile() throws IOException {
        failsWith(Files.createFile(in.resolve("empty.png")), "empty file");
    }

    @Test
    void notAnImage() throws IOException {
        failsWith(Files.writeString(in.resolve("notes.png"), "hello, this is text\n"), "not an image");
    }

    @Test
    void truncatedPng() throws IOException {
        Path good = Cli.writeGray(in.resolve("good.png"), 64, 64);
        byte[] b = Files.readAllBytes(good);
        Path cut = Files.write(in.resolve("cut.png"), java.util.Arrays.copyOf(b, b.length / 2));
        failsWith(cut, "corrupt or truncated");
    }

    @Test
    void unsupportedFormat() throws IOException {
        Path webp = Files.write(in.resolve("photo.webp"), "RIFF\0\0\0\0WEBPVP8 ".getBytes());
        failsWith(webp, "not an image in a supported format");
    }

    @Test
    void unsupportedBitDepth() throws IOException {
        // a 32-bit floating-point gray TIFF
        java.awt.image.ColorModel cm = new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY), false, false,
                java.awt.Transparency.OPAQUE, java.awt.image.DataBuffer.TYPE_FLOAT);
        java.awt.image.WritableRaster ras = cm.createCompatibleWritableRaster(8, 8);
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(cm, ras, false, null);
        Path f = in.resolve("float.tif");
        // the JDK's own TIFF writer: the TwelveMonkeys one, also on the class path, writes no float samples
        javax.imageio.ImageWriter w = null;
        for (var it = javax.imageio.ImageIO.getImageWritersByFormatName("tiff"); it.hasNext(); ) {
            javax.imageio.ImageWriter x = it.next();
            if (x.getClass().getName().startsWith("com.sun.imageio.")) w = x;
        }
        try (var os = javax.imageio.ImageIO.createImageOutputStream(f.toFile())) {
            w.setOutput(os);
            w.write(img);
        }
        failsWith(f, "bit depth");
    }

    @Test
    void headerClaimingHugeImageIsRefusedBeforeDecoding() throws IOException {
        failsWith(bombPng(in.resolve("bomb.png"), 100_000, 100_000), "too large", "100000x100000");
    }

    @Test
    void pixelLimitIsConfigurable() throws IOException {
        Path f = Cli.writeGray(in.resolve("small.png"), 40, 40);
        Cli.Result r = Cli.run("denoise", f.toString(), "-o", out.resolve("r.png").toString(), "-m", model.toString(),
                "--max-pixels", "1000");
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("small.png") && r.err().contains("over the limit of 1000"), r.toString());
        assertEquals(List.of(), Cli.files(out));
    }

    @Test
    void outputFolderMissing() throws IOException {
        Path f = Cli.writeGray(in.resolve("a.png"), 16, 16);
        Path target = dir.resolve("no-such-dir").resolve("a.png");
        Cli.Result r = Cli.run("denoise", f.toString(), "-o", target.toString(), "-m", model.toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("no-such-dir") && r.err().contains("does not exist"), r.toString());
        assertFalse(Files.exists(dir.resolve("no-such-dir")));
    }

    @Test
    void outputFolderForManyInputsMissing() throws IOException {
        Path a = Cli.writeGray(in.resolve("a.png"), 16, 16), b = Cli.writeGray(in.resolve("b.png"), 16, 16);
        Cli.Result r = Cli.run("denoise", a.toString(), b.toString(), "-o", dir.resolve("missing").toString(),
                "-m", model.toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals(List.of("hush denoise: " + dir.resolve("missing") + ": output folder does not exist"), r.errLines());
    }

    @Test
    void outputFolderNotWritable() throws IOException {
        Path f = Cli.writeGray(in.resolve("a.png"), 16, 16);
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // root may write anywhere: then use a read-only mount (/proc/sys on Linux) if there is one
            Path target = Files.isWritable(ro) ? Path.of("/proc/sys") : ro;
            assumeFalse(Files.isWritable(target) || !Files.isDirectory(target),
                    "running as root without a read-only folder: nothing to test");
            Cli.Result r = Cli.run("denoise", f.toString(), "-o", target.resolve("a.png").toString(), "-m", model.toString());
            assertEquals(1, r.code(), r.toString());
            assertEquals(1, r.errLines().size(), r.toString());
            assertTrue(r.err().contains("not writable") && r.err().contains(target.toString()), r.toString());
            assertFalse(Files.exists(target.resolve("a.png")));
            assertEquals(List.of(), Cli.files(ro));
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void outputEqualToInput() throws IOException {
        Path f = Cli.writeGray(in.resolve("same.png"), 16, 16);
        byte[] before = Files.readAllBytes(f);
        Cli.Result r = Cli.run("denoise", f.toString(), "-o", f.toString(), "-m", model.toString(), "--overwrite");
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("same.png") && r.err().contains("input file itself"), r.toString());
        assertArrayEquals(before, Files.readAllBytes(f), "input untouched");
        assertEquals(List.of("same.png"), Cli.files(in));
    }

    @Test
    void existingOutputIsNotReplacedWithoutOverwrite() throws IOException {
        Path f = Cli.writeGray(in.resolve("a.png"), 16, 16);
        Path o = Files.writeString(out.resolve("a.png"), "precious");
        Cli.Result r = Cli.run("denoise", f.toString(), "-o", o.toString(), "-m", model.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("already exists"), r.toString());
        assertEquals("precious", Files.readString(o));
        assertEquals(0, Cli.run("denoise", f.toString(), "-o", o.toString(), "-m", model.toString(), "--overwrite").code());
        assertEquals(16, Images.read(o).width());
    }

    @Test
    void oneBadFileDoesNotStopTheOthers() throws IOException {
        Cli.writeGray(in.resolve("a.png"), 20, 12);
        Files.writeString(in.resolve("b.png"), "not a png");
        Cli.writeGray(in.resolve("c.tif"), 12, 20);
        Files.createFile(in.resolve("d.jpg"));
        Cli.Result r = Cli.run("denoise", in.toString(), "-o", out.toString(), "-m", model.toString());
        assertEquals(1, r.code(), r.toString());
        List<String> lines = r.errLines();
        assertEquals(2, lines.size(), r.toString());
        assertTrue(lines.get(0).contains("b.png") && lines.get(0).contains("not an image"), r.toString());
        assertTrue(lines.get(1).contains("d.jpg") && lines.get(1).contains("empty file"), r.toString());
        assertEquals(List.of("a.png", "c.tif"), Cli.files(out));
        assertTrue(r.out().contains("2 of 4 image(s) denoised, 2 failed"), r.toString());
        FloatImage a = Images.read(out.resolve("a.png"));
        FloatImage src = Images.read(in.resolve("a.png"));
        assertEquals(0.5f * src.plane(0)[7] + 0.25f, a.plane(0)[7], 1f / 255, "the model ran");
    }

    @Test
    void missingModelIsOneLine() throws IOException {
        Path f = Cli.writeGray(in.resolve("a.png"), 16, 16);
        Cli.Result r = Cli.run("denoise", f.toString(), "-o", out.resolve("a.png").toString(), "-m", "no-such-model");
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("no model named 'no-such-model'"), r.toString());
        Cli.Result r2 = Cli.run("denoise", f.toString(), "-o", out.resolve("a.png").toString(), "-m", f.toString());
        assertEquals(1, r2.code(), r2.toString());
        assertEquals(1, r2.errLines().size(), r2.toString());
        assertTrue(r2.err().contains("a.png"), r2.toString());
        assertEquals(List.of(), Cli.files(out));
    }

    @Test
    void badOptionValuesAreUsageErrors() throws IOException {
        Path f = Cli.writeGray(in.resolve("a.png"), 16, 16);
        Cli.Result r = Cli.run("denoise", f.toString(), "-o", out.resolve("a.png").toString(), "--sigma", "loud");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--sigma loud"), r.toString());
        Cli.Result r2 = Cli.run("denoise", f.toString());
        assertEquals(2, r2.code(), r2.toString());
        assertTrue(r2.err().contains("Missing required option: '--output=OUT'"), r2.toString());
        assertEquals(List.of(), Cli.files(out));
    }

    /** A valid PNG signature and IHDR claiming w x h, then nothing: a decompression bomb's header. */
    static Path bombPng(Path file, int w, int h) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(bytes);
        d.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream c = new DataOutputStream(chunk);
        c.writeBytes("IHDR");
        c.writeInt(w);
        c.writeInt(h);
        c.write(new byte[] {8, 0, 0, 0, 0}); // 8-bit gray
        byte[] body = chunk.toByteArray();
        d.writeInt(body.length - 4);
        d.write(body);
        CRC32 crc = new CRC32();
        crc.update(body);
        d.writeInt((int) crc.getValue());
        return Files.write(file, bytes.toByteArray());
    }
}
