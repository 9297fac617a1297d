package io.hush.train.loss;

import io.hush.engine.Shape;
import io.hush.engine.ThreadPool;
import io.hush.metrics.MsSsim;
import io.hush.metrics.Ssim;

/**
 * 1 - MS-SSIM (Wang, Simoncelli, Bovik 2003) with its exact gradient. Per image and channel:
 * <pre>
 *   MS-SSIM = prod_{s < M-1} CS_s^{w_s} * SSIM_{M-1}^{w_{M-1}}
 * </pre>
 * where scale s+1 is scale s averaged over 2x2 blocks and subsampled (an odd side n becomes ceil(n/2), its last
 * row/column repeated, as in msssim.m and io.hush.metrics.MsSsim), CS_s/SSIM_s are the means
 * over valid positions (the metric's window and constants, see {@link Ssim}) and w the weights of
 * {@link MsSsim#weights()} (0.0448, 0.2856, 0.3001, 0.2363, 0.1333). Small images cannot hold
 * five scales of an 11x11 window, so M is the largest count (at most 5) whose coarsest scale is still 11 pixels
 * across, and with M < 5 the first M weights are rescaled to sum to 1 (28x28 MNIST gets M = 2; from 161x161 on all five scales
 * are used and the loss is exactly 1 - io.hush.metrics.MsSsim). A factor below 1e-6 (CS can
 * be negative) is clamped there and passes no gradient, as the usual ReLU on CS does.
 */
public final class MsSsimLoss implements Loss {
    private double[] perItem = new double[0]; // per-sample or per-plane values, summed in order
    private static final double[] WEIGHTS = MsSsim.weights();
    static final double FLOOR = 1e-6;

    private int threads = -1, h, w, scales;
    private SsimGradient.Work[][] works;   // [thread][scale]
    private double[][][] xs, ys, gs; // [thread][scale][pixels]

    @Override public String name() { return "msssim"; }

    /** Number of scales used for {@code h x w} images. */
    public static int scales(int h, int w) {
        Ssim.checkSize(h, w);
        int m = 1;
        while (m < WEIGHTS.length && Math.min(side(h, m), side(w, m)) >= Ssim.WINDOW) m++;
        return m;
    }

    @Override
    public double compute(float[] y, float[] t, float[] dy, Shape shape, ThreadPool pool) {
        int[] d = Loss.nhwc(y, t, dy, shape, name());
        int n = d[0], hh = d[1], ww = d[2], c = d[3];
        ensure(pool.threads(), hh, ww);
        int m = scales;
        double[] wts = new double[m];
        double wsum = 0;
        for (int s = 0; s < m; s++) wsum += WEIGHTS[s];
        // all five: the published weights as they are (they sum to 1.0001); fewer: rescaled to sum to 1
        for (int s = 0; s < m; s++) wts[s] = m == WEIGHTS.length ? WEIGHTS[s] : WEIGHTS[s] / wsum;
        int planes = n * c;
        if (perItem.length != planes) perItem = new double[planes];
        double[] values = perItem;
        pool.parallelFor(planes, (lo, hi, th) -> {
            SsimGradient.Work[] k = works[th];
            double[][] px = xs[th], py = ys[th], pg = gs[th];
            double[] out = new double[2], v = new double[m];
            for (int p = lo; p < hi; p++) {
                int sample = p / c, ch = p % c;
                SsimGradient.extract(y, sample, ch, hh, ww, c, px[0]);
                SsimGradient.extract(t, sample, ch, hh, ww, c, py[0]);
                for (int s = 1; s < m; s++) {
                    MsSsim.downsample(px[s - 1], k[s - 1].h, k[s - 1].w, px[s]);
                    MsSsim.downsample(py[s - 1], k[s - 1].h, k[s - 1].w, py[s]);
                }
                double ms = 1;
                for (int s = 0; s < m; s++) {
                    SsimGradient.plane(px[s], py[s], k[s], out, 0, 0, null, false);
                    v[s] = s < m - 1 ? out[1] : out[0];
                    ms *= Math.pow(Math.max(v[s], FLOOR), wts[s]);
                }
                values[p] = ms;
                if (dy == null) continue;
                for (int s = 0; s < m; s++) {
                    // d(1 - mean MS-SSIM)/dv_s = -(1/planes) w_s MS / v_s
                    double coef = v[s] > FLOOR ? -wts[s] * ms / v[s] / planes : 0;
                    // each scale has its own Work, which still holds this plane's moments from the first pass
                    SsimGradient.plane(px[s], py[s], k[s], out, s == m - 1 ? coef : 0, s < m - 1 ? coef : 0, pg[s], true);
                }
                for (int s = m - 1; s >= 1; s--) downT(pg[s], k[s].h, k[s].w, pg[s - 1], k[s - 1].h, k[s - 1].w);
                SsimGradient.insert(pg[0], dy, sample, ch, hh, ww, c);
            }
        });
        double sum = 0;
        for (double v : values) sum += v;
        return 1 - sum / planes;
    }

    /** Adds the transpose of {@link MsSsim#downsample}: each coarse gradient spreads a quarter to each of its four samples. */
    static void downT(double[] g, int dh, int dw, double[] dst, int sh, int sw) {
        for (int i = 0; i < dh; i++) {
            int y0 = 2 * i, y1 = Math.min(2 * i + 1, sh - 1);
            for (int j = 0; j < dw; j++) {
                int x0 = 2 * j, x1 = Math.min(2 * j + 1, sw - 1);
                double q = 0.25 * g[i * dw + j];
                dst[y0 * sw + x0] += q;
                dst[y0 * sw + x1] += q;
                dst[y1 * sw + x0] += q;
                dst[y1 * sw + x1] += q;
            }
        }
    }

    /** Side at scale {@code s}: halved {@code s} times, rounding up. */
    static int side(int n, int s) {
        for (int i = 0; i < s; i++) n = (n + 1) / 2;
        return n;
    }

    private void ensure(int th, int hh, int ww) {
        if (th <= threads && hh == h && ww == w) return;
        threads = th;
        h = hh;
        w = ww;
        scales = scales(hh, ww);
        works = new SsimGradient.Work[th][scales];
        xs = new double[th][scales][];
        ys = new double[th][scales][];
        gs = new double[th][scales][];
        for (int i = 0; i < th; i++) {
            for (int s = 0; s < scales; s++) {
                int sh = side(hh, s), sw = side(ww, s);
                works[i][s] = new SsimGradient.Work(sh, sw);
                xs[i][s] = new double[sh * sw];
                ys[i][s] = new double[sh * sw];
                gs[i][s] = new double[sh * sw];
            }
        }
    }
}
