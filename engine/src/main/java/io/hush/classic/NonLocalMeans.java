package io.hush.classic;

import java.util.stream.IntStream;

/**
 * Non-local means (Buades, Coll, Morel 2005) with OpenCV {@code fastNlMeansDenoising} semantics: a 7x7 patch, a
 * 21x21 search window, weight {@code exp(-d^2 / h^2)} where d^2 is the mean over the patch of squared differences
 * (in the input's units, [0,1] here, so OpenCV's h = 10 on 0..255 data is h = 10/255 here); the pixel itself takes
 * part with weight 1. Borders reflect (half-sample symmetric).
 *
 * <p>Speed: for each of the 441 search offsets the squared-difference image is summed into an integral image, so
 * every patch distance costs four lookups instead of 49 (O(offsets * pixels), independent of the patch size), and
 * weights come from a table of exp. The offsets are split into one contiguous block per worker; each worker
 * accumulates into its own buffers, and the buffers are added in worker order, so a run is reproducible for a given
 * worker count (bit-exact with 1 worker).
 */
public final class NonLocalMeans {
    public static final int PATCH = 7, SEARCH = 21;
    /** h = H_PER_SIGMA * sigma in {@link #denoise}: about the best PSNR on Set12 images 01 and 05 at sigma 15..50
     *  (0.9 is slightly better at 50, 1.2 at 15). */
    public static final double H_PER_SIGMA = 1.0;

    private static final double CUTOFF = 12; // exp(-12) ~ 6e-6: further weights are dropped
    private static final int TABLE = 4096;
    private static final float[] EXP = new float[TABLE + 2];

    static {
        for (int i = 0; i < EXP.length; i++) EXP[i] = (float) Math.exp(-i * CUTOFF / TABLE);
    }

    private NonLocalMeans() {}

    /** NLM with h chosen from a known (or {@link NoiseEstimator estimated}) noise sigma, both in the input's units. */
    public static float[] denoise(float[] x, int h, int w, double sigma) {
        return apply(x, h, w, Math.max(H_PER_SIGMA * sigma, 1e-6), PATCH, SEARCH, defaultWorkers());
    }

    /** NLM with filter strength {@code hParam}, 7x7 patches, 21x21 search. */
    public static float[] apply(float[] x, int h, int w, double hParam) {
        return apply(x, h, w, hParam, PATCH, SEARCH, defaultWorkers());
    }

    static int defaultWorkers() { return Math.max(1, Runtime.getRuntime().availableProcessors()); }

    /** Full control: odd patch and search sizes, and the number of worker threads. */
    public static float[] apply(float[] x, int h, int w, double hParam, int patch, int search, int workers) {
        return joint(new float[][] {x}, new float[] {1f}, h, w, hParam, patch, search, workers)[0];
    }

    /**
     * NLM of several planes {@code [C][h*w]} with one set of weights: the patch distance is the weighted mean over the
     * patch and the planes, {@code d^2 = sum_c distWeights[c] * ssd_c / (patch^2 * sum_c distWeights[c])}, and every
     * plane is averaged with the weights {@code exp(-d^2 / h^2)} (colour NLM, {@link ColorNonLocalMeans}). With one
     * plane of distance weight 1 this is {@link #apply(float[], int, int, double, int, int, int)}, bit for bit.
     *
     * @param distWeights per plane, >= 0 and not all 0: how much each plane's differences count in the distance
     */
    static float[][] joint(float[][] planes, float[] distWeights, int h, int w, double hParam, int patch, int search, int workers) {
        int np = planes.length;
        if (np == 0 || distWeights.length != np) throw new IllegalArgumentException(np + " planes but " + distWeights.length + " distance weights");
        double weightSum = 0;
        for (float dw : distWeights) {
            if (!(dw >= 0) || Float.isInfinite(dw)) throw new IllegalArgumentException("distance weight " + dw + " must be >= 0");
            weightSum += dw;
        }
        if (!(weightSum > 0)) throw new IllegalArgumentException("distance weights are all 0");
        for (float[] x : planes) Planes.check(x, h, w);
        if (!(hParam > 0) || Double.isInfinite(hParam)) throw new IllegalArgumentException("h " + hParam + " must be > 0");
        if (patch < 1 || patch % 2 == 0 || search < 1 || search % 2 == 0) {
            throw new IllegalArgumentException("patch " + patch + " and search " + search + " must be odd and positive");
        }
        int pr = patch / 2, sr = search / 2, pad = pr + sr;
        float[][] p = new float[np][];
        for (int k = 0; k < np; k++) p[k] = Planes.pad(planes[k], h, w, pad);
        int pw = w + 2 * pad;
        // The distance images cover the patches of all output pixels: [h + 2pr, w + 2pr] from padded (sr, sr).
        int dh = h + 2 * pr, dw = w + 2 * pr;
        int offsets = search * search;
        int nw = Math.max(1, Math.min(workers, offsets));
        float[][][] num = new float[nw][np][h * w];
        float[][] den = new float[nw][h * w];
        double scale = TABLE / CUTOFF / (hParam * hParam) / (patch * patch) / weightSum;
        IntStream.range(0, nw).parallel().forEach(t -> {
            double[] integral = new double[(dh + 1) * (dw + 1)];
            float[][] nu = num[t];
            float[] de = den[t];
            for (int o = offsets * t / nw; o < offsets * (t + 1) / nw; o++) {
                int oy = o / search - sr, ox = o % search - sr;
                // integral[(i+1)(dw+1) + j+1] = sum of weighted squared differences over distance-image rows <= i, cols <= j
                for (int i = 0; i < dh; i++) {
                    double rowSum = 0;
                    int a = (sr + i) * pw + sr, b = (sr + i + oy) * pw + sr + ox;
                    int ii = (i + 1) * (dw + 1), prev = i * (dw + 1);
                    for (int j = 0; j < dw; j++) {
                        for (int k = 0; k < np; k++) {
                            float d = p[k][a + j] - p[k][b + j];
                            rowSum += np == 1 ? d * d : distWeights[k] * (d * d);
                        }
                        integral[ii + j + 1] = integral[prev + j + 1] + rowSum;
                    }
                }
                for (int y = 0; y < h; y++) {
                    int top = y * (dw + 1), bot = (y + patch) * (dw + 1);
                    int src = (y + pad + oy) * pw + pad + ox;
                    for (int c = 0; c < w; c++) {
                        double ssd = integral[bot + c + patch] - integral[top + c + patch] - integral[bot + c] + integral[top + c];
                        double z = ssd * scale;
                        if (z >= TABLE) continue;
                        int zi = (int) z;
                        float f = (float) (z - zi);
                        float wgt = EXP[zi] + (EXP[zi + 1] - EXP[zi]) * f;
                        for (int k = 0; k < np; k++) nu[k][y * w + c] += wgt * p[k][src + c];
                        de[y * w + c] += wgt;
                    }
                }
            }
        });
        float[][] out = new float[np][h * w];
        for (int i = 0; i < h * w; i++) {
            double b = 0;
            for (int t = 0; t < nw; t++) b += den[t][i];
            for (int k = 0; k < np; k++) {
                double a = 0;
                for (int t = 0; t < nw; t++) a += num[t][k][i];
                out[k][i] = (float) (a / b); // b >= 1: the zero offset always has weight 1
            }
        }
        return out;
    }
}
