package io.hush.train.loss;

import io.hush.engine.Shape;
import io.hush.engine.ThreadPool;

/**
 * Losses that are a mean of a per-pixel term: MSE, L1 (mean absolute error) and binary cross-entropy. One file
 * because they share the whole loop and differ in two lines.
 */
public final class PixelLoss implements Loss {
    private double[] perItem = new double[0]; // per-sample or per-plane values, summed in order
    public enum Kind { MSE, L1, BCE }

    /** BCE clamps predictions to [EPS, 1-EPS] before the logarithms, as Keras does. */
    public static final float EPS = 1e-7f;

    private final Kind kind;

    public PixelLoss(Kind kind) { this.kind = kind; }

    public static PixelLoss mse() { return new PixelLoss(Kind.MSE); }
    public static PixelLoss l1() { return new PixelLoss(Kind.L1); }
    public static PixelLoss bce() { return new PixelLoss(Kind.BCE); }

    @Override public String name() { return kind.name().toLowerCase(); }

    /**
     * MSE = mean (y-t)^2, dL/dy = 2(y-t)/count. L1 = mean |y-t|, dL/dy = sign(y-t)/count (0 at y = t).
     * BCE = -mean(t log y + (1-t) log(1-y)) with y clamped, dL/dy = (y-t)/(y(1-y))/count taken at the clamped y
     * (so a saturated sigmoid output is still pulled back rather than getting a zero gradient).
     */
    @Override
    public double compute(float[] y, float[] t, float[] dy, Shape shape, ThreadPool pool) {
        int[] d = Loss.nhwc(y, t, dy, shape, name());
        int n = d[0];
        int per = d[1] * d[2] * d[3];
        if (perItem.length != n) perItem = new double[n];
        double[] sums = perItem;
        float inv = (float) (1.0 / ((double) n * per));
        pool.parallelFor(n, (lo, hi, th) -> {
            for (int s = lo; s < hi; s++) {
                double acc = 0;
                int base = s * per;
                switch (kind) {
                    case MSE -> {
                        for (int i = base; i < base + per; i++) {
                            float e = y[i] - t[i];
                            acc += (double) e * e;
                            if (dy != null) dy[i] = 2f * e * inv;
                        }
                    }
                    case L1 -> {
                        for (int i = base; i < base + per; i++) {
                            float e = y[i] - t[i];
                            acc += Math.abs(e);
                            if (dy != null) dy[i] = e > 0 ? inv : e < 0 ? -inv : 0f;
                        }
                    }
                    case BCE -> {
                        for (int i = base; i < base + per; i++) {
                            double p = Math.min(Math.max(y[i], EPS), 1f - EPS);
                            double q = t[i];
                            acc -= q * Math.log(p) + (1 - q) * Math.log(1 - p);
                            if (dy != null) dy[i] = (float) ((p - q) / (p * (1 - p)) * inv);
                        }
                    }
                }
                sums[s] = acc;
            }
        });
        double total = 0;
        for (double v : sums) total += v;
        return total / ((double) n * per);
    }
}
