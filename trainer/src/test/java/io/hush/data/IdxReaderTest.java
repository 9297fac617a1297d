package io.hush.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir Path dir;

    static byte[] idx(int magic, int[] dims, byte[] payload) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(bo);
        d.writeInt(magic);
        for (int x : dims) d.writeInt(x);
        d.write(payload);
        return bo.toByteArray();
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
            g.write(b);
        }
        return bo.toByteArray();
    }

    static byte[] payload(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) p[i] = (byte) (i * 37);
        return p;
    }

    @Test
    void readsRawAndGzipByMagicNotName() throws IOException {
        byte[] file = idx(0x803, new int[] {2, 3, 4}, payload(24));
        Path raw = Files.write(dir.resolve("raw.gz"), file); // misleading name: not gzip
        Path gz = Files.write(dir.resolve("packed.idx"), gzip(file)); // misleading name: gzip
        for (Path p : new Path[] {raw, gz}) {
            IdxReader.Images im = IdxReader.readImages(p);
            assertEquals(2, im.count());
            assertEquals(3, im.rows());
            assertEquals(4, im.cols());
            for (int i = 0; i < 24; i++) assertEquals(((i * 37) & 0xFF) / 255f, im.pixels()[i], 0f);
            assertArrayEquals(Arrays.copyOfRange(im.pixels(), 12, 24), im.image(1));
        }
        // Concatenated gzip members (as pigz or cat a.gz b.gz make) are one stream.
        byte[] first = gzip(Arrays.copyOf(file, 10)), second = gzip(Arrays.copyOfRange(file, 10, file.length));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        assertArrayEquals(IdxReader.readImages(raw).pixels(), IdxReader.readImages(Files.write(dir.resolve("members.gz"), both)).pixels());
        Path lab = Files.write(dir.resolve("labels"), gzip(idx(0x801, new int[] {5}, new byte[] {0, 1, 9, (byte) 200, 3})));
        assertArrayEquals(new int[] {0, 1, 9, 200, 3}, IdxReader.readLabels(lab));
    }

    private void assertFails(Path p, String... parts) {
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> {
            if (p.getFileName().toString().startsWith("lab")) IdxReader.readLabels(p);
            else IdxReader.readImages(p);
        });
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        for (String s : parts) assertTrue(e.getMessage().contains(s), "missing '" + s + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void hostileHeadersFailClearlyBeforeAllocating() throws IOException {
        // Claims 2^31-1 images of 28x28 but holds 10 bytes: must not try to allocate.
        byte[] huge = idx(0x803, new int[] {Integer.MAX_VALUE, 28, 28}, payload(10));
        assertFails(Files.write(dir.resolve("huge"), huge), "claims");
        assertFails(Files.write(dir.resolve("huge.gz"), gzip(huge)), "claims");
        // Plausible size but more than the file holds.
        byte[] big = idx(0x803, new int[] {1000, 28, 28}, payload(10));
        assertFails(Files.write(dir.resolve("big"), big), "truncated", "1000x28x28");
        assertFails(Files.write(dir.resolve("big.gz"), gzip(big)), "truncated", "1000x28x28");
        // Trailing bytes.
        assertFails(Files.write(dir.resolve("trail"), idx(0x803, new int[] {1, 2, 2}, payload(5))), "trailing");
        // Negative and zero dimensions.
        assertFails(Files.write(dir.resolve("neg"), idx(0x803, new int[] {1, -2, 2}, payload(4))), "invalid dimension");
        assertFails(Files.write(dir.resolve("zero"), idx(0x803, new int[] {1, 0, 2}, payload(0))), "invalid dimension");
        // Bad magic, wrong type, wrong rank.
        assertFails(Files.write(dir.resolve("png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0}), "not an IDX file");
        assertFails(Files.write(dir.resolve("float"), idx(0xD03, new int[] {1, 1, 1}, payload(4))), "element type 0x0D");
        assertFails(Files.write(dir.resolve("images-from-labels"), idx(0x801, new int[] {3}, payload(3))), "1 dimensions, expected 3");
        assertFails(Files.write(dir.resolve("lab3"), idx(0x803, new int[] {1, 1, 1}, payload(1))), "expected 1");
        // Empty, tiny, missing.
        assertFails(Files.write(dir.resolve("empty"), new byte[0]), "empty file");
        assertFails(Files.write(dir.resolve("tiny"), new byte[] {0, 0}), "truncated");
        assertFails(dir.resolve("missing"), "no such file");
        // A gzip stream cut in the middle.
        byte[] g = gzip(idx(0x803, new int[] {4, 28, 28}, payload(4 * 784)));
        assertFails(Files.write(dir.resolve("cut.gz"), Arrays.copyOf(g, g.length / 2)));
    }

    @Test
    void readsSharedMnist() throws IOException {
        Path img = DataPaths.resolve("mnist-train-images-idx3-ubyte.gz");
        Path lab = DataPaths.resolve("mnist-train-labels-idx1-ubyte.gz");
        Assumptions.assumeTrue(DataPaths.check(Files.exists(img) && Files.exists(lab), "shared data absent (" + img + ")"), "shared data absent (" + img + "): skipping MNIST read");
        IdxReader.Images im = IdxReader.readImages(img);
        int[] labels = IdxReader.readLabels(lab);
        assertEquals(8000, im.count());
        assertEquals(28, im.rows());
        assertEquals(28, im.cols());
        assertEquals(8000, labels.length);
        int[] perClass = new int[10];
        for (int l : labels) perClass[l]++;
        for (int c : perClass) assertTrue(c > 500, Arrays.toString(perClass));
        double mean = 0;
        for (float v : im.pixels()) mean += v;
        mean /= im.pixels().length;
        assertTrue(mean > 0.08 && mean < 0.2, "MNIST mean intensity " + mean);
    }
}
