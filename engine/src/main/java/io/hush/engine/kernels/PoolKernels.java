package io.hush.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * 2-D max pooling over NHWC tensors. {@code x} is {@code [N,H,W,C]}, {@code y} is {@code [N,OH,OW,C]}; output pixel
 * (oh,ow) looks at input rows {@code oh*sh - padT + kh} and columns {@code ow*sw - padL + kw} for kh < ph, kw < pw;
 * cells outside the image are skipped, so padding never wins (it acts as -infinity, as in Keras and ONNX).
 *
 * <p>SIMD runs over channels (contiguous in NHWC), so each window cell is one vector load per channel chunk; a
 * channel tail uses a masked vector. The argmax kept for backward is the window offset {@code kh*pw + kw}
 * stored as a float (exact for windows up to 2^24 cells). Ties: the first maximum in row-major window order
 * wins (strict greater-than), in both the SIMD and the scalar kernel. NaN inputs never win a comparison.
 *
 * <p>Blocking: by output row (the threads' unit) and by one vector of channels per window, whose cells are then read
 * from L1/L2: a window's cells are a few pixels of the last rows, so no staging is needed. Backward works on
 * (sample, channel block) units so that overlapping windows never make two threads write one cell.
 */
public final class PoolKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private PoolKernels() {}

    /** Geometry of one pooling call. */
    public record Geometry(int h, int w, int c, int oh, int ow, int ph, int pw, int sh, int sw, int padT, int padL) {
        /** Pixel index of output pixel (n,oh,ow) in {@code [N,OH,OW]}. */
        long outPixel(int n, int oy, int ox) { return ((long) n * oh + oy) * ow + ox; }

        /**
         * Pixel index in {@code [N,H,W]} of window cell (kh,kw) of output pixel (n,oy,ox), or -1 when the cell lies in
         * the padding. The scalar references test every cell with this; the SIMD drivers clip the window instead.
         */
        long cell(int n, int oy, int ox, int kh, int kw) {
            int ih = oy * sh - padT + kh, iw = ox * sw - padL + kw;
            if (ih < 0 || ih >= h || iw < 0 || iw >= w) return -1;
            return ((long) n * h + ih) * w + iw;
        }

        /** First output column whose window lies wholly inside the image along W. */
        int fullFrom() { return Math.floorDiv(padL + sw - 1, sw); }

        /** End (exclusive, at least {@link #fullFrom}) of the output columns whose window lies wholly inside along W. */
        int fullTo() { return Math.max(fullFrom(), Math.min(ow, Math.floorDiv(w - pw + padL, sw) + 1)); }
    }

    /**
     * Forward over output rows {@code [rowFrom,rowTo)} where row r = n*OH + oh. When {@code withArg}, writes the
     * window offset of each maximum into {@code arg} ({@code [N,OH,OW,C]} floats).
     */
    public static void maxPool(Geometry g, MemorySegment x, MemorySegment y, MemorySegment arg, boolean withArg,
                               int rowFrom, int rowTo) {
        if (KernelSet.SCALAR_ONLY) { maxPoolScalar(g, x, y, arg, withArg, rowFrom, rowTo); return; }
        windows(g, true, x, y, arg, withArg, rowFrom, rowTo);
    }

    /**
     * The SIMD driver of max ({@code max}) and average pooling over output rows {@code [rowFrom,rowTo)}: per output
     * pixel, the window's in-image cell range, then one vector of channels at a time through the window kernel. The
     * kernel is chosen by a loop-invariant branch between two static calls (both inlined by C2), not through an
     * interface, and no vector or mask crosses a call. A window entirely in padding (impossible for SAME/VALID
     * geometries) gives 0 (argmax -1).
     */
    static void windows(Geometry g, boolean max, MemorySegment x, MemorySegment y, MemorySegment arg, boolean withArg,
                        int rowFrom, int rowTo) {
        int C = g.c(), vl = S.length();
        for (int r = rowFrom; r < rowTo; r++) {
            int n = r / g.oh(), oh = r % g.oh();
            int ih0 = oh * g.sh() - g.padT();
            int kh0 = Math.max(0, -ih0), kh1 = Math.min(g.ph(), g.h() - ih0);
            // 2x2 max windows wholly inside the image (nearly all of a 2x2 pooling): whole channel vectors in one call
            // per row ({@link #full2x2}); the rest (borders, channel tails) goes through the window kernels below.
            int fullLo = 0, fullHi = 0, cv = C / vl * vl;
            if (max && g.ph() == 2 && g.pw() == 2 && kh0 == 0 && kh1 == 2 && cv > 0) {
                fullLo = g.fullFrom();
                fullHi = g.fullTo();
                long x0 = ((long) n * g.h() + ih0) * g.w() - g.padL(); // pixel index of cell (0,0) of output pixel 0
                full2x2(x, y, arg, withArg, x0 * C, (long) g.sw() * C, (long) g.w() * C, g.outPixel(n, oh, 0) * C, C, cv,
                        fullLo, fullHi);
            }
            for (int ow = 0; ow < g.ow(); ow++) {
                int iw0 = ow * g.sw() - g.padL();
                int kw0 = Math.max(0, -iw0), kw1 = Math.min(g.pw(), g.w() - iw0);
                long yOff = g.outPixel(n, oh, ow) * C;
                long xBase = ((long) n * g.h() + ih0) * g.w() + iw0; // pixel index of window cell (0,0)
                if (kh0 >= kh1 || kw0 >= kw1) {
                    for (int c = 0; c < C; c++) {
                        y.setAtIndex(F, yOff + c, 0f);
                        if (withArg) arg.setAtIndex(F, yOff + c, -1f);
                    }
                    continue;
                }
                float count = (kh1 - kh0) * (kw1 - kw0);
                // the lane mask is made inside the window kernels: a VectorMask passed to a call C2 does not inline
                // is boxed (a mask object and a boolean[] per call, ~6 MB per seed-network batch of 128)
                for (int c = ow >= fullLo && ow < fullHi ? cv : 0; c < C; c += vl) {
                    if (max && c + vl <= C) windowWhole(g, x, y, arg, withArg, xBase, yOff, c, kh0, kh1, kw0, kw1);
                    else if (max) window(g, x, y, arg, withArg, xBase, yOff, c, kh0, kh1, kw0, kw1);
                    else AveragePoolKernels.window(g, x, y, xBase, yOff, c, kh0, kh1, kw0, kw1, count);
                }
            }
        }
    }

    /**
     * Max over 2x2 windows wholly inside the image, output pixels {@code [lo,hi)} of one row, channels {@code [0,cv)}
     * (whole vectors): pixel ow's cell (0,0) is at float offset {@code xBase + ow*xStep}, cell (1,0) a row
     * ({@code xRow}) below, and its result at {@code yRow + ow*C}. The four cells in row-major order with strict
     * greater-than, as {@link #window}. Straight-line and one call per row: the per-window kernel, called per
     * pixel and channel vector, ran ~3x slower on AVX2 (C2 kept it as a call: "already compiled into a big method").
     */
    private static void full2x2(MemorySegment x, MemorySegment y, MemorySegment arg, boolean withArg, long xBase,
                                long xStep, long xRow, long yRow, int C, int cv, int lo, int hi) {
        int vl = S.length();
        for (int ow = lo; ow < hi; ow++) {
            long a0 = xBase + ow * xStep, a1 = a0 + C, b0 = a0 + xRow, b1 = b0 + C, yo = yRow + (long) ow * C;
            for (int c = 0; c < cv; c += vl) {
                FloatVector best = FloatVector.fromMemorySegment(S, x, (a0 + c) * 4, LE);
                FloatVector v = FloatVector.fromMemorySegment(S, x, (a1 + c) * 4, LE);
                VectorMask<Float> g1 = v.compare(VectorOperators.GT, best);
                best = best.blend(v, g1);
                v = FloatVector.fromMemorySegment(S, x, (b0 + c) * 4, LE);
                VectorMask<Float> g2 = v.compare(VectorOperators.GT, best);
                best = best.blend(v, g2);
                v = FloatVector.fromMemorySegment(S, x, (b1 + c) * 4, LE);
                VectorMask<Float> g3 = v.compare(VectorOperators.GT, best);
                best.blend(v, g3).intoMemorySegment(y, (yo + c) * 4, LE);
                if (withArg) {
                    FloatVector.zero(S).blend(1f, g1).blend(2f, g2).blend(3f, g3).intoMemorySegment(arg, (yo + c) * 4, LE);
                }
            }
        }
    }

    private static void window(Geometry g, MemorySegment x, MemorySegment y, MemorySegment arg, boolean withArg,
                               long xBase, long yOff, int c, int kh0, int kh1, int kw0, int kw1) {
        int C = g.c();
        VectorMask<Float> m = S.indexInRange(c, C);
        long first = (xBase + (long) kh0 * g.w() + kw0) * C + c;
        FloatVector best = FloatVector.fromMemorySegment(S, x, first * 4, LE, m);
        FloatVector bestIdx = FloatVector.broadcast(S, kh0 * g.pw() + kw0);
        // Every cell, the first again included (v > best is false there): plain counted loops, and the vectors carried
        // through them assigned on every path; with a data-dependent loop start or a conditional assignment, C2 kept
        // boxes for the loop-carried vectors (seen: 60 MB allocated per seed-network batch of 128 on AVX-512).
        for (int kh = kh0; kh < kh1; kh++) {
            for (int kw = kw0; kw < kw1; kw++) {
                long off = (xBase + (long) kh * g.w() + kw) * C + c;
                FloatVector v = FloatVector.fromMemorySegment(S, x, off * 4, LE, m);
                VectorMask<Float> gt = v.compare(VectorOperators.GT, best);
                best = best.blend(v, gt);
                bestIdx = bestIdx.blend(kh * g.pw() + kw, gt);
            }
        }
        best.intoMemorySegment(y, (yOff + c) * 4, LE, m);
        if (withArg) bestIdx.intoMemorySegment(arg, (yOff + c) * 4, LE, m);
    }

    /**
     * {@link #window} for a whole vector of channels ({@code c + lanes <= C}), without a mask: masked segment loads
     * and stores measured 4.6x slower on AVX-512 even with every lane set (see BatchNormKernels).
     */
    private static void windowWhole(Geometry g, MemorySegment x, MemorySegment y, MemorySegment arg, boolean withArg,
                                    long xBase, long yOff, int c, int kh0, int kh1, int kw0, int kw1) {
        int C = g.c();
        long first = (xBase + (long) kh0 * g.w() + kw0) * C + c;
        FloatVector best = FloatVector.fromMemorySegment(S, x, first * 4, LE);
        FloatVector bestIdx = FloatVector.broadcast(S, kh0 * g.pw() + kw0);
        // every cell, the first again included, as in window (C2 must not box the loop-carried vectors)
        for (int kh = kh0; kh < kh1; kh++) {
            for (int kw = kw0; kw < kw1; kw++) {
                long off = (xBase + (long) kh * g.w() + kw) * C + c;
                FloatVector v = FloatVector.fromMemorySegment(S, x, off * 4, LE);
                VectorMask<Float> gt = v.compare(VectorOperators.GT, best);
                best = best.blend(v, gt);
                bestIdx = bestIdx.blend(kh * g.pw() + kw, gt);
            }
        }
        best.intoMemorySegment(y, (yOff + c) * 4, LE);
        if (withArg) bestIdx.intoMemorySegment(arg, (yOff + c) * 4, LE);
    }

    /** Scalar reference of {@link #maxPool}. */
    public static void maxPoolScalar(Geometry g, MemorySegment x, MemorySegment y, MemorySegment arg, boolean withArg,
                                     int rowFrom, int rowTo) {
        int C = g.c();
        for (int r = rowFrom; r < rowTo; r++) {
            int n = r / g.oh(), oh = r % g.oh();
            for (int ow = 0; ow < g.ow(); ow++) {
                long yOff = g.outPixel(n, oh, ow) * C;
                for (int c = 0; c < C; c++) {
                    float best = 0f;
                    int bestIdx = -1;
                    for (int kh = 0; kh < g.ph(); kh++) {
                        for (int kw = 0; kw < g.pw(); kw++) {
                            long px = g.cell(n, oh, ow, kh, kw);
                            if (px < 0) continue;
                            float v = x.getAtIndex(F, px * C + c);
                            if (bestIdx < 0 || v > best) {
                                best = v;
                                bestIdx = kh * g.pw() + kw;
                            }
                        }
                    }
                    y.setAtIndex(F, yOff + c, bestIdx < 0 ? 0f : best);
                    if (withArg) arg.setAtIndex(F, yOff + c, bestIdx);
                }
            }
        }
    }

    /**
     * Backward, work units as {@link #maxPoolBackwardScalar} (same results). 2x2 windows with stride 2 do not overlap,
     * so where such a window lies wholly inside the image its four input cells get their gradient by plain stores
     * ({@link #scatter2x2}: the output gradient where the argmax names the cell, else 0), a whole vector of channels
     * at a time; everything else (border windows, channel tails, other geometries) adds as the reference does.
     */
    public static void maxPoolBackward(Geometry g, MemorySegment gy, MemorySegment arg, MemorySegment gx,
                                       int cBlock, int unitFrom, int unitTo) {
        boolean tiled = g.ph() == 2 && g.pw() == 2 && g.sh() == 2 && g.sw() == 2;
        if (KernelSet.SCALAR_ONLY || !tiled) { maxPoolBackwardScalar(g, gy, arg, gx, cBlock, unitFrom, unitTo); return; }
        int C = g.c(), vl = S.length(), fullLo = g.fullFrom(), fullHi = g.fullTo();
        // whole windows tile the image (even sizes, no padding): their stores reach every cell, so only the channel
        // tail, which adds, needs zeroing first
        boolean tiledExactly = g.padT() == 0 && g.padL() == 0 && g.h() == 2 * g.oh() && g.w() == 2 * g.ow();
        int cBlocks = (C + cBlock - 1) / cBlock;
        for (int u = unitFrom; u < unitTo; u++) {
            int n = u / cBlocks, c0 = (u % cBlocks) * cBlock, c1 = Math.min(C, c0 + cBlock);
            int cv = c0 + (c1 - c0) / vl * vl; // [c0,cv): whole vectors
            long px0 = (long) n * g.h() * g.w();
            zeroChannels(gx, px0, (long) g.h() * g.w(), C, tiledExactly ? cv : c0, c1);
            for (int oh = 0; oh < g.oh(); oh++) {
                int ih0 = oh * 2 - g.padT();
                boolean rowFull = ih0 >= 0 && ih0 + 2 <= g.h();
                for (int ow = 0; ow < g.ow(); ow++) {
                    long yOff = g.outPixel(n, oh, ow) * C;
                    int iw0 = ow * 2 - g.padL();
                    int c = c0;
                    if (rowFull && ow >= fullLo && ow < fullHi) {
                        long x00 = (px0 + (long) ih0 * g.w() + iw0) * C, x10 = x00 + (long) g.w() * C;
                        scatter2x2(gy, arg, gx, yOff, x00, x00 + C, x10, x10 + C, c0, cv);
                        c = cv;
                    }
                    addToArgmax(g, gy, arg, gx, px0, ih0, iw0, yOff, c, c1);
                }
            }
        }
    }

    /**
     * One non-overlapping 2x2 window, channels {@code [c0,cv)} (whole vectors): cell k (row-major, float offsets
     * {@code x00..x11}) gets {@code gy} where {@code arg == k}, else 0. A store, not an add: no other window reaches
     * these cells and they were zero, so the result is the reference's {@code 0 + gy} (a -0 gradient stores +0).
     */
    private static void scatter2x2(MemorySegment gy, MemorySegment arg, MemorySegment gx, long yOff, long x00, long x01,
                                   long x10, long x11, int c0, int cv) {
        int vl = S.length();
        FloatVector zero = FloatVector.zero(S);
        for (int c = c0; c < cv; c += vl) {
            FloatVector g = zero.add(FloatVector.fromMemorySegment(S, gy, (yOff + c) * 4, LE)); // 0 + gy, as the reference
            FloatVector k = FloatVector.fromMemorySegment(S, arg, (yOff + c) * 4, LE);
            zero.blend(g, k.compare(VectorOperators.EQ, 0f)).intoMemorySegment(gx, (x00 + c) * 4, LE);
            zero.blend(g, k.compare(VectorOperators.EQ, 1f)).intoMemorySegment(gx, (x01 + c) * 4, LE);
            zero.blend(g, k.compare(VectorOperators.EQ, 2f)).intoMemorySegment(gx, (x10 + c) * 4, LE);
            zero.blend(g, k.compare(VectorOperators.EQ, 3f)).intoMemorySegment(gx, (x11 + c) * 4, LE);
        }
    }

    /**
     * Scalar reference of {@link #maxPoolBackward}: {@code gx} = 0, then each output gradient is added to the input cell
     * its argmax names. Work unit u = n * cBlocks + cb covers sample n and channels
     * {@code [cb*cBlock, min(C,(cb+1)*cBlock))}, so units write disjoint parts of gx (overlapping windows, stride <
     * pool, stay inside one unit) and the sum order per cell is fixed (output raster order) whatever the thread count.
     */
    public static void maxPoolBackwardScalar(Geometry g, MemorySegment gy, MemorySegment arg, MemorySegment gx,
                                             int cBlock, int unitFrom, int unitTo) {
        int C = g.c();
        int cBlocks = (C + cBlock - 1) / cBlock;
        for (int u = unitFrom; u < unitTo; u++) {
            int n = u / cBlocks, c0 = (u % cBlocks) * cBlock, c1 = Math.min(C, c0 + cBlock);
            long px0 = (long) n * g.h() * g.w();
            zeroChannels(gx, px0, (long) g.h() * g.w(), C, c0, c1);
            for (int oh = 0; oh < g.oh(); oh++) {
                for (int ow = 0; ow < g.ow(); ow++) {
                    long yOff = g.outPixel(n, oh, ow) * C;
                    addToArgmax(g, gy, arg, gx, px0, oh * g.sh() - g.padT(), ow * g.sw() - g.padL(), yOff, c0, c1);
                }
            }
        }
    }

    /**
     * Channels {@code [c0,c1)} of one output pixel (at {@code yOff}, window cell (0,0) at input row {@code ih0}, column
     * {@code iw0} of the sample starting at pixel {@code px0}): the output gradient added to the cell its argmax names.
     */
    private static void addToArgmax(Geometry g, MemorySegment gy, MemorySegment arg, MemorySegment gx, long px0, int ih0,
                                    int iw0, long yOff, int c0, int c1) {
        int C = g.c();
        for (int c = c0; c < c1; c++) {
            int idx = (int) arg.getAtIndex(F, yOff + c);
            if (idx < 0) continue;
            int ih = ih0 + idx / g.pw(), iw = iw0 + idx % g.pw();
            long xi = ((px0 + (long) ih * g.w() + iw) * C) + c;
            gx.setAtIndex(F, xi, gx.getAtIndex(F, xi) + gy.getAtIndex(F, yOff + c));
        }
    }

    /**
     * Zeroes channels {@code [c0,c1)} of {@code pixels} pixels from pixel {@code px0} of an NHWC tensor with C channels
     * (a backward work unit's part of the input gradient; all channels: one bulk fill).
     */
    static void zeroChannels(MemorySegment gx, long px0, long pixels, int C, int c0, int c1) {
        if (c0 >= c1) return;
        if (c0 == 0 && c1 == C) {
            gx.asSlice(px0 * C * 4, pixels * C * 4).fill((byte) 0);
            return;
        }
        for (long p = 0; p < pixels; p++) {
            long base = (px0 + p) * C;
            for (int c = c0; c < c1; c++) gx.setAtIndex(F, base + c, 0f);
        }
    }

    /** Channel block of backward work units: large enough to amortise, small enough to split one sample over threads. */
    public static final int BACKWARD_CHANNEL_BLOCK = 64;
}
