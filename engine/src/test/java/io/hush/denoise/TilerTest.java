package io.hush.denoise;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class TilerTest {

    /** 3x3 mean with zero padding, applied twice: receptive-field radius 2, like a 2-layer 3x3 conv net. */
    static final Tiler.Fn BOX2 = (in, h, w, out) -> {
        float[] t = new float[h * w];
        box(in, t, h, w);
        box(t, out, h, w);
    };

    static void box(float[] in, float[] out, int h, int w) {
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                float s = 0;
                for (int dr = -1; dr <= 1; dr++) {
                    for (int dc = -1; dc <= 1; dc++) {
                        int rr = r + dr, cc = c + dc;
                        if (rr >= 0 && rr < h && cc >= 0 && cc < w) s += in[rr * w + cc];
                    }
                }
                out[r * w + c] = s / 9f;
            }
        }
    }

    static float[] random(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextDouble();
        return a;
    }

    static float[] tiled(float[] img, int w, int h, int tile, int overlap, int align, Tiler.Fn fn) {
        float[] out = new float[w * h];
        Tiler t = new Tiler(w, h, 1, 1, tile, overlap, align);
        t.run((x, y, tw, th, dst) -> {
            for (int r = 0; r < th; r++) System.arraycopy(img, (y + r) * w + x, dst, r * tw, tw);
        }, fn, (y, rows, data) -> System.arraycopy(data, 0, out, y * w, rows * w), null);
        return out;
    }

    @Test
    void tiledEqualsUntiledWhenTheOverlapCoversTheReceptiveField() {
        int w = 301, h = 217;
        float[] img = random(w * h, 1);
        float[] ref = new float[w * h];
        BOX2.apply(img, h, w, ref);
        float[] got = tiled(img, w, h, 64, 16, 1, BOX2);
        for (int i = 0; i < ref.length; i++) assertEquals(ref[i], got[i], 1e-5f, "pixel " + i);
    }

    @Test
    void oneTileWhenTheImageIsSmallerThanATile() {
        Tiler t = new Tiler(50, 30, 1, 1, 512, 64, 1);
        assertEquals(1, t.tileCount());
        assertEquals(50, t.tileWidth());
        assertEquals(30, t.tileHeight());
    }

    @Test
    void weightsArePositiveEverywhereAndOriginsAligned() {
        for (int n : new int[] {1, 7, 64, 65, 100, 513, 1000, 1023, 4097}) {
            for (int tile : new int[] {32, 64, 200, 512}) {
                for (int ov : new int[] {0, 8, 16, 24}) {
                    for (int align : new int[] {1, 8}) {
                        if ((ov + align - 1) / align * align >= Math.max(tile / align * align, align)) continue;
                        Tiler t = new Tiler(n, n, 1, 1, tile, ov, align);
                        for (int o : t.originsX()) assertEquals(0, o % align, "origin " + o);
                        assertEquals(0, t.tileWidth() % align);
                        int[] or = t.originsX();
                        assertEquals(0, or[0]);
                        assertTrue(or[or.length - 1] + t.tileWidth() >= n, "tiles cover the image");
                        for (int p = 0; p < n; p++) {
                            assertTrue(t.sumX(p) > 0f, "n=" + n + " tile=" + tile + " ov=" + ov + " pos " + p);
                        }
                    }
                }
            }
        }
    }

    @Test
    void alignedTilingPadsByRepeatingTheEdge() {
        // identity function: any tiling and any padding must give the image back exactly
        int w = 45, h = 37;
        float[] img = random(w * h, 2);
        float[] got = tiled(img, w, h, 16, 8, 8, (in, th, tw, out) -> System.arraycopy(in, 0, out, 0, th * tw));
        for (int i = 0; i < img.length; i++) assertEquals(img[i], got[i], 1e-6f, "pixel " + i);
    }

    @Test
    void resultCanBeWrittenIntoTheBufferItIsReadFrom() {
        int w = 200, h = 333;
        float[] img = random(w * h, 3);
        float[] ref = tiled(img, w, h, 48, 16, 1, BOX2);
        float[] buf = img.clone();
        Tiler t = new Tiler(w, h, 1, 1, 48, 16, 1);
        t.run((x, y, tw, th, dst) -> {
            for (int r = 0; r < th; r++) System.arraycopy(buf, (y + r) * w + x, dst, r * tw, tw);
        }, BOX2, (y, rows, data) -> System.arraycopy(data, 0, buf, y * w, rows * w), null);
        assertArrayEquals(ref, buf);
    }

    @Test
    void progressCountsEveryTile() {
        Tiler t = new Tiler(100, 100, 1, 1, 32, 8, 1);
        long[] last = new long[2];
        t.run((x, y, tw, th, dst) -> {}, (in, th, tw, out) -> {}, (y, rows, d) -> {}, (d, n) -> {
            last[0] = d;
            last[1] = n;
        });
        assertEquals(t.tileCount(), last[0]);
        assertEquals(t.tileCount(), last[1]);
    }

    @Test
    void rejectsAnOverlapAsLargeAsTheTile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Tiler(100, 100, 1, 1, 32, 32, 1));
        assertTrue(e.getMessage().contains("overlap 32 must be smaller than the tile size 32"), e.getMessage());
    }
}
