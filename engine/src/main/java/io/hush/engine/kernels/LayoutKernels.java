package io.hush.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Data movement without arithmetic: concatenation along the last axis (channels of NHWC) and its split, and copying
 * a spatial window between two NHWC images of different sizes (zero padding, cropping, and their gradients).
 * These are memory-bound copies, so they use {@link MemorySegment#copy} on the longest contiguous runs (a pixel's
 * channels for concatenation, a whole row of pixels for padding and cropping) instead of vector loops; each has a
 * scalar element-by-element reference for tests.
 */
public final class LayoutKernels {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private LayoutKernels() {}

    /**
     * Concatenation along the last axis for rows {@code [rowFrom,rowTo)}: input k is {@code [rows, widths[k]]}, the
     * output {@code [rows, sum(widths)]}. A "row" is everything before the last axis (an NHWC pixel, or a sample of
     * a {@code [N,F]} tensor).
     */
    public static void concat(MemorySegment[] xs, int[] widths, MemorySegment y, long rowFrom, long rowTo) {
        long total = 0;
        for (int wk : widths) total += wk;
        for (long r = rowFrom; r < rowTo; r++) {
            long off = r * total;
            for (int k = 0; k < xs.length; k++) {
                MemorySegment.copy(xs[k], r * widths[k] * 4, y, off * 4, (long) widths[k] * 4);
                off += widths[k];
            }
        }
    }

    /** Scalar reference of {@link #concat}. */
    public static void concatScalar(MemorySegment[] xs, int[] widths, MemorySegment y, long rowFrom, long rowTo) {
        long total = 0;
        for (int wk : widths) total += wk;
        for (long r = rowFrom; r < rowTo; r++) {
            long off = r * total;
            for (int k = 0; k < xs.length; k++) {
                for (int j = 0; j < widths[k]; j++) y.setAtIndex(F, off + j, xs[k].getAtIndex(F, r * widths[k] + j));
                off += widths[k];
            }
        }
    }

    /**
     * The inverse of {@link #concat} (its backward): row r of {@code y} is split into the {@code gxs}; a null entry is
     * skipped (that input needs no gradient).
     */
    public static void split(MemorySegment y, int[] widths, MemorySegment[] gxs, long rowFrom, long rowTo) {
        long total = 0;
        for (int wk : widths) total += wk;
        for (long r = rowFrom; r < rowTo; r++) {
            long off = r * total;
            for (int k = 0; k < gxs.length; k++) {
                if (gxs[k] != null) MemorySegment.copy(y, off * 4, gxs[k], r * widths[k] * 4, (long) widths[k] * 4);
                off += widths[k];
            }
        }
    }

    /**
     * Copies a window between two NHWC images, rows {@code [rowFrom,rowTo)} of the <em>destination</em> (row r = n*DH
     * + dy): destination pixel (dy,dx) takes source pixel (dy + offY, dx + offX) when that lies inside the source and
     * 0 otherwise. {@code offY, offX} are negative for zero padding (the source sits inside the destination) and
     * positive for cropping (the destination sits inside the source).
     */
    public static void window(MemorySegment src, int sh, int sw, MemorySegment dst, int dh, int dw, int C, int offY, int offX,
                              int rowFrom, int rowTo) {
        int x0 = Math.max(0, -offX), x1 = Math.min(dw, sw - offX); // destination columns that have a source
        long rowBytes = (long) dw * C * 4;
        for (int r = rowFrom; r < rowTo; r++) {
            int n = r / dh, dy = r % dh, sy = dy + offY;
            long dRow = ((long) n * dh + dy) * dw * C * 4;
            if (sy < 0 || sy >= sh || x0 >= x1) {
                dst.asSlice(dRow, rowBytes).fill((byte) 0);
                continue;
            }
            if (x0 > 0) dst.asSlice(dRow, (long) x0 * C * 4).fill((byte) 0);
            long sOff = (((long) n * sh + sy) * sw + x0 + offX) * C * 4;
            MemorySegment.copy(src, sOff, dst, dRow + (long) x0 * C * 4, (long) (x1 - x0) * C * 4);
            if (x1 < dw) dst.asSlice(dRow + (long) x1 * C * 4, (long) (dw - x1) * C * 4).fill((byte) 0);
        }
    }

    /** Scalar reference of {@link #window}. */
    public static void windowScalar(MemorySegment src, int sh, int sw, MemorySegment dst, int dh, int dw, int C, int offY,
                                    int offX, int rowFrom, int rowTo) {
        for (int r = rowFrom; r < rowTo; r++) {
            int n = r / dh, dy = r % dh, sy = dy + offY;
            for (int dx = 0; dx < dw; dx++) {
                int sx = dx + offX;
                boolean inside = sy >= 0 && sy < sh && sx >= 0 && sx < sw;
                for (int c = 0; c < C; c++) {
                    float v = inside ? src.getAtIndex(F, (((long) n * sh + sy) * sw + sx) * C + c) : 0f;
                    dst.setAtIndex(F, (((long) n * dh + dy) * dw + dx) * C + c, v);
                }
            }
        }
    }
}
