package io.hush.train.loss;

import io.hush.engine.Shape;
import io.hush.engine.ThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class LossTest {
    static final ThreadPool ONE = new ThreadPool(1);
    static final ThreadPool TWO = new ThreadPool(2);

    @AfterAll
    static void close() {
        ONE.close();
        TWO.close();
    }

    /** Smooth-ish random images in [0.05, 0.95]: a low-frequency pattern plus noise, so SSIM is not trivially ~0. */
    static float[] image(Shape s, long seed, float[] base, double noise) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[(int) s.size()];
        for (int i = 0; i < a.length; i++) {
            double v = base != null ? base[i] : 0.5 + 0.3 * Math.sin(i * 0.37) * Math.cos(i * 0.011);
            a[i] = (float) Math.min(0.95, Math.max(0.05, v + noise * (r.nextDouble() - 0.5)));
        }
        return a;
    }

    /** Central finite differences of the loss at {@code count} coordinates vs the analytic gradient. */
    static void gradCheck(Loss loss, Shape s, float[] y, float[] t, int count, double eps, double rtol, double atol) {
        float[] g = new float[y.length];
        loss.compute(y, t, g, s, ONE);
        SplittableRandom r = new SplittableRandom(7);
        double maxAbs = 0;
        for (float v : g) maxAbs = Math.max(maxAbs, Math.abs(v));
        assertTrue(maxAbs > 0, loss.name() + ": gradient is all zero");
        for (int k = 0; k < count; k++) {
            int i = k == 0 ? 0 : k == 1 ? y.length - 1 : r.nextInt(y.length);
            float orig = y[i];
            y[i] = (float) (orig + eps);
            double hp = y[i] - (double) orig;
            double lp = loss.compute(y, t, null, s, ONE);
            y[i] = (float) (orig - eps);
            double hm = orig - (double) y[i];
            double lm = loss.compute(y, t, null, s, ONE);
            y[i] = orig;
            double numeric = (lp - lm) / (hp + hm);
            double diff = Math.abs(numeric - g[i]);
            assertTrue(diff <= atol + rtol * Math.abs(numeric),
                    loss.name() + " d/dy[" + i + "]: analytic " + g[i] + " vs numeric " + numeric);
        }
    }

    @Test
    void mseL1BceValues() {
        Shape s = Shape.of(2, 1, 2, 1);
        float[] y = {0.5f, 0.25f, 1f, 0f};
        float[] t = {1f, 0f, 1f, 0.5f};
        float[] g = new float[4];
        // MSE: (0.25 + 0.0625 + 0 + 0.25) / 4
        assertEquals(0.140625, PixelLoss.mse().compute(y, t, g, s, ONE), 1e-12);
        assertArrayEquals(new float[] {-0.25f, 0.125f, 0f, -0.25f}, g, 1e-7f);
        // L1: (0.5 + 0.25 + 0 + 0.5) / 4
        assertEquals(0.3125, PixelLoss.l1().compute(y, t, g, s, ONE), 1e-12);
        assertArrayEquals(new float[] {-0.25f, 0.25f, 0f, -0.25f}, g, 1e-7f);
        // BCE of p=0.5, t=1: ln 2; p=0.25,t=0: -ln 0.75
        float[] yb = {0.5f, 0.25f};
        float[] tb = {1f, 0f};
        double want = (Math.log(2) - Math.log(0.75)) / 2;
        assertEquals(want, PixelLoss.bce().compute(yb, tb, g = new float[2], Shape.of(1, 2), ONE), 1e-7);
        // (p-t)/(p(1-p))/2: (-0.5/0.25)/2 = -1, (0.25/0.1875)/2 = 0.6667
        assertArrayEquals(new float[] {-1f, 0.6666667f}, g, 1e-6f);
        // clamped: p=0 against t=1 is finite
        assertTrue(Double.isFinite(PixelLoss.bce().compute(new float[] {0f}, new float[] {1f}, null, Shape.of(1, 1), ONE)));
    }

    @Test
    void pixelGradients() {
        Shape s = Shape.of(3, 5, 4, 2);
        float[] t = image(s, 1, null, 0.8);
        float[] y = image(s, 2, null, 0.8);
        gradCheck(PixelLoss.mse(), s, y, t, 40, 1e-3, 1e-3, 1e-7);
        gradCheck(PixelLoss.l1(), s, y, t, 40, 1e-4, 1e-3, 1e-7);
        gradCheck(PixelLoss.bce(), s, y, t, 40, 1e-3, 1e-3, 1e-5);
    }

    /** Brute-force SSIM: the full 11x11 window at every valid position, straight from the definition. */
    static double bruteSsim(float[] x, float[] y, int h, int w) {
        double[][] win = new double[11][11];
        double sum = 0;
        for (int i = 0; i < 11; i++) for (int j = 0; j < 11; j++) sum += win[i][j] = Math.exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5));
        double total = 0;
        int count = 0;
        for (int pi = 0; pi + 11 <= h; pi++) {
            for (int pj = 0; pj + 11 <= w; pj++) {
                double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
                for (int i = 0; i < 11; i++) {
                    for (int j = 0; j < 11; j++) {
                        double g = win[i][j] / sum, a = x[(pi + i) * w + pj + j], b = y[(pi + i) * w + pj + j];
                        mx += g * a; my += g * b; xx += g * a * a; yy += g * b * b; xy += g * a * b;
                    }
                }
                double c1 = 1e-4, c2 = 9e-4;
                double vx = xx - mx * mx, vy = yy - my * my, cxy = xy - mx * my;
                total += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                count++;
            }
        }
        return total / count;
    }

    @Test
    void ssimMatchesDefinition() {
        Shape s = Shape.of(1, 17, 23, 1);
        float[] t = image(s, 3, null, 0.2);
        float[] y = image(s, 4, t, 0.3);
        double want = 1 - bruteSsim(y, t, 17, 23);
        assertEquals(want, new SsimLoss().compute(y, t, null, s, ONE), 1e-12);
        assertEquals(1 - want, io.hush.metrics.Ssim.ssim(y, t, 17, 23), 1e-12); // the metric: the same window and constants
        // identical images: loss 0, gradient 0
        float[] g = new float[t.length];
        assertEquals(0, new SsimLoss().compute(t, t, g, s, ONE), 1e-12);
        for (float v : g) assertEquals(0f, v, 1e-9f);
    }

    @Test
    void ssimGradientIsExact() {
        Shape s = Shape.of(2, 13, 16, 3); // channels not a power of two, width > height
        float[] t = image(s, 5, null, 0.3);
        float[] y = image(s, 6, t, 0.4);
        gradCheck(new SsimLoss(), s, y, t, 80, 1e-3, 1e-4, 1e-9);
    }

    @Test
    void msSsimGradientIsExact() {
        assertEquals(2, MsSsimLoss.scales(28, 28));
        assertEquals(5, MsSsimLoss.scales(180, 180));
        assertEquals(4, MsSsimLoss.scales(160, 160)); // 160, 80, 40, 20, 10: the fifth scale would be under 11
        assertEquals(1, MsSsimLoss.scales(11, 40));
        Shape s = Shape.of(2, 25, 23, 1); // odd sizes: the last row/column is dropped when halving
        float[] t = image(s, 8, null, 0.3);
        float[] y = image(s, 9, t, 0.3);
        gradCheck(new MsSsimLoss(), s, y, t, 80, 1e-3, 1e-4, 1e-9);
        // one scale = SSIM
        Shape one = Shape.of(1, 12, 12, 1);
        float[] a = image(one, 1, null, 0.3), b = image(one, 2, a, 0.3);
        assertEquals(new SsimLoss().compute(a, b, null, one, ONE), new MsSsimLoss().compute(a, b, null, one, ONE), 1e-12);
    }

    /** The losses agree with the independent metric implementations in io.hush.metrics. */
    @Test
    void matchesTheMetricsPackage() {
        Shape s = Shape.of(1, 19, 14, 2);
        float[] t = image(s, 20, null, 0.3), y = image(s, 21, t, 0.3);
        assertEquals(1 - io.hush.metrics.Ssim.ssim(y, t, 19, 14, 2, 1.0), new SsimLoss().compute(y, t, null, s, ONE), 1e-12);
        Shape big = Shape.of(1, 163, 161, 1); // five scales, odd sides repeat their last row/column when halved
        float[] a = image(big, 22, null, 0.2), b = image(big, 23, a, 0.3);
        assertEquals(5, MsSsimLoss.scales(163, 161));
        assertEquals(1 - io.hush.metrics.MsSsim.msSsim(b, a, 163, 161), new MsSsimLoss().compute(b, a, null, big, ONE), 1e-12);
    }

    @Test
    void weightedSum() {
        Shape s = Shape.of(2, 12, 14, 1);
        float[] t = image(s, 10, null, 0.3);
        float[] y = image(s, 11, t, 0.3);
        Loss mix = Losses.parse("0.84*ssim + 0.16*l1");
        assertEquals("0.84*ssim+0.16*l1", mix.name());
        double want = 0.84 * new SsimLoss().compute(y, t, null, s, ONE) + 0.16 * PixelLoss.l1().compute(y, t, null, s, ONE);
        assertEquals(want, mix.compute(y, t, null, s, ONE), 1e-12);
        gradCheck(mix, s, y, t, 40, 1e-4, 1e-3, 1e-8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.parse("0.5*ssimm"));
        assertTrue(e.getMessage().contains("unknown loss 'ssimm'"), e.getMessage());
    }

    @Test
    void threadCountDoesNotChangeResults() {
        Shape s = Shape.of(5, 14, 14, 2);
        float[] t = image(s, 12, null, 0.3);
        float[] y = image(s, 13, t, 0.3);
        for (Loss l : new Loss[] {PixelLoss.mse(), new SsimLoss(), new MsSsimLoss(), Losses.parse("0.84*ssim+0.16*l1")}) {
            float[] g1 = new float[y.length], g2 = new float[y.length];
            double v1 = l.compute(y, t, g1, s, ONE), v2 = l.compute(y, t, g2, s, TWO);
            assertEquals(v1, v2, 0.0, l.name());
            assertArrayEquals(g1, g2, 0f, l.name());
        }
    }

    @Test
    void badShapesAreNamed() {
        Shape s = Shape.of(1, 8, 8, 1);
        float[] a = new float[64];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SsimLoss().compute(a, a, null, s, ONE));
        assertTrue(e.getMessage().contains("at least 11x11"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PixelLoss.mse().compute(a, new float[3], null, s, ONE));
        assertTrue(e.getMessage().contains("target 3"), e.getMessage());
    }
}
