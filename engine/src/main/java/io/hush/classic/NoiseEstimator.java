package io.hush.classic;

/**
 * Noise level from the finest diagonal wavelet band (Donoho and Johnstone 1994): with the orthonormal Haar transform,
 * {@code HH = (x00 - x01 - x10 + x11) / 2} over non-overlapping 2x2 blocks; for white Gaussian noise of deviation
 * sigma each HH coefficient is N(0, sigma^2) plus what little fine diagonal detail the image has, so the robust
 * estimate {@code sigma = median(|HH|) / 0.6745} ignores the image's sparse edges. Same units as the input
 * ([0,1] here: multiply by 255 for the 0..255 scale). Texture-rich images read somewhat high.
 */
public final class NoiseEstimator {
    private NoiseEstimator() {}

    public static double sigma(float[] x, int h, int w) {
        Planes.check(x, h, w);
        int bh = h / 2, bw = w / 2;
        if (bh == 0 || bw == 0) throw new IllegalArgumentException("noise estimation needs at least 2x2 pixels, got " + w + "x" + h);
        float[] hh = new float[bh * bw];
        for (int y = 0; y < bh; y++) {
            for (int c = 0; c < bw; c++) {
                int i = 2 * y * w + 2 * c;
                hh[y * bw + c] = Math.abs(x[i] - x[i + 1] - x[i + w] + x[i + w + 1]) * 0.5f;
            }
        }
        int n = hh.length;
        double med = n % 2 == 1 ? MedianFilter.select(hh, n / 2)
                : 0.5 * (MedianFilter.select(hh, n / 2 - 1) + MedianFilter.select(hh, n / 2));
        return med / 0.6745;
    }
}
