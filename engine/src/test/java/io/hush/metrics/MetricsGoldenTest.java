package io.hush.metrics;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PSNR/SSIM against scikit-image 0.19 and MS-SSIM against an independent numpy/scipy implementation of Wang's
 * msssim.m: values printed by tools/golden/metrics_golden.py (re-run it and paste if the definitions change). The
 * inputs are integer formulas, rebuilt here exactly.
 */
class MetricsGoldenTest {
    // ---- pasted from: /usr/bin/python3 tools/golden/metrics_golden.py
    static final double PSNR_G1 = 26.851774434059532;
    static final double SSIM_G1 = 0.7727330526548254;
    static final double PSNR_G2 = 17.744367647932272;
    static final double SSIM_G2 = 0.3781739324988249;
    static final double PSNR_RGB = 17.85874569331991;
    static final double SSIM_RGB = 0.4599465763422083;
    static final double SSIM_G1_PEAK255 = 0.7727330508485107;
    static final double MSSSIM_M1 = 0.9824572171126417;
    static final double MSSSIM_M2 = 0.9151905896447714;
    // ----

    interface Noise { int at(int i, int j, int c); }

    static int clean(int i, int j, int c) { return (3 * i + 5 * j + 40 * c + 40 * (((i / 16) + (j / 16)) % 2)) % 256; }
    static int noise1(int i, int j, int c) { return ((i * i * 7 + j * 13 + i * j * 3 + c * 11) % 41) - 20; }
    static int noise2(int i, int j, int c) { return ((i * 31 + j * j * 17 + i * j + c * 5) % 121) - 60; }

    /** {clean, noisy} as [H, W, C] floats k/255, like the script's pair(). */
    static float[][] pair(int h, int w, int channels, Noise noise) {
        float[] a = new float[h * w * channels], b = new float[a.length];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                for (int c = 0; c < channels; c++) {
                    int k = clean(i, j, c), n = Math.clamp(k + noise.at(i, j, c), 0, 255);
                    a[(i * w + j) * channels + c] = k / 255f;
                    b[(i * w + j) * channels + c] = n / 255f;
                }
            }
        }
        return new float[][] {a, b};
    }

    static final double TOL = 1e-9;

    @Test
    void psnrMatchesScikitImage() {
        float[][] g1 = pair(64, 80, 1, MetricsGoldenTest::noise1), g2 = pair(64, 80, 1, MetricsGoldenTest::noise2);
        assertEquals(PSNR_G1, Psnr.psnr(g1[0], g1[1]), TOL);
        assertEquals(PSNR_G2, Psnr.psnr(g2[0], g2[1], 1.0), TOL);
        float[][] rgb = pair(48, 40, 3, MetricsGoldenTest::noise2);
        assertEquals(PSNR_RGB, Psnr.psnr(rgb[0], rgb[1]), TOL);
        assertEquals((PSNR_G1 + PSNR_G2) / 2, Psnr.mean(List.of(g1[0], g2[0]), List.of(g1[1], g2[1]), 1.0), TOL);
    }

    @Test
    void psnr8QuantisesTheTestImageFirst() {
        float[] clean = {0, 100 / 255f, 1, 0.5f};
        float[] test = {-0.3f, 100.4f / 255, 1.7f, 0.5f};
        // After clipping and rounding: {0, 100/255, 1, 128/255}: only the last differs from clean, by 0.5/255.
        double mse = Math.pow(128 / 255f - 0.5f, 2) / 4;
        assertEquals(10 * Math.log10(1 / mse), Psnr.psnr8(clean, test), 1e-6);
        assertEquals(60.17, Psnr.psnr8(clean, test), 0.01);
        assertTrue(Psnr.psnr8(clean, test) > Psnr.psnr(clean, test), "clipping helps here");
    }

    @Test
    void ssimMatchesScikitImage() {
        float[][] g1 = pair(64, 80, 1, MetricsGoldenTest::noise1), g2 = pair(64, 80, 1, MetricsGoldenTest::noise2);
        assertEquals(SSIM_G1, Ssim.ssim(g1[0], g1[1], 64, 80), TOL);
        assertEquals(SSIM_G2, Ssim.ssim(g2[0], g2[1], 64, 80), TOL);
        float[][] rgb = pair(48, 40, 3, MetricsGoldenTest::noise2);
        assertEquals(SSIM_RGB, Ssim.ssim(rgb[0], rgb[1], 48, 40, 3, 1.0), TOL);
        float[] a255 = g1[0].clone(), b255 = g1[1].clone();
        for (int i = 0; i < a255.length; i++) {
            a255[i] *= 255f;
            b255[i] *= 255f;
        }
        assertEquals(SSIM_G1_PEAK255, Ssim.ssim(a255, b255, 64, 80, 1, 255.0), TOL);
        double[] map = Ssim.map(g1[0], g1[1], 64, 80, 1.0);
        assertEquals((64 - 10) * (80 - 10), map.length);
    }

    @Test
    void msSsimMatchesTheReferenceImplementation() {
        float[][] m1 = pair(200, 176, 1, MetricsGoldenTest::noise1), m2 = pair(181, 163, 1, MetricsGoldenTest::noise2);
        assertEquals(MSSSIM_M1, MsSsim.msSsim(m1[0], m1[1], 200, 176), TOL);
        assertEquals(MSSSIM_M2, MsSsim.msSsim(m2[0], m2[1], 181, 163), TOL, "odd sizes");
    }

    @Test
    void identityBoundsAndErrors() {
        float[][] g = pair(200, 176, 1, MetricsGoldenTest::noise2);
        assertEquals(Double.POSITIVE_INFINITY, Psnr.psnr(g[0], g[0].clone()));
        assertEquals(1.0, Ssim.ssim(g[0], g[0].clone(), 200, 176), 1e-12);
        assertEquals(1.0, MsSsim.msSsim(g[0], g[0].clone(), 200, 176), 1e-12);
        // Anti-correlated images: no NaN from a fractional power of a negative term.
        float[] inv = new float[g[0].length];
        for (int i = 0; i < inv.length; i++) inv[i] = 1 - g[0][i];
        double v = MsSsim.msSsim(g[0], inv, 200, 176);
        assertFalse(Double.isNaN(v));
        assertTrue(v >= 0 && v < 0.5, "ms-ssim of an inverted image " + v);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ssim.ssim(new float[100], new float[100], 10, 10));
        assertTrue(e.getMessage().contains("at least 11x11"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MsSsim.msSsim(new float[160 * 200], new float[160 * 200], 160, 200));
        assertTrue(e.getMessage().contains("at least 161x161"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Psnr.psnr(new float[3], new float[4]));
        assertTrue(e.getMessage().contains("3 vs 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ssim.ssim(new float[144], new float[143], 12, 12));
        assertTrue(e.getMessage().contains("[12,12,1]"), e.getMessage());
    }

    @Test
    void msSsimDownsamplingRepeatsTheLastRowAndColumn() {
        double[] x = {1, 2, 3, 4, 5, 6}; // [2, 3]
        assertArrayEquals(new double[] {3, 4.5}, MsSsim.half(x, 2, 3), 1e-12);
        double[] y = {1, 2, 3, 4, 5, 6, 7, 8, 9}; // [3, 3]
        assertArrayEquals(new double[] {3, 4.5, 7.5, 9}, MsSsim.half(y, 3, 3), 1e-12);
    }
}
