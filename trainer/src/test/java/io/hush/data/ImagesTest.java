package io.hush.data;

import io.hush.image.FloatImage;
import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
    @TempDir Path dir;

    /** Values exactly on the grid of {@code depth} bits, so a round trip must be exact. */
    static float[] levels(int n, int depth, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int max = (1 << depth) - 1;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.nextInt(max + 1) / (float) max;
        v[0] = 0;
        v[n - 1] = 1;
        return v;
    }

    static FloatImage image(int w, int h, int channels, boolean alpha, int depth, long seed) {
        float[][] p = new float[channels][];
        for (int c = 0; c < channels; c++) p[c] = levels(w * h, depth, seed + c);
        return new FloatImage(w, h, p, alpha ? levels(w * h, depth, seed + 9) : null, depth);
    }

    @Test
    void pngAndTiffRoundTripsAreExactAt8And16Bits() throws IOException {
        for (Images.Format f : new Images.Format[] {Images.Format.PNG, Images.Format.TIFF}) { // the lossless ones
            for (int depth : new int[] {8, 16}) {
                for (int ch : new int[] {1, 3}) {
                    for (boolean alpha : new boolean[] {false, true}) {
                        FloatImage im = image(17, 5, ch, alpha, depth, depth * 10 + ch);
                        Path p = dir.resolve("rt-" + f + depth + ch + alpha + (f == Images.Format.PNG ? ".png" : ".tif"));
                        Images.write(p, im, f, depth);
                        FloatImage back = Images.read(p);
                        String what = f + " " + depth + "-bit " + ch + "ch alpha=" + alpha;
                        assertEquals(depth, back.bitDepth(), what);
                        assertEquals(ch, back.channels(), what);
                        assertEquals(alpha, back.hasAlpha(), what);
                        assertEquals(im, back, what);
                    }
                }
            }
        }
    }

    /** Written files get a new file's usual mode (umask), not the owner-only mode of a JDK temp file. */
    @Test
    void writtenFilesHaveTheUsualPermissions() throws IOException {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions only");
        Path plain = Files.createFile(dir.resolve("plain.txt")), img = dir.resolve("out.png");
        Images.write(img, new FloatImage(3, 2, new float[][] {new float[6]}, null, 8), Images.Format.PNG, 8);
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(img));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(2, left.count(), "no temporary file left beside the output");
        }
    }

    @Test
    void sixteenBitKeepsPrecisionThatEightBitLoses() throws IOException {
        float[] v = new float[64];
        for (int i = 0; i < v.length; i++) v[i] = (1000 + i) / 65535f; // all within 1/255 of each other
        FloatImage im = new FloatImage(8, 8, new float[][] {v}, null, 16);
        Path p16 = dir.resolve("a.png"), p8 = dir.resolve("b.png");
        Images.write(p16, im, Images.Format.PNG, 16);
        Images.write(p8, im, Images.Format.PNG, 8);
        assertArrayEquals(v, Images.read(p16).plane(0));
        float[] q = Images.read(p8).plane(0);
        assertEquals(8, Images.read(p8).bitDepth());
        assertTrue(Arrays.stream(new int[] {0, 63}).allMatch(i -> Math.abs(q[i] - v[i]) <= 0.5f / 255 + 1e-6f));
        // Python/PIL-independent check of the 16-bit PNG header: IHDR bit depth byte is 16, colour type 0 (gray).
        byte[] b = Files.readAllBytes(p16);
        assertEquals(16, b[24]);
        assertEquals(0, b[25]);
    }

    @Test
    void readsSixteenBitFilesFromAnotherEncoder() throws IOException {
        // Written by Pillow 9.4 from a uint16 array [[0, 5000, 10000, 15000], ...] (3 rows of 4): a 16-bit gray PNG
        // and an uncompressed 16-bit TIFF. Both must come back with every 16-bit level intact.
        String png = "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADEAAAAADBDy1ZAAAAHElEQVR4nGNgYBDuUBewmsHipyCsIKIgrABnAAA2+QO9ETynPQAAAABJRU5ErkJggg==";
        String tif = "SUkqAAgAAAAJAAABBAABAAAABAAAAAEBBAABAAAAAwAAAAIBAwABAAAAEAAAAAMBAwABAAAAAQAAAAYBAwABAAAAAQAAABEBBAABAAAAegAA"
                + "ABYBBAABAAAAAwAAABcBBAABAAAAGAAAABwBAwABAAAAAQAAAAAAAAAAAIgTECeYOiBOqGEwdbiIQJzIr1DD2NY=";
        for (String[] f : new String[][] {{"pil16.png", png}, {"pil16.tif", tif}}) {
            Path p = Files.write(dir.resolve(f[0]), java.util.Base64.getDecoder().decode(f[1]));
            FloatImage im = Images.read(p);
            assertEquals(16, im.bitDepth(), f[0]);
            assertEquals(4, im.width());
            assertEquals(3, im.height());
            for (int i = 0; i < 12; i++) assertEquals(i * 5000 / 65535f, im.plane(0)[i], f[0] + " pixel " + i);
        }
    }

    @Test
    void writeClampsRoundsAndReplacesAtomically() throws IOException {
        FloatImage im = FloatImage.gray(4, 1, new float[] {-0.5f, Float.NaN, 2f, 0.5f});
        Path p = dir.resolve("c.png");
        Files.writeString(p, "old contents");
        Images.write(p, im, Images.Format.PNG, 8);
        assertArrayEquals(new float[] {0, 0, 1, 128 / 255f}, Images.read(p).plane(0));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
        ImageFormatException e = assertThrows(ImageFormatException.class,
                () -> Images.write(dir.resolve("nope/x.png"), im, Images.Format.PNG, 8));
        assertTrue(e.getMessage().contains("folder does not exist"), e.getMessage());
        e = assertThrows(ImageFormatException.class, () -> Images.write(p, im, Images.Format.PNG, 12));
        assertTrue(e.getMessage().contains("bit depth 12"), e.getMessage());
    }

    @Test
    void readsJpegBmpGifPnm() throws IOException {
        BufferedImage rgb = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
        BufferedImage gray = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                rgb.setRGB(x, y, (x * 16) << 16 | (y * 32) << 8 | 200);
                gray.getRaster().setSample(x, y, 0, x * 16);
            }
        }
        Path jpg = dir.resolve("a.weird"), bmp = dir.resolve("b.bmp"), gif = dir.resolve("c.gif");
        assertTrue(ImageIO.write(rgb, "jpeg", jpg.toFile()));
        assertTrue(ImageIO.write(rgb, "bmp", bmp.toFile()));
        assertTrue(ImageIO.write(gray, "gif", gif.toFile()));
        FloatImage j = Images.read(jpg);
        assertEquals(3, j.channels());
        assertEquals(200 / 255f, j.plane(2)[20], 0.05f);
        FloatImage b = Images.read(bmp);
        assertEquals(3, b.channels());
        assertEquals(7 * 16 / 255f, b.plane(0)[7], 0f);
        assertEquals(3 * 32 / 255f, b.plane(1)[3 * 16], 0f);
        FloatImage g = Images.read(gif);
        assertEquals(1, g.channels(), "gray palette GIF reads as one plane");
        assertEquals(5 * 16 / 255f, g.plane(0)[5], 0f);

        byte[] head = "P5\n3 2\n255\n".getBytes(StandardCharsets.US_ASCII);
        byte[] pgm = Arrays.copyOf(head, head.length + 6);
        for (int i = 0; i < 6; i++) pgm[head.length + i] = (byte) (i * 50);
        FloatImage pg = Images.read(Files.write(dir.resolve("d.pgm"), pgm));
        assertEquals(1, pg.channels());
        assertEquals(3, pg.width());
        assertArrayEquals(new float[] {0, 50 / 255f, 100 / 255f, 150 / 255f, 200 / 255f, 250 / 255f}, pg.plane(0));
        FloatImage pp = Images.read(Files.writeString(dir.resolve("e.ppm"), "P3\n2 1\n255\n255 0 0  0 0 255\n"));
        assertEquals(3, pp.channels());
        assertArrayEquals(new float[] {1, 0}, pp.plane(0));
        assertArrayEquals(new float[] {0, 1}, pp.plane(2));
    }

    @Test
    void toGrayAndHwc() {
        FloatImage im = new FloatImage(2, 1, new float[][] {{1, 0}, {0, 1}, {0, 0.5f}}, null, 8);
        assertArrayEquals(new float[] {0.299f, 0.587f + 0.057f}, im.toGray().plane(0), 1e-6f);
        float[] hwc = im.toHwc();
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0.5f}, hwc);
        assertEquals(im, FloatImage.fromHwc(hwc, 1, 2, 3, 8));
    }

    private static void assertFails(Path p, long limit, String... parts) {
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> Images.read(p, limit));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        for (String s : parts) assertTrue(e.getMessage().contains(s), "missing '" + s + "' in: " + e.getMessage());
    }

    /** A PNG with an IHDR claiming w x h and no pixel data worth the name. */
    static byte[] pngClaiming(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h).put((byte) 8).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
        out.writeBytes(ihdr.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }

    @Test
    void everyFailureIsOneClearImageFormatException() throws IOException {
        assertFails(dir.resolve("missing.png"), Images.DEFAULT_MAX_PIXELS, "no such file");
        assertFails(Files.write(dir.resolve("empty.png"), new byte[0]), Images.DEFAULT_MAX_PIXELS, "empty file");
        assertFails(Files.writeString(dir.resolve("text.png"), "hello, not an image"), Images.DEFAULT_MAX_PIXELS,
                "not an image");
        assertFails(dir, Images.DEFAULT_MAX_PIXELS, "folder");

        Path good = dir.resolve("good.png");
        Images.write(good, image(64, 64, 3, false, 8, 1), Images.Format.PNG, 8);
        byte[] bytes = Files.readAllBytes(good);
        assertFails(Files.write(dir.resolve("cut.png"), Arrays.copyOf(bytes, bytes.length / 2)),
                Images.DEFAULT_MAX_PIXELS, "PNG");
        assertFails(Files.write(dir.resolve("header-only.png"), Arrays.copyOf(bytes, 20)), Images.DEFAULT_MAX_PIXELS, "PNG");

        Path jpg = dir.resolve("good.jpg");
        ImageIO.write(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB), "jpeg", jpg.toFile());
        byte[] jb = Files.readAllBytes(jpg);
        assertFails(Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(jb, jb.length - 40)), Images.DEFAULT_MAX_PIXELS, "JPEG");

        // Decompression bomb: 100000 x 100000 claimed; refused from the header, before any decoding.
        assertFails(Files.write(dir.resolve("bomb.png"), pngClaiming(100_000, 100_000)), Images.DEFAULT_MAX_PIXELS,
                "too large", "100000x100000", "limit of 100000000");
        // Configurable limit.
        assertFails(good, 4000, "64x64 = 4096 pixels", "limit of 4000");
        assertEquals(64, Images.read(good, 4096).width());
        assertArrayEquals(new long[] {64, 64}, Images.size(good));
    }

    @Test
    void readingNeverModifiesTheInput() throws IOException {
        Path p = dir.resolve("in.png");
        Images.write(p, image(9, 9, 1, false, 16, 3), Images.Format.PNG, 16);
        byte[] before = Files.readAllBytes(p);
        long mtime = Files.getLastModifiedTime(p).toMillis();
        Images.read(p);
        assertArrayEquals(before, Files.readAllBytes(p));
        assertEquals(mtime, Files.getLastModifiedTime(p).toMillis());
    }

    @Test
    void readsSet12() throws IOException {
        Path p = DataPaths.resolve("set12/01.png");
        Assumptions.assumeTrue(DataPaths.check(Files.exists(p), "shared data absent (" + p + ")"), "shared data absent (" + p + "): skipping Set12 read");
        FloatImage im = Images.read(p);
        assertEquals(256, im.width());
        assertEquals(256, im.height());
        assertEquals(1, im.channels());
        assertEquals(8, im.bitDepth());
        assertFalse(im.hasAlpha());
        for (float v : im.plane(0)) assertTrue(v >= 0 && v <= 1);
    }
}
