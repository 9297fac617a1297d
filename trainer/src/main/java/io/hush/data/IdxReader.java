package io.hush.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST format): big-endian int32 magic {@code 0x0000TTDD} (TT = 0x08 unsigned bytes, DD = number
 * of dimensions), DD big-endian int32 sizes, then the bytes row-major. Gzip is detected by its magic bytes, not by the
 * file name. The header is checked against the file length before anything large is allocated (gzip data are read into a
 * buffer that grows as they arrive), so a hostile header gives an {@link ImageFormatException} naming the file
 * instead of an OutOfMemoryError.
 */
public final class IdxReader {
    /** Largest payload accepted: what fits one Java array. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 16;

    private IdxReader() {}

    /** Images as {@code pixels[N, rows, cols]} row-major, scaled from 0..255 to [0,1]. */
    public record Images(int count, int rows, int cols, float[] pixels) {
        /** A copy of image {@code i} as [rows, cols]. */
        public float[] image(int i) {
            float[] out = new float[rows * cols];
            System.arraycopy(pixels, i * rows * cols, out, 0, rows * cols);
            return out;
        }
    }

    /** Reads an idx3 image file (magic 0x00000803). */
    public static Images readImages(Path file) throws IOException {
        Raw r = read(file, 3);
        float[] px = new float[r.bytes.length];
        for (int i = 0; i < px.length; i++) px[i] = (r.bytes[i] & 0xFF) / 255f;
        return new Images(r.dims[0], r.dims[1], r.dims[2], px);
    }

    /** Reads an idx1 label file (magic 0x00000801) as ints 0..255. */
    public static int[] readLabels(Path file) throws IOException {
        Raw r = read(file, 1);
        int[] out = new int[r.bytes.length];
        for (int i = 0; i < out.length; i++) out[i] = r.bytes[i] & 0xFF;
        return out;
    }

    private record Raw(int[] dims, byte[] bytes) {}

    private static Raw read(Path file, int wantDims) throws IOException {
        if (!Files.exists(file)) throw new ImageFormatException(file, "no such file");
        if (Files.isDirectory(file)) throw new ImageFormatException(file, "is a folder, not an IDX file");
        long fileSize = Files.size(file);
        if (fileSize == 0) throw new ImageFormatException(file, "empty file");
        boolean gzip = isGzip(file);
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw, 1 << 16))) {
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                throw new ImageFormatException(file, "truncated: shorter than the 4-byte IDX magic");
            }
            int type = (magic >>> 8) & 0xFF, nd = magic & 0xFF;
            if ((magic >>> 16) != 0 || nd == 0) {
                throw new ImageFormatException(file, String.format("not an IDX file (magic 0x%08X)", magic));
            }
            if (type != 0x08) {
                throw new ImageFormatException(file, String.format(
                        "unsupported IDX element type 0x%02X (only 0x08 unsigned bytes)", type));
            }
            if (nd != wantDims) {
                throw new ImageFormatException(file, String.format("IDX magic 0x%08X has %d dimensions, expected %d (%s)",
                        magic, nd, wantDims, wantDims == 3 ? "images, magic 0x00000803" : "labels, magic 0x00000801"));
            }
            int[] dims = new int[nd];
            long elements = 1;
            for (int d = 0; d < nd; d++) {
                try {
                    dims[d] = in.readInt();
                } catch (EOFException e) {
                    throw new ImageFormatException(file, "truncated header: ends before dimension " + d);
                }
                if (dims[d] < 0 || (d > 0 && dims[d] == 0)) {
                    throw new ImageFormatException(file, "invalid dimension " + d + " size " + dims[d]);
                }
                elements *= dims[d];
                if (elements > MAX_ELEMENTS) {
                    throw new ImageFormatException(file, "header claims more than " + MAX_ELEMENTS + " elements");
                }
            }
            long expected = 4L + 4L * nd + elements;
            String claimed = "header claims " + dimsText(dims) + " = " + expected + " bytes";
            if (!gzip && fileSize != expected) {
                throw new ImageFormatException(file, (fileSize < expected ? "truncated: " : "trailing data: ")
                        + claimed + " but the file has " + fileSize);
            }
            // Raw files were checked against the file length above. A gzip stream's length is only known by
            // inflating it, so the buffer grows as data arrives (doubling from 1 MiB): a header claiming gigabytes
            // over a few bytes of data fails as truncated without ever allocating what it claims.
            byte[] bytes = new byte[(int) (gzip ? Math.min(elements, 1 << 20) : elements)];
            int got = 0;
            while (true) {
                int r = in.readNBytes(bytes, got, bytes.length - got);
                got += r;
                if (got < bytes.length || got == elements) break;
                bytes = java.util.Arrays.copyOf(bytes, (int) Math.min(elements, 2L * bytes.length));
            }
            if (got < elements) {
                throw new ImageFormatException(file, "truncated: " + claimed + " but only " + (4 + 4 * nd + got) + " are present");
            }
            if (in.read() != -1) throw new ImageFormatException(file, "trailing data after " + expected + " bytes: " + claimed);
            return new Raw(dims, bytes);
        } catch (ImageFormatException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new ImageFormatException(file, "no such file");
        } catch (IOException e) {
            throw new ImageFormatException(file, gzip ? "corrupt gzip data" : "read failed", e);
        }
    }

    private static String dimsText(int[] dims) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < dims.length; i++) b.append(i == 0 ? "" : "x").append(dims[i]);
        return b.toString();
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1F && in.read() == 0x8B;
        }
    }
}
