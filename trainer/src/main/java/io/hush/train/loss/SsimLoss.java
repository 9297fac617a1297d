package io.hush.train.loss;

import io.hush.engine.Shape;
import io.hush.engine.ThreadPool;

/**
 * 1 - SSIM: SSIM per image and channel over the valid region (as {@link io.hush.metrics.Ssim}), averaged over the batch, with its
 * exact gradient. Runs over planes (image, channel) in parallel; per-plane values are summed in plane order, so the
 * value and gradient do not depend on the thread count. Not thread-safe (keeps per-thread buffers).
 */
public final class SsimLoss implements Loss {
    private double[] perItem = new double[0]; // per-sample or per-plane values, summed in order
    private SsimGradient.Work[] works = new SsimGradient.Work[0];
    private double[][] bufX, bufY, bufG;

    @Override public String name() { return "ssim"; }

    @Override
    public double compute(float[] y, float[] t, float[] dy, Shape shape, ThreadPool pool) {
        int[] d = Loss.nhwc(y, t, dy, shape, name());
        int n = d[0], h = d[1], w = d[2], c = d[3];
        io.hush.metrics.Ssim.checkSize(h, w);
        ensure(pool.threads(), h, w);
        int planes = n * c;
        if (perItem.length != planes) perItem = new double[planes];
        double[] values = perItem;
        double coef = -1.0 / planes;
        pool.parallelFor(planes, (lo, hi, th) -> {
            SsimGradient.Work k = works[th];
            double[] px = bufX[th], py = bufY[th], g = dy == null ? null : bufG[th];
            double[] out = new double[2];
            for (int p = lo; p < hi; p++) {
                int s = p / c, ch = p % c;
                SsimGradient.extract(y, s, ch, h, w, c, px);
                SsimGradient.extract(t, s, ch, h, w, c, py);
                SsimGradient.plane(px, py, k, out, coef, 0, g, false);
                values[p] = out[0];
                if (g != null) SsimGradient.insert(g, dy, s, ch, h, w, c);
            }
        });
        double sum = 0;
        for (double v : values) sum += v;
        return 1 - sum / planes;
    }

    private void ensure(int threads, int h, int w) {
        if (works.length >= threads && works[0].fits(h, w)) return;
        works = new SsimGradient.Work[threads];
        bufX = new double[threads][h * w];
        bufY = new double[threads][h * w];
        bufG = new double[threads][h * w];
        for (int i = 0; i < threads; i++) works[i] = new SsimGradient.Work(h, w);
    }
}
