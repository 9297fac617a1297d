package io.hush.classic;

/** Separable Gaussian blur, kernel radius ceil(3 sigma), reflecting (half-sample symmetric) at the border. */
public final class GaussianBlur {
    private GaussianBlur() {}

    public static float[] apply(float[] x, int h, int w, double sigma) {
        Planes.check(x, h, w);
        if (!(sigma >= 0) || Double.isInfinite(sigma)) throw new IllegalArgumentException("sigma " + sigma + " must be >= 0");
        if (sigma == 0) return x.clone();
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double s = 0;
        for (int i = -r; i <= r; i++) s += k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.length; i++) k[i] /= s;
        float[] tmp = new float[h * w], out = new float[h * w];
        Planes.rows(h, y -> {
            for (int c = 0; c < w; c++) {
                double a = 0;
                for (int i = -r; i <= r; i++) a += k[i + r] * x[y * w + Planes.reflect(c + i, w)];
                tmp[y * w + c] = (float) a;
            }
        });
        Planes.rows(h, y -> {
            for (int c = 0; c < w; c++) {
                double a = 0;
                for (int i = -r; i <= r; i++) a += k[i + r] * tmp[Planes.reflect(y + i, h) * w + c];
                out[y * w + c] = (float) a;
            }
        });
        return out;
    }
}
