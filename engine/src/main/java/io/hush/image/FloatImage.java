package io.hush.image;

import java.util.Arrays;

/**
 * A decoded image: 1 (gray) or 3 (RGB) planes of floats in [0,1], each {@code [height, width]} row-major, an optional
 * alpha plane kept apart from the colour planes, and the bit depth (8 or 16) the file stored, so that writing it back
 * can keep it. Planes are not copied on construction; treat them as read-only when sharing an instance.
 */
public final class FloatImage {
    private final int width, height, bitDepth;
    private final float[][] planes;
    private final float[] alpha;

    public FloatImage(int width, int height, float[][] planes, float[] alpha, int bitDepth) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size " + width + "x" + height);
        if (planes.length != 1 && planes.length != 3) {
            throw new IllegalArgumentException("an image has 1 or 3 colour planes, not " + planes.length);
        }
        if (bitDepth != 8 && bitDepth != 16) throw new IllegalArgumentException("bit depth " + bitDepth + " (8 or 16)");
        long n = (long) width * height;
        for (float[] p : planes) {
            if (p.length != n) throw new IllegalArgumentException("plane of " + p.length + " values for " + width + "x" + height);
        }
        if (alpha != null && alpha.length != n) {
            throw new IllegalArgumentException("alpha of " + alpha.length + " values for " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.planes = planes;
        this.alpha = alpha;
        this.bitDepth = bitDepth;
    }

    /** An 8-bit gray image from {@code [height, width]} values. */
    public static FloatImage gray(int width, int height, float[] plane) {
        return new FloatImage(width, height, new float[][] {plane}, null, 8);
    }

    /** From interleaved {@code [height, width, channels]} values (channels 1 or 3), copied. */
    public static FloatImage fromHwc(float[] hwc, int height, int width, int channels, int bitDepth) {
        if (hwc.length != (long) height * width * channels) {
            throw new IllegalArgumentException(hwc.length + " values for [" + height + "," + width + "," + channels + "]");
        }
        float[][] p = new float[channels][height * width];
        for (int i = 0, n = height * width; i < n; i++) {
            for (int c = 0; c < channels; c++) p[c][i] = hwc[i * channels + c];
        }
        return new FloatImage(width, height, p, null, bitDepth);
    }

    public int width() { return width; }
    public int height() { return height; }
    public int channels() { return planes.length; }
    public int bitDepth() { return bitDepth; }
    /** Plane {@code c} as {@code [height, width]} (not a copy). */
    public float[] plane(int c) { return planes[c]; }
    /** Alpha as {@code [height, width]} in [0,1], or null. */
    public float[] alpha() { return alpha; }
    public boolean hasAlpha() { return alpha != null; }

    /** Interleaved {@code [height, width, channels]} copy of the colour planes (alpha not included). */
    public float[] toHwc() {
        int c = planes.length, n = width * height;
        if (c == 1) return planes[0].clone();
        float[] out = new float[n * c];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) out[i * c + k] = planes[k][i];
        }
        return out;
    }

    /**
     * Gray version: ITU-R BT.601 luma {@code 0.299 R + 0.587 G + 0.114 B} on the stored values (no gamma decoding),
     * the weights PIL's "L" and OpenCV's cvtColor use. A gray image is returned as is. Alpha is kept.
     */
    public FloatImage toGray() {
        if (planes.length == 1) return this;
        float[] r = planes[0], g = planes[1], b = planes[2], y = new float[width * height];
        for (int i = 0; i < y.length; i++) y[i] = 0.299f * r[i] + 0.587f * g[i] + 0.114f * b[i];
        return new FloatImage(width, height, new float[][] {y}, alpha, bitDepth);
    }

    public FloatImage withoutAlpha() {
        return alpha == null ? this : new FloatImage(width, height, planes, null, bitDepth);
    }

    public FloatImage withBitDepth(int depth) {
        return new FloatImage(width, height, planes, alpha, depth);
    }

    /** Same size, depth and alpha, other colour planes. */
    public FloatImage withPlanes(float[][] newPlanes) {
        return new FloatImage(width, height, newPlanes, alpha, bitDepth);
    }

    /** A deep copy. */
    public FloatImage copy() {
        float[][] p = new float[planes.length][];
        for (int c = 0; c < p.length; c++) p[c] = planes[c].clone();
        return new FloatImage(width, height, p, alpha == null ? null : alpha.clone(), bitDepth);
    }

    @Override
    public String toString() {
        return width + "x" + height + "x" + planes.length + (alpha != null ? "+alpha" : "") + " " + bitDepth + "-bit";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatImage f && f.width == width && f.height == height && f.bitDepth == bitDepth
                && Arrays.deepEquals(f.planes, planes) && Arrays.equals(f.alpha, alpha);
    }

    @Override
    public int hashCode() { return Arrays.deepHashCode(planes) * 31 + width; }
}
