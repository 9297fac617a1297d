package io.hush.classic;

import static org.junit.jupiter.api.Assertions.*;

import io.hush.metrics.Psnr;
import io.hush.noise.NoiseModel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ColorNonLocalMeansTest {
    /**
     * A colour version of {@link ClassicFiltersTest#synthetic}: its shapes in all three planes with positive gains (as
     * in photos, where the channels share the luminance structure), plus a ramp in green.
     */
    static float[][] colour(int h, int w) {
        float[] base = ClassicFiltersTest.synthetic(h, w);
        float[][] rgb = new float[3][h * w];
        for (int i = 0; i < h * w; i++) {
            rgb[0][i] = 0.7f * base[i] + 0.2f;
            rgb[1][i] = 0.6f * base[i] + 0.1f + 0.2f * (i / w) / h;
            rgb[2][i] = 0.5f * base[i] + 0.3f;
        }
        return rgb;
    }

    /** Gaussian noise on each plane, [H,W,3] interleaved by the noise model and split back into planes. */
    static float[][] noisy(float[][] clean, int h, int w, String spec, long seed) {
        float[] hwc = new float[3 * h * w];
        for (int i = 0; i < h * w; i++) for (int c = 0; c < 3; c++) hwc[3 * i + c] = clean[c][i];
        NoiseModel.parse(spec).applyInPlace(hwc, 0, h, w, 3, seed);
        float[][] out = new float[3][h * w];
        for (int i = 0; i < h * w; i++) for (int c = 0; c < 3; c++) out[c][i] = hwc[3 * i + c];
        return out;
    }

    static double psnr(float[][] a, float[][] b) {
        float[] x = new float[0], y = new float[0];
        for (int c = 0; c < a.length; c++) {
            x = concat(x, a[c]);
            y = concat(y, b[c]);
        }
        return Psnr.psnr(x, y);
    }

    static float[] concat(float[] a, float[] b) {
        float[] o = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }

    // Measured on this image at sigma 25: 20.2 dB noisy, 33.5 NLM per channel, 35.5 colour NLM.
    @Test
    void beatsNonLocalMeansPerChannelOnGaussianNoise() {
        int h = 64, w = 72;
        double sigma = 25 / 255.0;
        float[][] clean = colour(h, w), y = noisy(clean, h, w, "gaussian:25", 4);
        float[][] perChannel = new float[3][];
        for (int c = 0; c < 3; c++) perChannel[c] = NonLocalMeans.apply(y[c], h, w, sigma, 7, 21, 2);
        float[][] joint = ColorNonLocalMeans.apply(y, h, w, sigma, ColorNonLocalMeans.CHROMA_WEIGHT, 7, 21, 2);
        double before = psnr(clean, y), per = psnr(clean, perChannel), col = psnr(clean, joint);
        assertTrue(per > before + 5, String.format("per channel %.2f from %.2f", per, before));
        assertTrue(col > per + 1, String.format("colour NLM %.2f dB should beat NLM per channel %.2f dB", col, per));
        float[][] viaDenoise = ColorNonLocalMeans.denoise(y, h, w, sigma);
        assertEquals(col, psnr(clean, viaDenoise), 1e-3, "denoise = h sigma, default sizes and chroma weight");
    }

    @Test
    void grayInputIsPlainNonLocalMeansUnchanged() {
        int h = 40, w = 37;
        float[] x = new float[h * w];
        for (int y = 0; y < h; y++) for (int c = 0; c < w; c++) x[y * w + c] = (float) (0.4 + 0.3 * Math.sin(c * 0.3) * Math.cos(y * 0.2));
        float[] n = NoiseModel.parse("gaussian:25").apply(x, 1, 11);
        float[] gray = NonLocalMeans.apply(n, h, w, 0.1, 7, 21, 1);
        // goldens of NonLocalMeans from before it learnt several planes: the gray path is the same, bit for bit
        assertEquals(-1991601149, Arrays.hashCode(gray));
        assertEquals(1676085393, Arrays.hashCode(NonLocalMeans.apply(n, h, w, 0.1, 5, 11, 2)));
        assertArrayEquals(gray, ColorNonLocalMeans.apply(new float[][] {n}, h, w, 0.1, 0.3f, 7, 21, 1)[0]);
    }

    /** Straight from the definition: opponent planes, weighted patch distance, exact exp (same cutoff), back to RGB. */
    static float[][] reference(float[][] rgb, int h, int w, double hp, float cw, int patch, int search) {
        float[][] o = ColorNonLocalMeans.toOpponent(rgb[0], rgb[1], rgb[2]);
        float[] wt = {1f, cw, cw};
        double wsum = 1 + 2.0 * cw;
        int pr = patch / 2, sr = search / 2;
        float[][] out = new float[3][h * w];
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < w; c++) {
                double den = 0;
                double[] num = new double[3];
                for (int oy = -sr; oy <= sr; oy++) {
                    for (int ox = -sr; ox <= sr; ox++) {
                        double ssd = 0;
                        for (int k = 0; k < 3; k++) {
                            for (int py = -pr; py <= pr; py++) {
                                for (int px = -pr; px <= pr; px++) {
                                    float d = ClassicFiltersTest.at(o[k], h, w, y + py, c + px)
                                            - ClassicFiltersTest.at(o[k], h, w, y + oy + py, c + ox + px);
                                    ssd += wt[k] * d * d;
                                }
                            }
                        }
                        double z = ssd / (patch * patch * wsum) / (hp * hp);
                        if (z >= 12) continue; // NonLocalMeans drops weights below exp(-12)
                        double wgt = Math.exp(-z);
                        for (int k = 0; k < 3; k++) num[k] += wgt * ClassicFiltersTest.at(o[k], h, w, y + oy, c + ox);
                        den += wgt;
                    }
                }
                for (int k = 0; k < 3; k++) out[k][y * w + c] = (float) (num[k] / den);
            }
        }
        return ColorNonLocalMeans.fromOpponent(out[0], out[1], out[2]);
    }

    @Test
    void matchesTheDefinition() {
        int h = 9, w = 8;
        float[][] y = noisy(colour(h, w), h, w, "gaussian:30", 5);
        float[][] fast = ColorNonLocalMeans.apply(y, h, w, 0.12, 0.3f, 3, 5, 1);
        float[][] ref = reference(y, h, w, 0.12, 0.3f, 3, 5);
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < h * w; i++) assertEquals(ref[c][i], fast[c][i], 3e-5, "plane " + c + " pixel " + i);
        }
        // two workers only change the order of float additions
        float[][] two = ColorNonLocalMeans.apply(y, h, w, 0.12, 0.3f, 3, 5, 2);
        for (int c = 0; c < 3; c++) for (int i = 0; i < h * w; i++) assertEquals(fast[c][i], two[c][i], 1e-6);
    }

    @Test
    void opponentTransformIsOrthonormal() {
        int h = 11, w = 10;
        float[][] y = noisy(colour(h, w), h, w, "gaussian:20", 6);
        float[][] o = ColorNonLocalMeans.toOpponent(y[0], y[1], y[2]);
        float[][] back = ColorNonLocalMeans.fromOpponent(o[0], o[1], o[2]);
        for (int c = 0; c < 3; c++) for (int i = 0; i < h * w; i++) assertEquals(y[c][i], back[c][i], 1e-6);
        for (int i = 0; i < h * w; i++) {
            double rgb = 0, opp = 0;
            for (int c = 0; c < 3; c++) {
                rgb += y[c][i] * y[c][i];
                opp += o[c][i] * o[c][i];
            }
            assertEquals(rgb, opp, 1e-5, "squared norm kept at pixel " + i);
        }
        // so with chroma weight 1 colour NLM is NLM with the distance summed over R, G and B
        float[][] equal = ColorNonLocalMeans.apply(y, h, w, 0.1, 1f, 3, 5, 1);
        float[][] rgbJoint = NonLocalMeans.joint(y, new float[] {1f, 1f, 1f}, h, w, 0.1, 3, 5, 1);
        for (int c = 0; c < 3; c++) for (int i = 0; i < h * w; i++) assertEquals(rgbJoint[c][i], equal[c][i], 2e-5);
    }

    @Test
    void badArgumentsAreNamed() {
        float[][] two = {new float[4], new float[4]};
        var e = assertThrows(IllegalArgumentException.class, () -> ColorNonLocalMeans.apply(two, 2, 2, 0.1, 0.3f, 3, 5, 1));
        assertTrue(e.getMessage().contains("1 (gray) or 3 (RGB) planes, got 2"), e.getMessage());
        float[][] three = {new float[4], new float[4], new float[4]};
        e = assertThrows(IllegalArgumentException.class, () -> ColorNonLocalMeans.apply(three, 2, 2, 0.1, -1f, 3, 5, 1));
        assertTrue(e.getMessage().contains("distance weight -1.0 must be >= 0"), e.getMessage());
    }
}
