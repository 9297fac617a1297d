package io.hush.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Integer-factor 2-D upsampling of NHWC tensors, {@code x [N,H,W,C] -> y [N,H*sh,W*sw,C]}.
 *
 * <p><b>Nearest</b>: {@code y[oy,ox] = x[oy/sh, ox/sw]}. Forward is pure copying: the first output row of each input
 * row is written pixel by pixel and then copied whole {@code sh-1} times. Backward sums each {@code sh x sw} block
 * (SIMD over channels, block cells in row-major order).
 *
 * <p><b>Bilinear</b> with half-pixel centres (TensorFlow's {@code tf.image.resize}, what Keras {@code UpSampling2D(
 * interpolation='bilinear')} runs; ONNX {@code Resize} linear/half_pixel): output index o samples input coordinate
 * {@code (o + 0.5)/s - 0.5}; with {@code lo = max(floor, 0)}, {@code hi = min(ceil, in-1)} and {@code f} the fractional
 * part, {@code top = a + (b - a) * fx} along the row and {@code y = top + (bottom - top) * fy}. {@link Axis} holds the
 * per-axis tables. Backward scatters {@code g*(1-fy)*(1-fx)} etc. to the four cells; work units are whole samples
 * times channel blocks, so the order of additions per cell is fixed whatever the thread count.
 *
 * <p>Every SIMD loop has a scalar reference with the same float operations in the same order (bit-identical).
 *
 * <p>Blocking: by input row (nearest) or output row (bilinear) for the threads, one vector of channels per pixel;
 * every value is read a few times at most, so these are memory-bound and need no staging. Backward: (sample, channel
 * block) units, so no two threads write one cell.
 */
public final class UpSamplingKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private UpSamplingKernels() {}

    /** Source indices and weights of one axis for bilinear sampling: output o reads lo[o], hi[o] with weight frac[o] on hi. */
    public record Axis(int[] lo, int[] hi, float[] frac) {
        /** Half-pixel table for an input of {@code in} cells upsampled by {@code factor}. */
        public static Axis halfPixel(int in, int factor) {
            int out = in * factor;
            int[] lo = new int[out], hi = new int[out];
            float[] frac = new float[out];
            float scale = (float) in / out; // TensorFlow's scale, as a float
            for (int o = 0; o < out; o++) {
                float src = (o + 0.5f) * scale - 0.5f;
                float fl = (float) Math.floor(src);
                lo[o] = Math.max((int) fl, 0);
                hi[o] = Math.min((int) Math.ceil(src), in - 1);
                frac[o] = src - fl;
            }
            return new Axis(lo, hi, frac);
        }
    }

    // ---------------- nearest ----------------

    /** Nearest forward over input rows {@code [rowFrom,rowTo)}, row r = n*H + iy (writes output rows iy*sh .. iy*sh+sh-1). */
    public static void nearest(MemorySegment x, MemorySegment y, int h, int w, int C, int sh, int sw, int rowFrom, int rowTo) {
        if (KernelSet.SCALAR_ONLY) { nearestScalar(x, y, h, w, C, sh, sw, rowFrom, rowTo); return; }
        long rowBytes = (long) w * sw * C * 4;
        for (int r = rowFrom; r < rowTo; r++) {
            int n = r / h, iy = r % h;
            long xRow = ((long) n * h + iy) * w * C * 4;
            long yRow0 = ((long) n * h * sh + (long) iy * sh) * w * sw * C * 4;
            for (int ix = 0; ix < w; ix++) {
                for (int b = 0; b < sw; b++) {
                    MemorySegment.copy(x, xRow + (long) ix * C * 4, y, yRow0 + ((long) ix * sw + b) * C * 4, (long) C * 4);
                }
            }
            for (int a = 1; a < sh; a++) MemorySegment.copy(y, yRow0, y, yRow0 + a * rowBytes, rowBytes);
        }
    }

    /** Scalar reference of {@link #nearest}. */
    public static void nearestScalar(MemorySegment x, MemorySegment y, int h, int w, int C, int sh, int sw, int rowFrom, int rowTo) {
        int oh = h * sh, ow = w * sw;
        for (int r = rowFrom; r < rowTo; r++) {
            int n = r / h, iy = r % h;
            for (int oy = iy * sh; oy < iy * sh + sh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int c = 0; c < C; c++) {
                        float v = x.getAtIndex(F, (((long) n * h + oy / sh) * w + ox / sw) * C + c);
                        y.setAtIndex(F, (((long) n * oh + oy) * ow + ox) * C + c, v);
                    }
                }
            }
        }
    }

    /** Nearest backward over input rows {@code [rowFrom,rowTo)}: {@code gx[iy,ix] = sum of gy over its sh x sw block}. */
    public static void nearestBackward(MemorySegment gy, MemorySegment gx, int h, int w, int C, int sh, int sw,
                                       int rowFrom, int rowTo) {
        if (KernelSet.SCALAR_ONLY) { nearestBackwardScalar(gy, gx, h, w, C, sh, sw, rowFrom, rowTo); return; }
        int vl = S.length();
        for (int r = rowFrom; r < rowTo; r++) {
            for (int ix = 0; ix < w; ix++) {
                for (int c = 0; c < C; c += vl) blockSum(gy, gx, h, w, C, sh, sw, r, ix, c);
            }
        }
    }

    private static void blockSum(MemorySegment gy, MemorySegment gx, int h, int w, int C, int sh, int sw, int r, int ix, int c) {
        VectorMask<Float> m = S.indexInRange(c, C);
        int n = r / h, iy = r % h, oh = h * sh, ow = w * sw;
        FloatVector sum = FloatVector.zero(S);
        for (int a = 0; a < sh; a++) {
            long row = (long) n * oh + (long) iy * sh + a;
            for (int b = 0; b < sw; b++) {
                long off = ((row * ow + (long) ix * sw + b) * C + c) * 4;
                sum = sum.add(FloatVector.fromMemorySegment(S, gy, off, LE, m));
            }
        }
        sum.intoMemorySegment(gx, ((((long) n * h + iy) * w + ix) * C + c) * 4, LE, m);
    }

    /** Scalar reference of {@link #nearestBackward}. */
    public static void nearestBackwardScalar(MemorySegment gy, MemorySegment gx, int h, int w, int C, int sh, int sw,
                                             int rowFrom, int rowTo) {
        int oh = h * sh, ow = w * sw;
        for (int r = rowFrom; r < rowTo; r++) {
            int n = r / h, iy = r % h;
            for (int ix = 0; ix < w; ix++) {
                for (int c = 0; c < C; c++) {
                    float sum = 0f;
                    for (int a = 0; a < sh; a++) {
                        for (int b = 0; b < sw; b++) {
                            sum += gy.getAtIndex(F, (((long) n * oh + iy * sh + a) * ow + ix * sw + b) * C + c);
                        }
                    }
                    gx.setAtIndex(F, (((long) n * h + iy) * w + ix) * C + c, sum);
                }
            }
        }
    }

    // ---------------- bilinear ----------------

    /** Bilinear forward over output rows {@code [rowFrom,rowTo)}, row r = n*OH + oy. */
    public static void bilinear(MemorySegment x, MemorySegment y, int h, int w, int C, Axis ay, Axis ax, int rowFrom, int rowTo) {
        if (KernelSet.SCALAR_ONLY) { bilinearScalar(x, y, h, w, C, ay, ax, rowFrom, rowTo); return; }
        int oh = ay.lo().length, ow = ax.lo().length, vl = S.length();
        for (int r = rowFrom; r < rowTo; r++) {
            int n = r / oh, oy = r % oh;
            long top = ((long) n * h + ay.lo()[oy]) * w, bot = ((long) n * h + ay.hi()[oy]) * w;
            float fy = ay.frac()[oy];
            for (int ox = 0; ox < ow; ox++) {
                long yOff = (((long) n * oh + oy) * ow + ox) * C;
                int x0 = ax.lo()[ox], x1 = ax.hi()[ox];
                float fx = ax.frac()[ox];
                for (int c = 0; c < C; c += vl) lerp4(x, y, C, (top + x0) * C + c, (top + x1) * C + c, (bot + x0) * C + c,
                        (bot + x1) * C + c, yOff + c, c, fx, fy);
            }
        }
    }

    private static void lerp4(MemorySegment x, MemorySegment y, int C, long ia, long ib, long ic, long id, long out, int c,
                              float fx, float fy) {
        VectorMask<Float> m = S.indexInRange(c, C);
        FloatVector a = FloatVector.fromMemorySegment(S, x, ia * 4, LE, m);
        FloatVector b = FloatVector.fromMemorySegment(S, x, ib * 4, LE, m);
        FloatVector cc = FloatVector.fromMemorySegment(S, x, ic * 4, LE, m);
        FloatVector d = FloatVector.fromMemorySegment(S, x, id * 4, LE, m);
        FloatVector top = a.add(b.sub(a).mul(fx));
        FloatVector bottom = cc.add(d.sub(cc).mul(fx));
        top.add(bottom.sub(top).mul(fy)).intoMemorySegment(y, out * 4, LE, m);
    }

    /** Scalar reference of {@link #bilinear}. */
    public static void bilinearScalar(MemorySegment x, MemorySegment y, int h, int w, int C, Axis ay, Axis ax, int rowFrom, int rowTo) {
        int oh = ay.lo().length, ow = ax.lo().length;
        for (int r = rowFrom; r < rowTo; r++) {
            int n = r / oh, oy = r % oh;
            for (int ox = 0; ox < ow; ox++) {
                for (int c = 0; c < C; c++) {
                    float a = at(x, n, ay.lo()[oy], ax.lo()[ox], c, h, w, C), b = at(x, n, ay.lo()[oy], ax.hi()[ox], c, h, w, C);
                    float cc = at(x, n, ay.hi()[oy], ax.lo()[ox], c, h, w, C), d = at(x, n, ay.hi()[oy], ax.hi()[ox], c, h, w, C);
                    float fx = ax.frac()[ox], fy = ay.frac()[oy];
                    float top = a + (b - a) * fx, bottom = cc + (d - cc) * fx;
                    y.setAtIndex(F, (((long) n * oh + oy) * ow + ox) * C + c, top + (bottom - top) * fy);
                }
            }
        }
    }

    private static float at(MemorySegment x, int n, int iy, int ix, int c, int h, int w, int C) {
        return x.getAtIndex(F, (((long) n * h + iy) * w + ix) * C + c);
    }

    /**
     * Bilinear backward over work units {@code [unitFrom,unitTo)}, unit u = n * cBlocks + cb (sample n, channel block
     * cb): zeroes its part of gx, then scatters every output gradient to its four source cells in output raster order.
     */
    public static void bilinearBackward(MemorySegment gy, MemorySegment gx, int h, int w, int C, Axis ay, Axis ax,
                                        int cBlock, int unitFrom, int unitTo) {
        if (KernelSet.SCALAR_ONLY) { bilinearBackwardScalar(gy, gx, h, w, C, ay, ax, cBlock, unitFrom, unitTo); return; }
        int oh = ay.lo().length, ow = ax.lo().length, vl = S.length();
        int cBlocks = (C + cBlock - 1) / cBlock;
        for (int u = unitFrom; u < unitTo; u++) {
            int n = u / cBlocks, c0 = (u % cBlocks) * cBlock, c1 = Math.min(C, c0 + cBlock);
            PoolKernels.zeroChannels(gx, (long) n * h * w, (long) h * w, C, c0, c1);
            for (int oy = 0; oy < oh; oy++) {
                long top = ((long) n * h + ay.lo()[oy]) * w, bot = ((long) n * h + ay.hi()[oy]) * w;
                float fy = ay.frac()[oy];
                for (int ox = 0; ox < ow; ox++) {
                    long gOff = (((long) n * oh + oy) * ow + ox) * C;
                    int x0 = ax.lo()[ox], x1 = ax.hi()[ox];
                    float fx = ax.frac()[ox];
                    for (int c = c0; c < c1; c += vl) scatter4(gy, gx, gOff + c, (top + x0) * C + c, (top + x1) * C + c,
                            (bot + x0) * C + c, (bot + x1) * C + c, c, c1, fx, fy);
                }
            }
        }
    }

    private static void scatter4(MemorySegment gy, MemorySegment gx, long g, long ia, long ib, long ic, long id, int c,
                                 int cEnd, float fx, float fy) {
        VectorMask<Float> m = S.indexInRange(c, cEnd);
        FloatVector v = FloatVector.fromMemorySegment(S, gy, g * 4, LE, m);
        FloatVector top = v.mul(1f - fy), bottom = v.mul(fy);
        addTo(gx, ia, top.mul(1f - fx), m);
        addTo(gx, ib, top.mul(fx), m);
        addTo(gx, ic, bottom.mul(1f - fx), m);
        addTo(gx, id, bottom.mul(fx), m);
    }

    private static void addTo(MemorySegment gx, long i, FloatVector v, VectorMask<Float> m) {
        FloatVector.fromMemorySegment(S, gx, i * 4, LE, m).add(v).intoMemorySegment(gx, i * 4, LE, m);
    }

    /** Scalar reference of {@link #bilinearBackward}. */
    public static void bilinearBackwardScalar(MemorySegment gy, MemorySegment gx, int h, int w, int C, Axis ay, Axis ax,
                                              int cBlock, int unitFrom, int unitTo) {
        int oh = ay.lo().length, ow = ax.lo().length;
        int cBlocks = (C + cBlock - 1) / cBlock;
        for (int u = unitFrom; u < unitTo; u++) {
            int n = u / cBlocks, c0 = (u % cBlocks) * cBlock, c1 = Math.min(C, c0 + cBlock);
            PoolKernels.zeroChannels(gx, (long) n * h * w, (long) h * w, C, c0, c1);
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float fx = ax.frac()[ox], fy = ay.frac()[oy];
                    for (int c = c0; c < c1; c++) {
                        float v = gy.getAtIndex(F, (((long) n * oh + oy) * ow + ox) * C + c);
                        float top = v * (1f - fy), bottom = v * fy;
                        add(gx, n, ay.lo()[oy], ax.lo()[ox], c, h, w, C, top * (1f - fx));
                        add(gx, n, ay.lo()[oy], ax.hi()[ox], c, h, w, C, top * fx);
                        add(gx, n, ay.hi()[oy], ax.lo()[ox], c, h, w, C, bottom * (1f - fx));
                        add(gx, n, ay.hi()[oy], ax.hi()[ox], c, h, w, C, bottom * fx);
                    }
                }
            }
        }
    }

    private static void add(MemorySegment gx, int n, int iy, int ix, int c, int h, int w, int C, float v) {
        long i = (((long) n * h + iy) * w + ix) * C + c;
        gx.setAtIndex(F, i, gx.getAtIndex(F, i) + v);
    }

    /** Channel block of bilinear backward work units. */
    public static final int BACKWARD_CHANNEL_BLOCK = 64;
}
