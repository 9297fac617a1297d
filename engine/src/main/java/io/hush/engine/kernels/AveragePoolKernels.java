package io.hush.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Average pooling over NHWC tensors: windowed ({@code [N,H,W,C] -> [N,OH,OW,C]}, geometry as {@link PoolKernels}) and
 * global ({@code [N,H,W,C] -> [N,C]}).
 *
 * <p>Windowed: the divisor is the number of window cells inside the image, so padding never counts (Keras/TensorFlow
 * {@code AveragePooling2D(padding='same')}, ONNX {@code AveragePool} with {@code count_include_pad=0}). The sum runs
 * in row-major window order and is then divided by the count, in the SIMD and the scalar kernel alike, so the two agree
 * bit for bit. SIMD runs over channels (contiguous in NHWC) with a masked tail, as in max pooling.
 *
 * <p>Global: the sum of each row of W pixels is formed first and the row sums are then added in row order; this
 * keeps the float error of a 512x512 mean near that of 512 additions instead of 2^18. The scalar reference sums in
 * the same order.
 *
 * <p>Blocking: as max pooling (output rows, a vector of channels per window; shared driver
 * {@link PoolKernels#windows}); global pooling by sample, a vector of channels walking the whole image.
 */
public final class AveragePoolKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private AveragePoolKernels() {}

    /** Forward over output rows {@code [rowFrom,rowTo)}, row r = n*OH + oh. */
    public static void averagePool(PoolKernels.Geometry g, MemorySegment x, MemorySegment y, int rowFrom, int rowTo) {
        if (KernelSet.SCALAR_ONLY) { averagePoolScalar(g, x, y, rowFrom, rowTo); return; }
        PoolKernels.windows(g, false, x, y, MemorySegment.NULL, false, rowFrom, rowTo);
    }

    /** One vector of channels from c of one output pixel: the mean of the window's in-image cells. */
    static void window(PoolKernels.Geometry g, MemorySegment x, MemorySegment y, long xBase, long yOff, int c,
                               int kh0, int kh1, int kw0, int kw1, float count) {
        int C = g.c();
        VectorMask<Float> m = S.indexInRange(c, C);
        FloatVector sum = FloatVector.zero(S);
        for (int kh = kh0; kh < kh1; kh++) {
            for (int kw = kw0; kw < kw1; kw++) {
                long off = (xBase + (long) kh * g.w() + kw) * C + c;
                sum = sum.add(FloatVector.fromMemorySegment(S, x, off * 4, LE, m));
            }
        }
        sum.div(count).intoMemorySegment(y, (yOff + c) * 4, LE, m);
    }

    /** Scalar reference of {@link #averagePool}. */
    public static void averagePoolScalar(PoolKernels.Geometry g, MemorySegment x, MemorySegment y, int rowFrom, int rowTo) {
        int C = g.c();
        for (int r = rowFrom; r < rowTo; r++) {
            int n = r / g.oh(), oh = r % g.oh();
            for (int ow = 0; ow < g.ow(); ow++) {
                long yOff = g.outPixel(n, oh, ow) * C;
                for (int c = 0; c < C; c++) {
                    float sum = 0f;
                    int count = 0;
                    for (int kh = 0; kh < g.ph(); kh++) {
                        for (int kw = 0; kw < g.pw(); kw++) {
                            long px = g.cell(n, oh, ow, kh, kw);
                            if (px < 0) continue;
                            sum += x.getAtIndex(F, px * C + c);
                            count++;
                        }
                    }
                    y.setAtIndex(F, yOff + c, count == 0 ? 0f : sum / count);
                }
            }
        }
    }

    /**
     * Backward: {@code gx} = 0, then every output gradient divided by its window's cell count is added to each
     * in-image cell of the window. Work unit u = n * cBlocks + cb covers sample n and one block of channels, so units
     * write disjoint parts of gx and the order of additions per cell (output raster order) does not depend on the
     * thread count.
     */
    public static void averagePoolBackward(PoolKernels.Geometry g, MemorySegment gy, MemorySegment gx, int cBlock,
                                           int unitFrom, int unitTo) {
        if (KernelSet.SCALAR_ONLY) { averagePoolBackwardScalar(g, gy, gx, cBlock, unitFrom, unitTo); return; }
        int C = g.c(), vl = S.length();
        int cBlocks = (C + cBlock - 1) / cBlock;
        for (int u = unitFrom; u < unitTo; u++) {
            int n = u / cBlocks, c0 = (u % cBlocks) * cBlock, c1 = Math.min(C, c0 + cBlock);
            PoolKernels.zeroChannels(gx, (long) n * g.h() * g.w(), (long) g.h() * g.w(), C, c0, c1);
            for (int oh = 0; oh < g.oh(); oh++) {
                int ih0 = oh * g.sh() - g.padT();
                int kh0 = Math.max(0, -ih0), kh1 = Math.min(g.ph(), g.h() - ih0);
                for (int ow = 0; ow < g.ow(); ow++) {
                    int iw0 = ow * g.sw() - g.padL();
                    int kw0 = Math.max(0, -iw0), kw1 = Math.min(g.pw(), g.w() - iw0);
                    if (kh0 >= kh1 || kw0 >= kw1) continue;
                    float count = (kh1 - kh0) * (kw1 - kw0);
                    long yOff = g.outPixel(n, oh, ow) * C;
                    long xBase = ((long) n * g.h() + ih0) * g.w() + iw0;
                    for (int c = c0; c < c1; c += vl) {
                        scatter(g, gy, gx, xBase, yOff, c, c1, kh0, kh1, kw0, kw1, count);
                    }
                }
            }
        }
    }

    private static void scatter(PoolKernels.Geometry g, MemorySegment gy, MemorySegment gx, long xBase, long yOff, int c,
                                int cEnd, int kh0, int kh1, int kw0, int kw1, float count) {
        int C = g.c();
        VectorMask<Float> m = S.indexInRange(c, cEnd);
        FloatVector share = FloatVector.fromMemorySegment(S, gy, (yOff + c) * 4, LE, m).div(count);
        for (int kh = kh0; kh < kh1; kh++) {
            for (int kw = kw0; kw < kw1; kw++) {
                long off = ((xBase + (long) kh * g.w() + kw) * C + c) * 4;
                FloatVector.fromMemorySegment(S, gx, off, LE, m).add(share).intoMemorySegment(gx, off, LE, m);
            }
        }
    }

    /** Scalar reference of {@link #averagePoolBackward} (the same order of additions per cell). */
    public static void averagePoolBackwardScalar(PoolKernels.Geometry g, MemorySegment gy, MemorySegment gx, int cBlock,
                                                 int unitFrom, int unitTo) {
        int C = g.c();
        int cBlocks = (C + cBlock - 1) / cBlock;
        for (int u = unitFrom; u < unitTo; u++) {
            int n = u / cBlocks, c0 = (u % cBlocks) * cBlock, c1 = Math.min(C, c0 + cBlock);
            PoolKernels.zeroChannels(gx, (long) n * g.h() * g.w(), (long) g.h() * g.w(), C, c0, c1);
            for (int oh = 0; oh < g.oh(); oh++) {
                for (int ow = 0; ow < g.ow(); ow++) {
                    int count = 0;
                    for (int kh = 0; kh < g.ph(); kh++) {
                        for (int kw = 0; kw < g.pw(); kw++) {
                            if (g.cell(n, oh, ow, kh, kw) >= 0) count++;
                        }
                    }
                    if (count == 0) continue;
                    long yOff = g.outPixel(n, oh, ow) * C;
                    for (int kh = 0; kh < g.ph(); kh++) {
                        for (int kw = 0; kw < g.pw(); kw++) {
                            long px = g.cell(n, oh, ow, kh, kw);
                            if (px < 0) continue;
                            long xi = px * C;
                            for (int c = c0; c < c1; c++) {
                                float share = gy.getAtIndex(F, yOff + c) / (float) count;
                                gx.setAtIndex(F, xi + c, gx.getAtIndex(F, xi + c) + share);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Channel block of backward work units (as {@link PoolKernels#BACKWARD_CHANNEL_BLOCK}). */
    public static final int BACKWARD_CHANNEL_BLOCK = 64;

    // ---------------- global average pooling ----------------

    /**
     * {@code y[n,c] = mean over (h,w) of x[n,h,w,c]} for samples {@code [nFrom,nTo)}; x is {@code [N,H,W,C]}, y
     * {@code [N,C]}. Each row of W pixels is summed on its own, then the row sums are added in row order.
     */
    public static void globalAverage(MemorySegment x, MemorySegment y, int h, int w, int C, int nFrom, int nTo) {
        if (KernelSet.SCALAR_ONLY) { globalAverageScalar(x, y, h, w, C, nFrom, nTo); return; }
        int vl = S.length();
        float count = (float) h * w;
        for (int n = nFrom; n < nTo; n++) {
            for (int c = 0; c < C; c += vl) globalChunk(x, y, h, w, C, n, c, count);
        }
    }

    private static void globalChunk(MemorySegment x, MemorySegment y, int h, int w, int C, int n, int c, float count) {
        VectorMask<Float> m = S.indexInRange(c, C);
        FloatVector total = FloatVector.zero(S);
        long base = (long) n * h * w;
        for (int i = 0; i < h; i++) {
            FloatVector row = FloatVector.zero(S);
            long px = base + (long) i * w;
            for (int j = 0; j < w; j++) row = row.add(FloatVector.fromMemorySegment(S, x, ((px + j) * C + c) * 4, LE, m));
            total = total.add(row);
        }
        total.div(count).intoMemorySegment(y, ((long) n * C + c) * 4, LE, m);
    }

    /** Scalar reference of {@link #globalAverage} (same summation order). */
    public static void globalAverageScalar(MemorySegment x, MemorySegment y, int h, int w, int C, int nFrom, int nTo) {
        float count = (float) h * w;
        for (int n = nFrom; n < nTo; n++) {
            for (int c = 0; c < C; c++) {
                float total = 0f;
                for (int i = 0; i < h; i++) {
                    float row = 0f;
                    for (int j = 0; j < w; j++) row += x.getAtIndex(F, (((long) n * h + i) * w + j) * C + c);
                    total += row;
                }
                y.setAtIndex(F, (long) n * C + c, total / count);
            }
        }
    }

    /** Backward of the global mean: {@code gx[n,h,w,c] = gy[n,c] / (H*W)} for samples {@code [nFrom,nTo)}. */
    public static void globalAverageBackward(MemorySegment gy, MemorySegment gx, int h, int w, int C, int nFrom, int nTo) {
        if (KernelSet.SCALAR_ONLY) { globalAverageBackwardScalar(gy, gx, h, w, C, nFrom, nTo); return; }
        int vl = S.length();
        float count = (float) h * w;
        for (int n = nFrom; n < nTo; n++) {
            for (int c = 0; c < C; c += vl) globalBackChunk(gy, gx, h * w, C, n, c, count);
        }
    }

    private static void globalBackChunk(MemorySegment gy, MemorySegment gx, int pixels, int C, int n, int c, float count) {
        VectorMask<Float> m = S.indexInRange(c, C);
        FloatVector share = FloatVector.fromMemorySegment(S, gy, ((long) n * C + c) * 4, LE, m).div(count);
        long base = (long) n * pixels;
        for (int p = 0; p < pixels; p++) share.intoMemorySegment(gx, ((base + p) * C + c) * 4, LE, m);
    }

    /** Scalar reference of {@link #globalAverageBackward}. */
    public static void globalAverageBackwardScalar(MemorySegment gy, MemorySegment gx, int h, int w, int C, int nFrom, int nTo) {
        float count = (float) h * w;
        for (int n = nFrom; n < nTo; n++) {
            for (long p = 0; p < (long) h * w; p++) {
                for (int c = 0; c < C; c++) {
                    gx.setAtIndex(F, ((long) n * h * w + p) * C + c, gy.getAtIndex(F, (long) n * C + c) / count);
                }
            }
        }
    }
}
