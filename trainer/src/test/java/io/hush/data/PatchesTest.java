package io.hush.data;

import io.hush.image.FloatImage;
import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PatchesTest {
    static FloatImage ramp(int w, int h, int channels) {
        float[][] p = new float[channels][w * h];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < w * h; i++) p[c][i] = (i + 1000 * c) / (float) (w * h * 4);
        }
        return new FloatImage(w, h, p, null, 8);
    }

    static float[] patch(FloatImage im, int ph, int pw, Augment a, long seed) {
        float[] d = new float[ph * pw * im.channels()];
        Patches.extract(im, ph, pw, a, new SplittableRandom(seed), d, 0);
        return d;
    }

    /** Reference quarter turn of a square [n,n] plane, counter-clockwise, written independently of Patches. */
    static float[] turn(float[] p, int n) {
        float[] o = new float[n * n];
        for (int y = 0; y < n; y++) for (int x = 0; x < n; x++) o[(n - 1 - x) * n + y] = p[y * n + x];
        return o;
    }

    static float[] mirror(float[] p, int h, int w) {
        float[] o = new float[h * w];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) o[y * w + (w - 1 - x)] = p[y * w + x];
        return o;
    }

    static String key(float[] a) { return java.util.Arrays.toString(a); }

    @Test
    void reflectFolds() {
        assertEquals(0, Patches.reflect(-1, 5));
        assertEquals(1, Patches.reflect(-2, 5));
        assertEquals(4, Patches.reflect(5, 5));
        assertEquals(3, Patches.reflect(6, 5));
        assertEquals(0, Patches.reflect(10, 5));
        assertEquals(4, Patches.reflect(-6, 5));
        assertEquals(0, Patches.reflect(7, 1));
        assertEquals(0, Patches.reflect(-3, 1));
        for (int i = -50; i < 50; i++) assertTrue(Patches.reflect(i, 7) >= 0 && Patches.reflect(i, 7) < 7);
    }

    @Test
    void centreCropWithoutAugmentation() {
        FloatImage im = ramp(10, 8, 3);
        float[] d = patch(im, 4, 4, Augment.NONE, 1);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                for (int c = 0; c < 3; c++) assertEquals(im.plane(c)[(2 + y) * 10 + (3 + x)], d[(y * 4 + x) * 3 + c]);
            }
        }
        assertArrayEquals(im.toHwc(), patch(im, 8, 10, Augment.NONE, 5), "whole image");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> patch(im, 9, 9, Augment.NONE, 1));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
    }

    @Test
    void randomCropsCoverAllPositions() {
        FloatImage im = ramp(6, 5, 1);
        Set<Float> corners = new HashSet<>();
        for (int s = 0; s < 500; s++) corners.add(patch(im, 3, 3, Augment.NONE.withRandomCrop(true), s)[0]);
        assertEquals(3 * 4, corners.size(), "every top-left position (3 rows x 4 columns) is drawn");
    }

    @Test
    void flipsAndQuarterTurnsGiveExactlyTheDihedralImages() {
        FloatImage im = ramp(5, 5, 1);
        float[] base = im.plane(0);
        Set<String> rotations = new HashSet<>();
        float[] r = base;
        for (int k = 0; k < 4; k++, r = turn(r, 5)) rotations.add(key(r));
        Set<String> all = new HashSet<>(rotations);
        for (String s : rotations) {
            float[] v = parse(s);
            all.add(key(mirror(v, 5, 5)));
        }
        assertEquals(8, all.size());

        Set<String> seen = new HashSet<>();
        for (int s = 0; s < 200; s++) {
            String p = key(patch(im, 5, 5, Augment.NONE.withRot90(true), s));
            assertTrue(rotations.contains(p), "rot90 gives a rotation");
            seen.add(p);
        }
        assertEquals(4, seen.size());
        seen.clear();
        for (int s = 0; s < 200; s++) seen.add(key(patch(im, 5, 5, Augment.NONE.withHflip(true), s)));
        assertEquals(Set.of(key(base), key(mirror(base, 5, 5))), seen);
        seen.clear();
        for (int s = 0; s < 400; s++) {
            String p = key(patch(im, 5, 5, Augment.DEFAULT.withRandomCrop(false), s));
            assertTrue(all.contains(p));
            seen.add(p);
        }
        assertEquals(8, seen.size(), "all 8 dihedral images drawn");
        // Non-square patches turn by 180 only: still the same multiset, same shape.
        FloatImage rect = ramp(6, 3, 1);
        for (int s = 0; s < 20; s++) {
            float[] p = patch(rect, 3, 6, Augment.NONE.withRot90(true), s);
            assertTrue(p[0] == rect.plane(0)[0] || p[0] == rect.plane(0)[17]);
        }
    }

    static float[] parse(String s) {
        String[] t = s.substring(1, s.length() - 1).split(", ");
        float[] v = new float[t.length];
        for (int i = 0; i < t.length; i++) v[i] = Float.parseFloat(t[i]);
        return v;
    }

    @Test
    void anyAngleRotationIsBilinearWithReflectBorders() {
        // A linear image: bilinear interpolation reproduces it exactly, so a rotated patch is linear with the same
        // gradient magnitude, turned by the drawn angle.
        int w = 64, h = 64;
        float[] p = new float[w * h];
        double a = 0.003, b = 0.007;
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) p[y * w + x] = (float) (0.2 + a * y + b * x);
        FloatImage im = FloatImage.gray(w, h, p);
        Set<Long> directions = new HashSet<>();
        for (int s = 0; s < 30; s++) {
            float[] q = patch(im, 16, 16, Augment.NONE.withRotation(90), s);
            double gy = (q[15 * 16 + 8] - q[8]) / 15.0, gx = (q[8 * 16 + 15] - q[8 * 16]) / 15.0;
            assertEquals(Math.hypot(a, b), Math.hypot(gy, gx), 1e-5, "gradient magnitude kept");
            directions.add(Math.round(Math.toDegrees(Math.atan2(gy, gx)) / 10));
            for (int i = 0; i < 16; i++) { // linear along rows
                assertEquals(q[8 * 16 + i] - q[8 * 16], i * gx, 1e-5);
            }
        }
        assertTrue(directions.size() > 5, "angles vary: " + directions);
        // At a corner, rotated windows reach outside the image: reflection keeps values inside the image's range.
        FloatImage small = ramp(20, 20, 1);
        for (int s = 0; s < 50; s++) {
            float[] q = patch(small, 20, 20, Augment.NONE.withRotation(45), s);
            for (float v : q) assertTrue(v >= 0 && v <= 399f / 1600 + 1e-6 && !Float.isNaN(v));
        }
        // A constant image stays constant under any rotation.
        float[] c = new float[100];
        java.util.Arrays.fill(c, 0.3f);
        for (float v : patch(FloatImage.gray(10, 10, c), 10, 10, Augment.DEFAULT.withRotation(180), 3)) assertEquals(0.3f, v, 1e-6f);
    }

    @Test
    void channelOrdersAreAllReachedAndKeepEachPixelsValues() {
        FloatImage im = ramp(6, 6, 3);
        Augment a = Augment.NONE.withPermuteChannels(true);
        float[] plain = patch(im, 6, 6, Augment.NONE, 0);
        Set<String> orders = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            float[] d = patch(im, 6, 6, a, seed);
            int[] first = new int[3];
            for (int c = 0; c < 3; c++) { // which source channel landed in c (the ramp's channels differ everywhere)
                first[c] = -1;
                for (int k = 0; k < 3; k++) if (d[c] == plain[k]) first[c] = k;
                assertTrue(first[c] >= 0, "channel " + c + " is not one of the source channels");
            }
            for (int p = 0; p < 36; p++) {
                for (int c = 0; c < 3; c++) assertEquals(plain[p * 3 + first[c]], d[p * 3 + c], "pixel " + p);
            }
            orders.add(java.util.Arrays.toString(first));
        }
        assertEquals(6, orders.size(), "all 6 channel orders: " + orders);
    }

    @Test
    void saturationKeepsTheMeanUnlessClippedAndOnlyWidensChroma() {
        // A pale colour (mean 0.5, small spread): never clipped, so the channel mean is kept exactly.
        float[][] pl = {new float[16], new float[16], new float[16]};
        java.util.Arrays.fill(pl[0], 0.55f);
        java.util.Arrays.fill(pl[1], 0.45f);
        java.util.Arrays.fill(pl[2], 0.50f);
        FloatImage im = new FloatImage(4, 4, pl, null, 8);
        Augment a = Augment.NONE.withMaxSaturation(2.5);
        int widened = 0;
        for (long seed = 0; seed < 100; seed++) {
            float[] d = patch(im, 4, 4, a, seed);
            float spread = d[0] - d[1];
            assertEquals(0.5f, (d[0] + d[1] + d[2]) / 3, 1e-6f);
            assertTrue(spread >= 0.1f - 1e-6f && spread <= 0.25f + 1e-6f, "factor in [1, 2.5]: spread " + spread);
            for (int p = 1; p < 16; p++) assertEquals(d[0], d[p * 3], "one factor per patch");
            if (spread > 0.1f + 1e-4f) widened++;
        }
        assertTrue(widened > 30 && widened < 70, "about half the patches saturated: " + widened);
        // A strong colour is clipped to [0,1].
        java.util.Arrays.fill(pl[0], 0.95f);
        java.util.Arrays.fill(pl[1], 0.05f);
        for (long seed = 0; seed < 50; seed++) {
            for (float v : patch(im, 4, 4, a, seed)) assertTrue(v >= 0 && v <= 1, "clipped: " + v);
        }
        // Gray patches are not changed, and one-channel images are left alone.
        FloatImage gray = ramp(5, 5, 1);
        assertArrayEquals(patch(gray, 5, 5, Augment.NONE, 3), patch(gray, 5, 5, Augment.COLOR.withRandomCrop(false)
                .withHflip(false).withVflip(false).withRot90(false), 3));
    }

    @Test
    void exposureScalesHalfThePatchesByOneGainWithinTheRangeAndClips() {
        float[][] pl = {new float[9]};
        java.util.Arrays.fill(pl[0], 0.4f);
        pl[0][4] = 0.9f;
        FloatImage im = new FloatImage(3, 3, pl, null, 8);
        Augment a = Augment.NONE.withMaxExposure(2);
        int changed = 0, clipped = 0;
        for (long seed = 0; seed < 200; seed++) {
            float[] d = patch(im, 3, 3, a, seed);
            float g = d[0] / 0.4f;
            assertTrue(g >= 0.5f - 1e-5f && g <= 2f + 1e-5f, "gain " + g);
            for (int i = 0; i < 9; i++) if (i != 4) assertEquals(d[0], d[i], "one gain per patch");
            assertEquals(Math.min(1f, 0.9f * g), d[4], 1e-5f, "clipped to [0,1]");
            if (g != 1f) changed++;
            if (d[4] == 1f) clipped++;
        }
        assertTrue(changed > 70 && changed < 130, "about half the patches: " + changed);
        assertTrue(clipped > 10, "brighter patches clip their highlights: " + clipped);
    }
}
