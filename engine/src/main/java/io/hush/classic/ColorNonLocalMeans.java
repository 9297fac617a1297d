package io.hush.classic;

/**
 * Colour non-local means: one set of NLM weights for all three planes of an RGB image, as in Buades, Coll and Morel's
 * colour NLM and the grouping of CBM3D, instead of three independent gray NLMs whose weights each see only one
 * plane's noise. The planes go through the orthonormal opponent transform
 * <pre>
 *   Y  = (R + G + B) / sqrt(3)      luminance
 *   C1 = (R - B) / sqrt(2)          red-blue
 *   C2 = (R - 2G + B) / sqrt(6)     green-magenta
 * </pre>
 * (orthonormal, so white noise of deviation sigma in RGB is white noise of deviation sigma in each of Y, C1, C2),
 * the patch distance is the weighted mean of the squared differences of the three opponent planes
 * ({@link NonLocalMeans#joint}; luminance weight 1, chroma weight {@code chromaWeight}), every opponent plane is
 * averaged with the resulting weights, and the result is transformed back. With chroma weight 1 the distance equals
 * the one summed over R, G and B (the transform keeps squared norms), and the result is RGB joint NLM, hardly better
 * than NLM per channel. The gain comes from a chroma weight below 1: in photos the channels share the luminance
 * structure, which Y holds with sqrt(3) times the contrast of one channel against the same noise, while the chroma
 * planes hold little detail and mostly noise; so the distance tells patches apart better (like CBM3D, which groups on
 * Y alone; a chroma weight near 0 does worse, the distance then rests on one plane's noise). On images whose channels
 * are anti-correlated this does not hold, and NLM per channel can do better. Gray (1-plane) input is plain
 * {@link NonLocalMeans}.
 */
public final class ColorNonLocalMeans {
    /**
     * Chroma planes' weight in the patch distance of {@link #denoise}: on four 192x192 Kodak crops at sigma 25
     * (clipped, 8-bit), mean PSNR with h = sigma was 25.50 dB at weight 1 (RGB joint), 25.85 at 0.5, 25.89 at 0.35
     * and 0.25, 25.79 at 0.1, against 25.48 for NLM per RGB channel.
     */
    public static final float CHROMA_WEIGHT = 0.3f;
    /** h = H_PER_SIGMA * sigma in {@link #denoise}. */
    public static final double H_PER_SIGMA = NonLocalMeans.H_PER_SIGMA;

    private static final float S3 = (float) Math.sqrt(3), S2 = (float) Math.sqrt(2), S6 = (float) Math.sqrt(6);

    private ColorNonLocalMeans() {}

    /**
     * Colour NLM of {@code planes} ({@code [3][h*w]} RGB, or {@code [1][h*w]} gray) with h chosen from the noise sigma
     * (input units), 7x7 patches and a 21x21 search window; returns new planes.
     */
    public static float[][] denoise(float[][] planes, int h, int w, double sigma) {
        return apply(planes, h, w, Math.max(H_PER_SIGMA * sigma, 1e-6), CHROMA_WEIGHT, NonLocalMeans.PATCH,
                NonLocalMeans.SEARCH, NonLocalMeans.defaultWorkers());
    }

    /** Full control: filter strength, chroma weight in the distance (>= 0), odd patch and search sizes, workers. */
    public static float[][] apply(float[][] planes, int h, int w, double hParam, float chromaWeight, int patch, int search, int workers) {
        if (planes.length == 1) return new float[][] {NonLocalMeans.apply(planes[0], h, w, hParam, patch, search, workers)};
        if (planes.length != 3) throw new IllegalArgumentException("colour NLM takes 1 (gray) or 3 (RGB) planes, got " + planes.length);
        for (float[] p : planes) Planes.check(p, h, w);
        float[][] opp = toOpponent(planes[0], planes[1], planes[2]);
        float[][] den = NonLocalMeans.joint(opp, new float[] {1f, chromaWeight, chromaWeight}, h, w, hParam, patch, search, workers);
        return fromOpponent(den[0], den[1], den[2]);
    }

    /** RGB planes to the opponent planes {Y, C1, C2} (see the class comment). */
    static float[][] toOpponent(float[] r, float[] g, float[] b) {
        int n = r.length;
        float[] y = new float[n], c1 = new float[n], c2 = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = (r[i] + g[i] + b[i]) / S3;
            c1[i] = (r[i] - b[i]) / S2;
            c2[i] = (r[i] - 2 * g[i] + b[i]) / S6;
        }
        return new float[][] {y, c1, c2};
    }

    /** The inverse (the transpose) of {@link #toOpponent}. */
    static float[][] fromOpponent(float[] y, float[] c1, float[] c2) {
        int n = y.length;
        float[] r = new float[n], g = new float[n], b = new float[n];
        for (int i = 0; i < n; i++) {
            r[i] = y[i] / S3 + c1[i] / S2 + c2[i] / S6;
            g[i] = y[i] / S3 - 2 * c2[i] / S6;
            b[i] = y[i] / S3 - c1[i] / S2 + c2[i] / S6;
        }
        return new float[][] {r, g, b};
    }
}
