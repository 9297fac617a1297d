package io.hush.classic;

/**
 * Median over a square {@code (2 radius + 1)^2} window, reflecting at the border. Per pixel the window is gathered
 * and the middle element selected (quickselect): O(r^2) a pixel, fine for the small radii median filters use.
 */
public final class MedianFilter {
    private MedianFilter() {}

    public static float[] apply(float[] x, int h, int w, int radius) {
        Planes.check(x, h, w);
        if (radius < 0) throw new IllegalArgumentException("radius " + radius + " must be >= 0");
        if (radius == 0) return x.clone();
        int d = 2 * radius + 1;
        float[] p = Planes.pad(x, h, w, radius);
        int pw = w + 2 * radius;
        float[] out = new float[h * w];
        Planes.rows(h, y -> {
            float[] win = new float[d * d];
            for (int c = 0; c < w; c++) {
                int k = 0;
                for (int dy = 0; dy < d; dy++) {
                    System.arraycopy(p, (y + dy) * pw + c, win, k, d);
                    k += d;
                }
                out[y * w + c] = select(win, win.length / 2);
            }
        });
        return out;
    }

    /** The k-th smallest of {@code a} (reorders it). */
    static float select(float[] a, int k) {
        int lo = 0, hi = a.length - 1;
        while (hi > lo) {
            float pivot = a[(lo + hi) >>> 1];
            int i = lo, j = hi;
            while (i <= j) {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) {
                    float t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return a[k];
        }
        return a[k];
    }
}
