package io.hush.classic;

import io.hush.image.FloatImage;
import java.util.stream.IntStream;

/** Helpers shared by the classical filters: border reflection, row-parallel loops, per-plane application. */
public final class Planes {
    private Planes() {}

    /** A filter of one {@code [h, w]} plane that returns a new plane. */
    @FunctionalInterface
    public interface PlaneFilter {
        float[] apply(float[] plane, int h, int w);
    }

    /** Applies {@code f} to every colour plane of {@code im} (alpha and bit depth kept). */
    public static FloatImage map(FloatImage im, PlaneFilter f) {
        float[][] out = new float[im.channels()][];
        for (int c = 0; c < out.length; c++) out[c] = f.apply(im.plane(c), im.height(), im.width());
        return im.withPlanes(out);
    }

    /** Half-sample symmetric reflection of index {@code i} into [0, n): ... 1 0 | 0 1 ... n-1 | n-1 n-2 ... */
    static int reflect(int i, int n) {
        int period = 2 * n;
        int m = i % period;
        if (m < 0) m += period;
        return m < n ? m : period - 1 - m;
    }

    /** {@code [h, w]} padded by {@code p} on every side by reflection: {@code [h+2p, w+2p]}. */
    static float[] pad(float[] x, int h, int w, int p) {
        int pw = w + 2 * p;
        float[] out = new float[(h + 2 * p) * pw];
        for (int y = 0; y < h + 2 * p; y++) {
            int sy = reflect(y - p, h) * w;
            for (int xx = 0; xx < pw; xx++) out[y * pw + xx] = x[sy + reflect(xx - p, w)];
        }
        return out;
    }

    /** Runs {@code body.row(y)} for every row, on the common fork-join pool (rows are independent). */
    static void rows(int h, java.util.function.IntConsumer body) {
        IntStream.range(0, h).parallel().forEach(body);
    }

    static void check(float[] x, int h, int w) {
        if (h <= 0 || w <= 0 || x.length != (long) h * w) {
            throw new IllegalArgumentException("expected a [" + h + "," + w + "] plane, got " + x.length + " values");
        }
    }
}
