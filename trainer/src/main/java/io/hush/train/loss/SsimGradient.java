package io.hush.train.loss;

import io.hush.metrics.Ssim;

/**
 * SSIM of one image plane against a reference, and its exact gradient with respect to the first image. The window,
 * its taps, the constants and the valid-region filtering are those of the metric, {@link io.hush.metrics.Ssim} (peak 1);
 * this class adds what training needs: reusable per-thread buffers and the gradient.
 *
 * <pre>
 *   SSIM = (2 mx my + C1)(2 sxy + C2) / ((mx^2 + my^2 + C1)(sx^2 + sy^2 + C2)) =: A1 A2 / (B1 B2)
 *   CS   = A2 / B2   (the contrast-structure term MS-SSIM uses at the finer scales)
 * </pre>
 * where mx = W*x, Exx = W*(x^2), Exy = W*(xy), sx^2 = Exx - mx^2, sxy = Exy - mx my (W* = window-weighted mean).
 *
 * <p>Gradient: at each position p the value depends on x only through mx, Exx and Exy, and
 * d mx(p)/dx_q = w(q-p), d Exx(p)/dx_q = 2 x_q w(q-p), d Exy(p)/dx_q = y_q w(q-p). With per-position partials
 * a = dF/dmx, b = dF/dExx, c = dF/dExy this gives dF/dx = W'a + 2x (W'b) + y (W'c), where W' is the transpose of the
 * valid filtering (a "full" filtering of the smaller map back to H x W). The partials of SSIM are
 * a = 2my(A2-A1)/(B1B2) - 2mx SSIM (1/B1 - 1/B2), b = -SSIM/B2, c = 2A1/(B1B2); of CS
 * a = -2my/B2 + 2mx A2/B2^2, b = -A2/B2^2, c = 2/B2. None divides by A1 or A2, which can be 0.
 *
 * <p>Everything is in double: the loss is a mean of many near-1 values, and float sums would swamp the
 * finite-difference checks. One {@link Work} per thread; callers parallelise over planes.
 */
final class SsimGradient {
    static final int WINDOW = Ssim.WINDOW;
    static final double C1 = Ssim.c1(1), C2 = Ssim.c2(1);
    private static final double[] G = Ssim.window();

    private SsimGradient() {}

    /** Buffers for one plane of a fixed {@code [h,w]}; reused call after call. */
    static final class Work {
        final int h, w, ho, wo;
        final double[] tmp;                  // [h,w] products x*x, y*y, x*y
        final double[] row;                  // [h,wo] horizontal pass
        final double[] mx, my, exx, eyy, exy; // [ho,wo] moments
        final double[] a, b, c;              // [ho,wo] per-position partials
        final double[] back, ga, gb, gc;     // [h,wo] and [h,w] transposed filtering

        Work(int h, int w) {
            Ssim.checkSize(h, w);
            this.h = h;
            this.w = w;
            ho = h - WINDOW + 1;
            wo = w - WINDOW + 1;
            tmp = new double[h * w];
            row = new double[h * wo];
            mx = new double[ho * wo];
            my = new double[ho * wo];
            exx = new double[ho * wo];
            eyy = new double[ho * wo];
            exy = new double[ho * wo];
            a = new double[ho * wo];
            b = new double[ho * wo];
            c = new double[ho * wo];
            back = new double[h * wo];
            ga = new double[h * w];
            gb = new double[h * w];
            gc = new double[h * w];
        }

        boolean fits(int hh, int ww) { return hh == h && ww == w; }
    }

    /**
     * Mean SSIM ({@code out[0]}) and mean CS ({@code out[1]}) over the valid positions of plane {@code x} against
     * {@code y}, both {@code [h,w]} row-major. If {@code grad} is non-null, writes d(coefS*meanSSIM + coefCS*meanCS)/dx
     * into it ({@code [h,w]}). {@code reuse} skips the filtering when {@code k} still holds the moments of this same
     * x and y.
     */
    static void plane(double[] x, double[] y, Work k, double[] out, double coefS, double coefCS, double[] grad, boolean reuse) {
        int h = k.h, w = k.w, ho = k.ho, wo = k.wo;
        if (!reuse) moments(x, y, k);
        int positions = ho * wo;

        double scale = 1.0 / positions;
        double sumS = 0, sumCS = 0;
        for (int p = 0; p < positions; p++) {
            double mx = k.mx[p], my = k.my[p];
            double sxx = k.exx[p] - mx * mx, syy = k.eyy[p] - my * my, sxy = k.exy[p] - mx * my;
            double a1 = 2 * mx * my + C1, a2 = 2 * sxy + C2;
            double b1 = mx * mx + my * my + C1, b2 = sxx + syy + C2;
            double s = a1 * a2 / (b1 * b2);
            double cs = a2 / b2;
            sumS += s;
            sumCS += cs;
            if (grad != null) {
                double aS = 2 * my * (a2 - a1) / (b1 * b2) - 2 * mx * s * (1 / b1 - 1 / b2);
                double bS = -s / b2;
                double cS = 2 * a1 / (b1 * b2);
                double aC = -2 * my / b2 + 2 * mx * a2 / (b2 * b2);
                double bC = -a2 / (b2 * b2);
                double cC = 2 / b2;
                k.a[p] = scale * (coefS * aS + coefCS * aC);
                k.b[p] = scale * (coefS * bS + coefCS * bC);
                k.c[p] = scale * (coefS * cS + coefCS * cC);
            }
        }
        out[0] = sumS * scale;
        out[1] = sumCS * scale;
        if (grad == null) return;
        filterT(k.a, k, k.ga);
        filterT(k.b, k, k.gb);
        filterT(k.c, k, k.gc);
        for (int i = 0; i < h * w; i++) grad[i] = k.ga[i] + 2 * x[i] * k.gb[i] + y[i] * k.gc[i];
    }

    /** The five window moments of x and y into {@code k}. */
    static void moments(double[] x, double[] y, Work k) {
        int n = k.h * k.w;
        Ssim.filterValid(x, k.h, k.w, k.row, k.mx);
        Ssim.filterValid(y, k.h, k.w, k.row, k.my);
        for (int i = 0; i < n; i++) k.tmp[i] = x[i] * x[i];
        Ssim.filterValid(k.tmp, k.h, k.w, k.row, k.exx);
        for (int i = 0; i < n; i++) k.tmp[i] = y[i] * y[i];
        Ssim.filterValid(k.tmp, k.h, k.w, k.row, k.eyy);
        for (int i = 0; i < n; i++) k.tmp[i] = x[i] * y[i];
        Ssim.filterValid(k.tmp, k.h, k.w, k.row, k.exy);
    }

    /**
     * Transpose of {@link Ssim#filterValid}: {@code src[ho,wo] -> dst[h,w]}, each position spreading its value over
     * its window.
     */
    static void filterT(double[] src, Work k, double[] dst) {
        int h = k.h, w = k.w, ho = k.ho, wo = k.wo;
        java.util.Arrays.fill(k.back, 0);
        for (int i = 0; i < ho; i++) for (int t = 0; t < WINDOW; t++) axpy(G[t], src, i * wo, k.back, (i + t) * wo, wo);
        java.util.Arrays.fill(dst, 0);
        for (int i = 0; i < h; i++) for (int t = 0; t < WINDOW; t++) axpy(G[t], k.back, i * wo, dst, i * w + t, wo);
    }

    /** {@code out[o + j] += g * in[i + j]} for {@code j < n}. */
    private static void axpy(double g, double[] in, int i, double[] out, int o, int n) {
        for (int j = 0; j < n; j++) out[o + j] += g * in[i + j];
    }

    /** Copies plane {@code (n, ch)} of an NHWC array into {@code dst[h*w]}. */
    static void extract(float[] src, int n, int ch, int h, int w, int c, double[] dst) {
        int base = n * h * w * c + ch;
        for (int i = 0; i < h * w; i++) dst[i] = src[base + i * c];
    }

    /** Writes {@code src[h*w]} into plane {@code (n, ch)} of an NHWC array. */
    static void insert(double[] src, float[] dst, int n, int ch, int h, int w, int c) {
        int base = n * h * w * c + ch;
        for (int i = 0; i < h * w; i++) dst[base + i * c] = (float) src[i];
    }
}
