package io.hush.keras;

import io.hush.engine.Model;
import io.hush.engine.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test helpers: fixture files (written by tools/keras/make_fixtures.py), .npy arrays, running a model. */
final class Fixtures {
    private Fixtures() {}

    /** A float32 array with its shape. */
    record Npy(float[] data, int[] shape) {}

    static byte[] bytes(String name) throws IOException {
        try (InputStream in = Fixtures.class.getResourceAsStream("/keras/" + name)) {
            if (in == null) throw new IOException("fixture " + name + " is missing (python3 tools/keras/make_fixtures.py writes it)");
            return in.readAllBytes();
        }
    }

    /** Reads a little-endian float32 C-order .npy file. */
    static Npy npy(String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes(name)).order(ByteOrder.LITTLE_ENDIAN);
        int major = b.get(6);
        int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        String header = new String(b.array(), start, headerLen, StandardCharsets.US_ASCII);
        if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) throw new IOException(name + ": not float32 C order: " + header);
        Matcher m = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(header);
        if (!m.find()) throw new IOException(name + ": no shape in " + header);
        int[] shape = Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        int n = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        float[] d = new float[n];
        b.position(start + headerLen);
        b.asFloatBuffer().get(d);
        return new Npy(d, shape);
    }

    /** Forward pass (inference) of a batched NHWC / [N,F] input. */
    static float[] run(Model m, float[] x, int... dims) {
        try (Arena a = Arena.ofShared()) {
            return m.forward(Tensor.of(a, x, dims)).toArray();
        }
    }

    /** NCHW to NHWC. */
    static float[] toNhwc(float[] a, int n, int c, int h, int w) {
        float[] r = new float[a.length];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) r[((b * h + y) * w + x) * c + ch] = a[((b * c + ch) * h + y) * w + x];
        return r;
    }

    /** max |a-b| / (1 + |a|): the comparison used against the numpy goldens (1e-4). */
    static double maxRelDiff(float[] want, float[] got) {
        if (want.length != got.length) throw new AssertionError("lengths differ: " + want.length + " vs " + got.length);
        double m = 0;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs((double) want[i] - got[i]) / (1 + Math.abs(want[i]));
            if (!(d <= m)) m = d;
        }
        return m;
    }

    /** The real Keras 3 file in ../shared/keras (next to the data directory surefire passes as hush.data). */
    static Path colourspark() {
        String data = System.getProperty("hush.data", "../shared/data");
        return Path.of(data).toAbsolutePath().normalize().resolveSibling("keras").resolve("colourspark-autoencoder.keras");
    }
}
