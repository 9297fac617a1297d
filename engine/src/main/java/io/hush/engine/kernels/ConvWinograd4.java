package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * 3x3 stride-1 convolution by Winograd F(4x4,3x3): a 4x4 output tile from a 6x6 input tile with 36 multiply-adds
 * per (input channel, output channel) instead of 144 direct ones (4x fewer; {@link ConvWinograd}'s F(2x2,3x3) saves
 * 2.25x). The products are 36 small GEMMs per chunk of tiles, the same register tile as {@link ConvWinograd} (4 tiles
 * x 2 vectors, or 8 tiles on 32-register machines); the transforms are O(channels) per tile.
 *
 * <p>Matrices (Lavin and Gray, 2016): {@code B^T} rows {@code [4 0 -5 0 1 0], [0 -4 -4 1 1 0], [0 4 -4 -1 1 0],
 * [0 -2 -1 2 1 0], [0 2 -1 -2 1 0], [0 4 0 -5 0 1]}; {@code G} rows {@code [1/4 0 0], [-1/6 -1/6 -1/6],
 * [-1/6 1/6 -1/6], [1/24 1/12 1/6], [1/24 -1/12 1/6], [0 0 1]} (applied in double when the kernel is packed);
 * {@code A^T} rows {@code [1 1 1 1 1 0], [0 1 -1 2 -2 0], [0 1 1 4 4 0], [0 1 -1 8 -8 1]}. Each 2-D transform runs
 * as two 1-D passes (rows into a small per-thread buffer, then columns): 36 live vectors would not fit the registers.
 *
 * <p><b>Accuracy</b>: the transforms multiply by up to 8 (and the kernel by up to 1/4), so the rounding error is
 * larger than F(2x2,3x3)'s: a few times 2^-24 times the sum of |products| magnified by the transforms' norms.
 * ConvKernelsTest checks it against a bound scaled for the transforms. Used for forward passes with cin and cout
 * >= 32; backward-data (training) keeps F(2x2,3x3).
 *
 * <p>Threading: work items are (sample, group of 4 output rows); each output element is computed by one thread in a
 * fixed order, so results are bit-identical for any thread count.
 */
final class ConvWinograd4 {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int B = ConvSimd.B;
    /** Tiles (4 output pixels wide each) per chunk: V and M chunks of 36*TC*channels floats (36 KiB at 64 channels). */
    static final int TC = 4;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ConvWinograd4() {}

    /** {@code out = conv(in, w) + bias}, contract of {@link ConvSimd#forward}; requires {@link ConvWinograd#supports}. */
    static void forward(ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment w, boolean kernelOI,
                        MemorySegment bias, MemorySegment out, float slope) {
        int cin = g.cin(), cout = g.cout();
        float[] wk = packKernel(w, kernelOI, cin, cout);
        run(pool, g.n(), g.h(), g.w(), cin, g.oh(), g.ow(), cout, g.pt(), g.pl(), in, wk, bias, out, slope);
    }

    /** G rows (6x3), in double. */
    private static final double[][] G = {
            {1.0 / 4, 0, 0}, {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
            {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};

    /** U = G g G^T for every (ci, co), packed {@code [pos 36][co block][ci][B]} (zero-padded output channels). */
    static float[] packKernel(MemorySegment w, boolean kernelOI, int cin, int cout) {
        int nb = ConvSimd.blocks(cout);
        float[] wk = ConvSimd.buf(ConvSimd.Buf.KERNEL, 36L * nb * cin * B);
        int size = 9 * cin * cout;
        float[] k = ConvWinograd.heapKernel(w, size);
        double[][] t = new double[6][3];
        int posStep = nb * cin * B;
        for (int ci = 0; ci < cin; ci++) {
            for (int co = 0; co < cout; co++) {
                int blk = co / B, lane = co - blk * B;
                // t = G g (6x3), then U = t G^T (6x6)
                for (int r = 0; r < 6; r++) {
                    for (int j = 0; j < 3; j++) {
                        double s = 0;
                        for (int i = 0; i < 3; i++) s += G[r][i] * k[idx(kernelOI, i * 3 + j, ci, co, cin, cout)];
                        t[r][j] = s;
                    }
                }
                int base = (blk * cin + ci) * B + lane;
                for (int r = 0; r < 6; r++) {
                    for (int c = 0; c < 6; c++) {
                        double s = G[c][0] * t[r][0] + G[c][1] * t[r][1] + G[c][2] * t[r][2];
                        wk[(r * 6 + c) * posStep + base] = (float) s;
                    }
                }
            }
            for (int co = cout; co < nb * B; co++) {
                int blk = co / B, lane = co - blk * B;
                for (int pos = 0; pos < 36; pos++) wk[pos * posStep + (blk * cin + ci) * B + lane] = 0f;
            }
        }
        return wk;
    }

    private static int idx(boolean kernelOI, int tap, int ci, int co, int cin, int cout) {
        return kernelOI ? (tap * cout + co) * cin + ci : (tap * cin + ci) * cout + co;
    }

    /**
     * Forward F(4x4,3x3) of {@code [n,h,w,cin]} -> {@code [n,oh,ow,cout]}, pads pt/pl (0..2), packed kernel wk, then
     * {@code x > 0 ? x : slope*x} as results are stored (slope 1: none).
     */
    static void run(ThreadPool pool, int n, int h, int w, int cin, int oh, int ow, int cout, int pt, int pl,
                    MemorySegment in, float[] wk, MemorySegment bias, MemorySegment out, float slope) {
        final int nb = ConvSimd.blocks(cout), coutP = nb * B;
        final int nT = (ow + 3) / 4, nTP = (nT + TC - 1) / TC * TC;     // tiles per row, rounded up to chunks
        final int wp = 4 * nTP + 2, rowF = wp * cin;                    // staged row: enough pixels for every tile
        final int groups = (oh + 3) / 4;
        final boolean wide = ConvWinograd.WIDE_TILES && TC % 8 == 0;
        pool.parallelFor(n * groups, (lo, hi, th) -> {
            float[] rb = ConvSimd.buf(ConvSimd.Buf.ROWS, 6L * rowF);
            float[] v = ConvSimd.buf(ConvSimd.Buf.WINO_V, 36L * TC * cin);
            float[] m = ConvSimd.buf(ConvSimd.Buf.WINO_M, 36L * TC * coutP);
            float[] tmp = ConvSimd.buf(ConvSimd.Buf.WINO_BIAS, 36L * L + coutP);
            int bvOff = 36 * L;
            ConvSimd.packBias(bias, cout, tmp, bvOff, nb);
            for (int item = lo; item < hi; item++) {
                int b = item / groups, oy0 = (item - b * groups) * 4;
                for (int r = 0; r < 6; r++) ConvSimd.copyRow(in, b, oy0 - pt + r, h, w, cin, pl, rb, r * rowF, wp);
                int rows = Math.min(4, oh - oy0);
                for (int t0 = 0; t0 < nTP; t0 += TC) {
                    inputTransform(rb, rowF, cin, t0, v, tmp);
                    for (int pos = 0; pos < 36; pos++) {
                        for (int cb = 0; cb < nb; cb++) {
                            int wOff = (pos * nb + cb) * cin * B;
                            int s0 = pos * TC * cin, d0 = pos * TC * coutP + cb * B;
                            if (wide) ConvWinograd.gemmTile8(v, s0, cin, wk, wOff, cin, m, d0, coutP);
                            else ConvWinograd.gemmTile(v, s0, cin, wk, wOff, cin, m, d0, coutP);
                        }
                    }
                    outputTransform(m, coutP, cout, tmp, bvOff, t0, ow, rows, out, ((long) b * oh + oy0) * ow, slope);
                }
            }
        });
    }

    /**
     * V[pos][u][ci] = (B^T d B)[pos] for the TC tiles t0.. (tile u reads staged columns 4(t0+u)..+5, rows 0..5): per
     * tile and channel vector, each row's 6 values are transformed into {@code tmp} (6x6 vectors), then each column.
     */
    static void inputTransform(float[] rb, int rowF, int cin, int t0, float[] v, float[] tmp) {
        int posStride = TC * cin;
        int vb = cin - cin % L;
        for (int u = 0; u < TC; u++) {
            int base = 4 * (t0 + u) * cin;
            int c = 0;
            for (; c < vb; c += L) {
                for (int r = 0; r < 6; r++) {
                    int o = base + r * rowF + c;
                    FloatVector d0 = FloatVector.fromArray(S, rb, o), d1 = FloatVector.fromArray(S, rb, o + cin);
                    FloatVector d2 = FloatVector.fromArray(S, rb, o + 2 * cin), d3 = FloatVector.fromArray(S, rb, o + 3 * cin);
                    FloatVector d4 = FloatVector.fromArray(S, rb, o + 4 * cin), d5 = FloatVector.fromArray(S, rb, o + 5 * cin);
                    bt(d0, d1, d2, d3, d4, d5, tmp, r * 6 * L, L);
                }
                int p = u * cin + c;
                for (int col = 0; col < 6; col++) {
                    int q = col * L;
                    FloatVector e0 = FloatVector.fromArray(S, tmp, q), e1 = FloatVector.fromArray(S, tmp, q + 6 * L);
                    FloatVector e2 = FloatVector.fromArray(S, tmp, q + 12 * L), e3 = FloatVector.fromArray(S, tmp, q + 18 * L);
                    FloatVector e4 = FloatVector.fromArray(S, tmp, q + 24 * L), e5 = FloatVector.fromArray(S, tmp, q + 30 * L);
                    // row i of B^T over the column: position i*6 + col
                    bt(e0, e1, e2, e3, e4, e5, v, p + col * posStride, 6 * posStride);
                }
            }
            for (; c < cin; c++) {
                double[][] d = new double[6][6];
                for (int r = 0; r < 6; r++) for (int j = 0; j < 6; j++) d[r][j] = rb[base + r * rowF + j * cin + c];
                float[][] x = btdb(d);
                for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) v[(i * 6 + j) * posStride + u * cin + c] = x[i][j];
            }
        }
    }

    /** The 6 values B^T (x0..x5) into dst at off, off+step, ..., off+5*step (vectors). */
    private static void bt(FloatVector x0, FloatVector x1, FloatVector x2, FloatVector x3, FloatVector x4, FloatVector x5,
                           float[] dst, int off, int step) {
        FloatVector four = FloatVector.broadcast(S, 4f), five = FloatVector.broadcast(S, 5f), two = FloatVector.broadcast(S, 2f);
        x4.sub(x2.mul(five)).add(x0.mul(four)).intoArray(dst, off);                    // 4 x0 - 5 x2 + x4
        FloatVector a = x4.add(x3), bb = x1.add(x2).mul(four);
        a.sub(bb).intoArray(dst, off + step);                                          // -4 x1 - 4 x2 + x3 + x4
        FloatVector c = x4.sub(x3), dd = x1.sub(x2).mul(four);
        c.add(dd).intoArray(dst, off + 2 * step);                                      // 4 x1 - 4 x2 - x3 + x4
        FloatVector e = x4.sub(x2), f = x3.sub(x1).mul(two);
        e.add(f).intoArray(dst, off + 3 * step);                                       // -2 x1 - x2 + 2 x3 + x4
        e.sub(f).intoArray(dst, off + 4 * step);                                       // 2 x1 - x2 - 2 x3 + x4
        x5.sub(x3.mul(five)).add(x1.mul(four)).intoArray(dst, off + 5 * step);         // 4 x1 - 5 x3 + x5
    }

    /** Scalar B^T d B (channel tails). */
    private static float[][] btdb(double[][] d) {
        double[][] t = new double[6][6];
        for (int r = 0; r < 6; r++) btRow(d[r], t[r]);
        float[][] out = new float[6][6];
        double[] col = new double[6], res = new double[6];
        for (int j = 0; j < 6; j++) {
            for (int r = 0; r < 6; r++) col[r] = t[r][j];
            btRow(col, res);
            for (int i = 0; i < 6; i++) out[i][j] = (float) res[i];
        }
        return out;
    }

    private static void btRow(double[] x, double[] y) {
        y[0] = 4 * x[0] - 5 * x[2] + x[4];
        y[1] = -4 * x[1] - 4 * x[2] + x[3] + x[4];
        y[2] = 4 * x[1] - 4 * x[2] - x[3] + x[4];
        y[3] = -2 * x[1] - x[2] + 2 * x[3] + x[4];
        y[4] = 2 * x[1] - x[2] - 2 * x[3] + x[4];
        y[5] = 4 * x[1] - 5 * x[3] + x[5];
    }

    // Kept apart from ConvWinograd.outputTransform (F(2,3)): the same tile loop around a different transform.
    /**
     * Y = A^T M A + bias for the TC tiles t0..: per tile and channel vector, each of M's 6 rows gives 4 values into
     * {@code tmp} (6x4 vectors), then each of the 4 columns gives the 4 output rows; stored where inside the output.
     */
    static void outputTransform(float[] m, int coutP, int cout, float[] tmp, int bvOff, int t0, int ow, int rows,
                                MemorySegment out, long rowOut, float slope) {
        int ps = TC * coutP;
        int vb = cout - cout % L;
        // x > 0 ? x : slope*x (ReLU: +0), branch-free: a vector assigned on one path only is boxed by C2.
        // act is all-false when slope is 1 (no activation), zero all-true for ReLU.
        VectorMask<Float> act = S.maskAll(slope != 1f), zero = S.maskAll(slope == 0f);
        for (int u = 0; u < TC; u++) {
            int x0 = 4 * (t0 + u);
            if (x0 >= ow) break;
            int cols = Math.min(4, ow - x0);
            int c = 0;
            for (; c < vb; c += L) {
                int p = u * coutP + c;
                for (int r = 0; r < 6; r++) {
                    int o = p + r * 6 * ps;
                    FloatVector m0 = FloatVector.fromArray(S, m, o), m1 = FloatVector.fromArray(S, m, o + ps);
                    FloatVector m2 = FloatVector.fromArray(S, m, o + 2 * ps), m3 = FloatVector.fromArray(S, m, o + 3 * ps);
                    FloatVector m4 = FloatVector.fromArray(S, m, o + 4 * ps), m5 = FloatVector.fromArray(S, m, o + 5 * ps);
                    at(m0, m1, m2, m3, m4, m5, tmp, r * 4 * L, L);
                }
                FloatVector bias = FloatVector.fromArray(S, tmp, bvOff + c);
                for (int j = 0; j < cols; j++) {
                    int q = j * L;
                    FloatVector e0 = FloatVector.fromArray(S, tmp, q), e1 = FloatVector.fromArray(S, tmp, q + 4 * L);
                    FloatVector e2 = FloatVector.fromArray(S, tmp, q + 8 * L), e3 = FloatVector.fromArray(S, tmp, q + 12 * L);
                    FloatVector e4 = FloatVector.fromArray(S, tmp, q + 16 * L), e5 = FloatVector.fromArray(S, tmp, q + 20 * L);
                    FloatVector a = e1.add(e2), bb = e1.sub(e2), cc = e3.add(e4), dd = e3.sub(e4);
                    long d = (rowOut + x0 + j) * cout + c;
                    FloatVector y0 = e0.add(a).add(cc).add(bias), y1 = bb.add(dd.mul(2f)).add(bias);
                    FloatVector y2 = a.add(cc.mul(4f)).add(bias), y3 = bb.add(dd.mul(8f)).add(e5).add(bias);
                    y0 = y0.blend(y0.mul(slope).blend(0f, zero), y0.compare(VectorOperators.GT, 0f).not().and(act));
                    y1 = y1.blend(y1.mul(slope).blend(0f, zero), y1.compare(VectorOperators.GT, 0f).not().and(act));
                    y2 = y2.blend(y2.mul(slope).blend(0f, zero), y2.compare(VectorOperators.GT, 0f).not().and(act));
                    y3 = y3.blend(y3.mul(slope).blend(0f, zero), y3.compare(VectorOperators.GT, 0f).not().and(act));
                    y0.intoMemorySegment(out, d * 4, LE);
                    if (rows > 1) y1.intoMemorySegment(out, (d + (long) ow * cout) * 4, LE);
                    if (rows > 2) y2.intoMemorySegment(out, (d + 2L * ow * cout) * 4, LE);
                    if (rows > 3) y3.intoMemorySegment(out, (d + 3L * ow * cout) * 4, LE);
                }
            }
            for (; c < cout; c++) {
                double[][] mm = new double[6][6];
                for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) mm[i][j] = m[(i * 6 + j) * ps + u * coutP + c];
                double[][] t = new double[6][4];
                for (int i = 0; i < 6; i++) atRow(mm[i], t[i]);
                double[] col = new double[6], res = new double[4];
                float bv = tmp[bvOff + c];
                for (int j = 0; j < cols; j++) {
                    for (int i = 0; i < 6; i++) col[i] = t[i][j];
                    atRow(col, res);
                    for (int i = 0; i < rows; i++) out.setAtIndex(F, (rowOut + (long) i * ow + x0 + j) * cout + c, ActivationKernels.rectify((float) res[i] + bv, slope));
                }
            }
        }
    }

    /** The 4 values A^T (x0..x5) into dst at off, off+step, ... (vectors). */
    private static void at(FloatVector x0, FloatVector x1, FloatVector x2, FloatVector x3, FloatVector x4, FloatVector x5,
                           float[] dst, int off, int step) {
        FloatVector a = x1.add(x2), b = x1.sub(x2), c = x3.add(x4), d = x3.sub(x4);
        x0.add(a).add(c).intoArray(dst, off);
        b.add(d.mul(2f)).intoArray(dst, off + step);
        a.add(c.mul(4f)).intoArray(dst, off + 2 * step);
        b.add(d.mul(8f)).add(x5).intoArray(dst, off + 3 * step);
    }

    private static void atRow(double[] x, double[] y) {
        double a = x[1] + x[2], b = x[1] - x[2], c = x[3] + x[4], d = x[3] - x[4];
        y[0] = x[0] + a + c;
        y[1] = b + 2 * d;
        y[2] = a + 4 * c;
        y[3] = b + 8 * d + x[5];
    }
}
