package io.hush.data;

import io.hush.image.FloatImage;

/**
 * The EXIF/TIFF orientation tag (274): how the stored rows and columns map to the picture as it is meant to be seen.
 * Names say where the stored first row and first column end up (TIFF 6.0): {@link #RIGHT_TOP} (6) is the usual
 * portrait phone photo, stored on its side and shown turned 90 degrees clockwise.
 */
public enum Orientation {
    /** 1: as stored. */
    TOP_LEFT(1),
    /** 2: mirrored left-right. */
    TOP_RIGHT(2),
    /** 3: turned 180 degrees. */
    BOTTOM_RIGHT(3),
    /** 4: mirrored top-bottom. */
    BOTTOM_LEFT(4),
    /** 5: transposed (mirrored, then turned 90 degrees counter-clockwise). */
    LEFT_TOP(5),
    /** 6: shown turned 90 degrees clockwise. */
    RIGHT_TOP(6),
    /** 7: transversed (mirrored, then turned 90 degrees clockwise). */
    RIGHT_BOTTOM(7),
    /** 8: shown turned 90 degrees counter-clockwise. */
    LEFT_BOTTOM(8);

    private final int tag;

    Orientation(int tag) {
        this.tag = tag;
    }

    /** The tag value, 1..8. */
    public int tag() {
        return tag;
    }

    /** From a tag value; values outside 1..8 (seen in the wild) mean "as stored". */
    public static Orientation of(long tag) {
        return tag >= 1 && tag <= 8 ? values()[(int) tag - 1] : TOP_LEFT;
    }

    /** Whether turning the stored image upright swaps width and height (5 to 8). */
    public boolean transposes() {
        return tag >= 5;
    }

    /** The stored image turned upright: displayed pixel (x, y) taken from stored pixel {@link #source}. */
    public FloatImage upright(FloatImage stored) {
        if (this == TOP_LEFT) return stored;
        int w = stored.width(), h = stored.height();
        int ow = transposes() ? h : w, oh = transposes() ? w : h;
        int[] src = new int[ow * oh]; // displayed index -> stored index, shared by all planes
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) src[y * ow + x] = source(x, y, w, h);
        }
        float[][] planes = new float[stored.channels()][];
        for (int c = 0; c < planes.length; c++) planes[c] = gather(stored.plane(c), src);
        float[] alpha = stored.hasAlpha() ? gather(stored.alpha(), src) : null;
        return new FloatImage(ow, oh, planes, alpha, stored.bitDepth());
    }

    /** The stored index {@code sy * w + sx} shown at (x, y) of the upright image, for a stored image w x h. */
    int source(int x, int y, int w, int h) {
        return switch (this) {
            case TOP_LEFT -> y * w + x;
            case TOP_RIGHT -> y * w + (w - 1 - x);
            case BOTTOM_RIGHT -> (h - 1 - y) * w + (w - 1 - x);
            case BOTTOM_LEFT -> (h - 1 - y) * w + x;
            case LEFT_TOP -> x * w + y;                              // transpose
            case RIGHT_TOP -> (h - 1 - x) * w + y;                   // turn 90 degrees clockwise
            case RIGHT_BOTTOM -> (h - 1 - x) * w + (w - 1 - y);      // transverse
            case LEFT_BOTTOM -> x * w + (w - 1 - y);                 // turn 90 degrees counter-clockwise
        };
    }

    private static float[] gather(float[] plane, int[] src) {
        float[] out = new float[src.length];
        for (int i = 0; i < src.length; i++) out[i] = plane[src[i]];
        return out;
    }
}
