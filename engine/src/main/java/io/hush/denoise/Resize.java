package io.hush.denoise;

import io.hush.image.FloatImage;

/**
 * Bilinear resampling of float planes (pixel centres aligned, edges clamped), used to feed a fixed-size model an
 * image of another size ({@code --resize}) and to scale its result back.
 */
public final class Resize {
    private Resize() {}

    /** Resamples colour planes and alpha of {@code img} to {@code w x h}. */
    public static FloatImage bilinear(FloatImage img, int w, int h) {
        float[][] p = new float[img.channels()][];
        for (int c = 0; c < p.length; c++) p[c] = plane(img.plane(c), img.width(), img.height(), w, h);
        float[] a = img.hasAlpha() ? plane(img.alpha(), img.width(), img.height(), w, h) : null;
        return new FloatImage(w, h, p, a, img.bitDepth());
    }

    /** The colour planes of an image (the arrays themselves). */
    public static float[][] planes(FloatImage img) {
        float[][] p = new float[img.channels()][];
        for (int c = 0; c < p.length; c++) p[c] = img.plane(c);
        return p;
    }

    /** One {@code [sh,sw]} plane resampled to {@code [h,w]}. */
    public static float[] plane(float[] src, int sw, int sh, int w, int h) {
        if (sw == w && sh == h) return src.clone();
        float[] out = new float[w * h];
        float fx = sw / (float) w, fy = sh / (float) h;
        for (int y = 0; y < h; y++) {
            float sy = Math.clamp((y + 0.5f) * fy - 0.5f, 0f, sh - 1);
            int y0 = (int) sy, y1 = Math.min(y0 + 1, sh - 1);
            float ty = sy - y0;
            for (int x = 0; x < w; x++) {
                float sx = Math.clamp((x + 0.5f) * fx - 0.5f, 0f, sw - 1);
                int x0 = (int) sx, x1 = Math.min(x0 + 1, sw - 1);
                float tx = sx - x0;
                float top = src[y0 * sw + x0] * (1 - tx) + src[y0 * sw + x1] * tx;
                float bot = src[y1 * sw + x0] * (1 - tx) + src[y1 * sw + x1] * tx;
                out[y * w + x] = top * (1 - ty) + bot * ty;
            }
        }
        return out;
    }
}
