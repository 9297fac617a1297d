package io.hush.classic;

/**
 * Bilateral filter (Tomasi and Manduchi 1998): each pixel becomes the average of its neighbours within radius
 * ceil(2 sigmaS), weighted by {@code exp(-d^2 / (2 sigmaS^2)) * exp(-(v - v0)^2 / (2 sigmaR^2))}; sigmaR is on the
 * value scale ([0,1] here). Reflects at the border.
 */
public final class BilateralFilter {
    private BilateralFilter() {}

    public static float[] apply(float[] x, int h, int w, double sigmaS, double sigmaR) {
        Planes.check(x, h, w);
        if (!(sigmaS > 0) || !(sigmaR > 0) || Double.isInfinite(sigmaS) || Double.isInfinite(sigmaR)) {
            throw new IllegalArgumentException("bilateral sigmas " + sigmaS + ", " + sigmaR + " must be > 0");
        }
        int r = Math.max(1, (int) Math.ceil(2 * sigmaS)), d = 2 * r + 1;
        float[] spatial = new float[d * d];
        for (int dy = -r; dy <= r; dy++) {
            for (int dx = -r; dx <= r; dx++) spatial[(dy + r) * d + dx + r] = (float) Math.exp(-(dx * dx + dy * dy) / (2 * sigmaS * sigmaS));
        }
        double inv2r = 1 / (2 * sigmaR * sigmaR);
        float[] p = Planes.pad(x, h, w, r);
        int pw = w + 2 * r;
        float[] out = new float[h * w];
        Planes.rows(h, y -> {
            for (int c = 0; c < w; c++) {
                float v0 = p[(y + r) * pw + c + r];
                double num = 0, den = 0;
                for (int dy = 0; dy < d; dy++) {
                    int row = (y + dy) * pw + c;
                    for (int dx = 0; dx < d; dx++) {
                        float v = p[row + dx], diff = v - v0;
                        double wgt = spatial[dy * d + dx] * Math.exp(-diff * diff * inv2r);
                        num += wgt * v;
                        den += wgt;
                    }
                }
                out[y * w + c] = (float) (num / den);
            }
        });
        return out;
    }
}
