package io.hush.metrics;

/**
 * Structural similarity (Wang, Bovik, Sheikh, Simoncelli 2004) as in Wang's reference {@code ssim_index.m}: an 11x11
 * Gaussian window of sigma 1.5 (normalised to sum 1), K1 = 0.01, K2 = 0.03, C1 = (K1 L)^2, C2 = (K2 L)^2 with L the
 * peak (data range), local statistics with the population (1/N) covariance, and the mean of the SSIM map over the
 * <em>valid</em> region only (windows entirely inside the image: an {@code [H-10, W-10]} map). No automatic
 * downsampling (the later {@code ssim.m} does that for large images; scikit-image and most papers do not).
 * This equals scikit-image's {@code structural_similarity(gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False, data_range=L)}, which crops the 5-pixel border before averaging.
 *
 * <p>Planes are {@code [H, W]} row-major, or {@code [H, W, C]} interleaved, where the result is the mean over
 * channels. Images must be at least 11x11. Arithmetic is in double.
 */
public final class Ssim {
    public static final int WINDOW = 11;
    public static final double SIGMA = 1.5, K1 = 0.01, K2 = 0.03;
    private static final double[] G = gaussian(WINDOW, SIGMA);

    private Ssim() {}

    /** Mean SSIM of two {@code [H, W]} planes with peak 1. */
    public static double ssim(float[] a, float[] b, int h, int w) { return ssim(a, b, h, w, 1, 1.0); }

    /** Mean SSIM of two {@code [H, W, C]} images (mean over channels) with the given peak (data range). */
    public static double ssim(float[] a, float[] b, int h, int w, int c, double peak) {
        check(a, b, h, w, c);
        double s = 0;
        for (int ch = 0; ch < c; ch++) s += stats(channel(a, c, ch), channel(b, c, ch), h, w, peak)[0];
        return s / c;
    }

    /** The SSIM map over the valid region, {@code [H-10, W-10]}, of two {@code [H, W]} planes. */
    public static double[] map(float[] a, float[] b, int h, int w, double peak) {
        check(a, b, h, w, 1);
        double[][] m = maps(toDouble(a), toDouble(b), h, w, peak);
        return m[0];
    }

    /**
     * The window's 1-D taps, {@code [11]}: a Gaussian of sigma 1.5 normalised to sum 1; the 2-D window is their outer
     * product (a copy: the training loss filters with these same taps).
     */
    public static double[] window() { return G.clone(); }

    /** The luminance constant {@code C1 = (K1 peak)^2}. */
    public static double c1(double peak) { return (K1 * peak) * (K1 * peak); }

    /** The contrast-structure constant {@code C2 = (K2 peak)^2}. */
    public static double c2(double peak) { return (K2 * peak) * (K2 * peak); }

    /** Throws {@link IllegalArgumentException} unless an {@code [h, w]} plane holds at least one 11x11 window. */
    public static void checkSize(int h, int w) {
        if (h < WINDOW || w < WINDOW) {
            throw new IllegalArgumentException("SSIM needs images of at least " + WINDOW + "x" + WINDOW + " (its Gaussian window), got "
                    + w + "x" + h);
        }
    }

    /**
     * Valid-region correlation with the separable Gaussian window, {@code src[h, w] -> dst[h-10, w-10]}, through
     * {@code row[h, w-10]} (the horizontal pass). Allocates nothing; the tap loop is outermost, so the innermost loop
     * is a unit-stride axpy.
     */
    public static void filterValid(double[] src, int h, int w, double[] row, double[] dst) {
        int ho = h - WINDOW + 1, wo = w - WINDOW + 1;
        java.util.Arrays.fill(row, 0, h * wo, 0);
        for (int i = 0; i < h; i++) for (int t = 0; t < WINDOW; t++) axpy(G[t], src, i * w + t, row, i * wo, wo);
        java.util.Arrays.fill(dst, 0, ho * wo, 0);
        for (int i = 0; i < ho; i++) for (int t = 0; t < WINDOW; t++) axpy(G[t], row, (i + t) * wo, dst, i * wo, wo);
    }

    /** {@code out[o + j] += g * in[i + j]} for {@code j < n}. */
    private static void axpy(double g, double[] in, int i, double[] out, int o, int n) {
        for (int j = 0; j < n; j++) out[o + j] += g * in[i + j];
    }

    /** {mean SSIM, mean contrast-structure} of two {@code [H, W]} planes in double. */
    static double[] stats(double[] a, double[] b, int h, int w, double peak) {
        double[][] m = maps(a, b, h, w, peak);
        double s = 0, cs = 0;
        for (int i = 0; i < m[0].length; i++) {
            s += m[0][i];
            cs += m[1][i];
        }
        return new double[] {s / m[0].length, cs / m[1].length};
    }

    /** {SSIM map, contrast-structure map}, each {@code [H-10, W-10]}. */
    static double[][] maps(double[] a, double[] b, int h, int w, double peak) {
        checkSize(h, w);
        if (!(peak > 0)) throw new IllegalArgumentException("peak " + peak + " must be > 0");
        int n = h * w;
        double[] aa = new double[n], bb = new double[n], ab = new double[n];
        for (int i = 0; i < n; i++) {
            aa[i] = a[i] * a[i];
            bb[i] = b[i] * b[i];
            ab[i] = a[i] * b[i];
        }
        double[] mx = valid(a, h, w), my = valid(b, h, w), sxx = valid(aa, h, w), syy = valid(bb, h, w), sxy = valid(ab, h, w);
        double c1 = c1(peak), c2 = c2(peak);
        double[] ssim = new double[mx.length], cs = new double[mx.length];
        for (int i = 0; i < mx.length; i++) {
            double ux = mx[i], uy = my[i];
            double vx = sxx[i] - ux * ux, vy = syy[i] - uy * uy, cxy = sxy[i] - ux * uy;
            double csv = (2 * cxy + c2) / (vx + vy + c2);
            cs[i] = csv;
            ssim[i] = (2 * ux * uy + c1) / (ux * ux + uy * uy + c1) * csv;
        }
        return new double[][] {ssim, cs};
    }

    /** {@link #filterValid} into a new array: {@code [h, w] -> [h-10, w-10]}. */
    static double[] valid(double[] x, int h, int w) {
        int ow = w - WINDOW + 1, oh = h - WINDOW + 1;
        double[] out = new double[oh * ow];
        filterValid(x, h, w, new double[h * ow], out);
        return out;
    }

    static double[] gaussian(int size, double sigma) {
        double[] g = new double[size];
        double s = 0, c = (size - 1) / 2.0;
        for (int i = 0; i < size; i++) {
            g[i] = Math.exp(-(i - c) * (i - c) / (2 * sigma * sigma));
            s += g[i];
        }
        for (int i = 0; i < size; i++) g[i] /= s;
        return g;
    }

    static double[] channel(float[] x, int c, int ch) {
        double[] out = new double[x.length / c];
        for (int i = 0; i < out.length; i++) out[i] = x[i * c + ch];
        return out;
    }

    static double[] toDouble(float[] x) { return channel(x, 1, 0); }

    static void check(float[] a, float[] b, int h, int w, int c) {
        long n = (long) h * w * c;
        if (c < 1 || a.length != n || b.length != n) {
            throw new IllegalArgumentException("expected two [" + h + "," + w + "," + c + "] images (" + n + " values), got "
                    + a.length + " and " + b.length);
        }
    }
}
