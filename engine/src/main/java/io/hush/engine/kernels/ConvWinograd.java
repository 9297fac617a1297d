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
 * 3x3 stride-1 convolution by Winograd F(2x2,3x3), for layers wide enough that it pays (many channels).
 *
 * <p><b>Why.</b> The direct micro-kernel ({@link ConvSimd#tile}) already runs near the machine's FMA peak, so the
 * only way to be faster is fewer multiplies: F(2x2,3x3) computes a 2x2 output tile from a 4x4 input tile with 16
 * multiply-adds per (input channel, output channel) instead of 36 (2.25x fewer). The transforms cost O(channels)
 * per tile and are negligible next to the O(cin*cout) products when both are >= 16.
 *
 * <p><b>Steps</b> (per pair of output rows, in chunks of {@value #TC} tiles along the row):
 * <ol>
 * <li>kernel, once per call: {@code U = G g G^T} per (ci, co), packed {@code [pos 16][co block][ci][B]} like the
 *     direct kernel (zero-padded output channels).</li>
 * <li>input: the 4 input rows are staged into a heap row buffer with zero borders ({@link ConvSimd#copyRow}), then
 *     {@code V = B^T d B} per tile and input channel, laid out {@code [pos][tile][ci]}.</li>
 * <li>16 small GEMMs {@code M[pos][tile][co] = sum_ci V[pos][tile][ci] * U[pos][ci][co]} with a 4-tile x 2-vector
 *     register tile (same shape as the direct kernel and for the same reason: more accumulators make C2 spill).</li>
 * <li>output: {@code Y = A^T M A} + bias, 2x2 pixels per tile, stored if inside the output.</li>
 * </ol>
 *
 * <p><b>Accuracy</b>: the transforms only add, subtract and halve (G has 1/2 entries, applied in double), so the
 * error stays within a small factor of direct summation; ConvKernelsTest checks it against the scalar reference
 * with the same bound as the direct kernels.
 *
 * <p><b>Backward data</b> of a stride-1 3x3 convolution is the same forward convolution of the output gradient with
 * the kernel flipped in space and transposed in channels, and padding {@code 2 - pad}: {@link #backwardData}.
 *
 * <p>Threading as the direct kernels: work items are (sample, output row pair), each output element computed by
 * one thread in a fixed order, so results are bit-identical for any thread count.
 */
final class ConvWinograd {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int B = ConvSimd.B;
    /**
     * Tiles (2 output pixels wide each) per chunk, a multiple of the GEMM's 4: V and M chunks of 16*TC*channels
     * floats (32 KiB each at 64 channels) stay near L1; 16 measured ~20% slower, 4 about the same as 8.
     */
    static final int TC = 8;
    /**
     * Whether the GEMM step uses the 8-row tile ({@link #gemmTile8}: 16 accumulators) instead of the 4-row one
     * (8 accumulators): with 32 vector registers (AVX-512, and AArch64) it fits without spilling and halves the weight
     * loads per FMA; with 16 (AVX2) C2 would spill. {@code -Dhush.kernels.wideTiles=true|false} overrides the choice.
     */
    static final boolean WIDE_TILES = wideTiles();

    /** 32 vector registers: 512-bit species (AVX-512) or AArch64; overridable for tests and measurements. */
    static boolean wideTiles() {
        String p = System.getProperty("hush.kernels.wideTiles");
        if (p != null && !p.isBlank()) return Boolean.parseBoolean(p.trim());
        return S.vectorBitSize() >= 512 || "aarch64".equals(System.getProperty("os.arch"));
    }
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ConvWinograd() {}

    /**
     * Whether {@link #forward} and {@link #backwardData} compute this geometry: 3x3, stride 1, dilation 1, pads up to 2
     * (any channel counts; {@link ConvKernels} decides when it pays). Shared by {@link ConvWinograd4}.
     */
    static boolean supports(ConvGeom g) {
        return g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1 && g.dh() == 1 && g.dw() == 1
                && g.pt() <= 2 && g.pl() <= 2;
    }

    /** {@code out = conv(in, w) + bias}, contract of {@link ConvSimd#forward}; requires {@link #supports}. */
    static void forward(ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment w, boolean kernelOI,
                        MemorySegment bias, MemorySegment out, float slope) {
        int cin = g.cin(), cout = g.cout();
        float[] wk = packKernel(w, kernelOI, false, cin, cout);
        run(pool, g.n(), g.h(), g.w(), cin, g.oh(), g.ow(), cout, g.pt(), g.pl(), in, wk, bias, out, slope);
    }

    /**
     * {@code gin = bias + conv^T(gout, w)}, contract of {@link ConvSimd#backwardData}, as the forward convolution
     * of gout ({@code [oh,ow,cout]}) with the flipped, channel-transposed kernel and padding {@code 2 - pt, 2 - pl}.
     */
    static void backwardData(ThreadPool pool, ConvGeom g, MemorySegment gout, MemorySegment w, boolean kernelOI,
                             MemorySegment bias, MemorySegment gin) {
        int cin = g.cin(), cout = g.cout();
        float[] wk = packKernel(w, kernelOI, true, cout, cin);
        run(pool, g.n(), g.oh(), g.ow(), cout, g.h(), g.w(), cin, 2 - g.pt(), 2 - g.pl(), gout, wk, bias, gin, 1f);
    }

    /**
     * U = G g G^T for every (a = reduced channel, b = produced channel), packed {@code [pos][cb][a][B]}, followed by
     * nothing else (bias is read directly). {@code backward}: g[i][j][a][b] = w[2-i][2-j][b][a] (w in its own
     * layout), i.e. the kernel of the transposed problem.
     */
    static float[] packKernel(MemorySegment w, boolean kernelOI, boolean backward, int ca, int cb) {
        int nb = ConvSimd.blocks(cb);
        float[] wk = ConvSimd.buf(ConvSimd.Buf.KERNEL, 16L * nb * ca * B);
        // The kernel is read ~9 times per (a, b) pair: one bulk copy to the heap first (per-element segment reads
        // cost a call each until the JIT has compiled this method, which is when a cold process runs it).
        int size = 9 * ca * cb;
        float[] k = heapKernel(w, size);
        int cinW = backward ? cb : ca, coutW = backward ? ca : cb;
        for (int a = 0; a < ca; a++) {
            for (int b = 0; b < cb; b++) {
                int ci = backward ? b : a, co = backward ? a : b;       // channels of the stored kernel
                int blk = b / B, lane = b - blk * B;
                // rows of t = G g (G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]), then U = t G^T, row by row
                for (int r = 0; r < 4; r++) {
                    double h0 = tg(k, kernelOI, backward, r, 0, ci, co, cinW, coutW);
                    double h1 = tg(k, kernelOI, backward, r, 1, ci, co, cinW, coutW);
                    double h2 = tg(k, kernelOI, backward, r, 2, ci, co, cinW, coutW);
                    int o = (int) ((((long) r * 4 * nb + blk) * ca + a) * B + lane), posStep = nb * ca * B;
                    wk[o] = (float) h0;
                    wk[o + posStep] = (float) (0.5 * (h0 + h1 + h2));
                    wk[o + 2 * posStep] = (float) (0.5 * (h0 - h1 + h2));
                    wk[o + 3 * posStep] = (float) h2;
                }
            }
            for (int b = cb; b < nb * B; b++) {
                int blk = b / B, lane = b - blk * B;
                for (int pos = 0; pos < 16; pos++) wk[(int) ((((long) pos * nb + blk) * ca + a) * B + lane)] = 0f;
            }
        }
        return wk;
    }

    /** The first {@code size} floats of the stored kernel, copied to this thread's {@link ConvSimd.Buf#KERNEL_COPY}. */
    static float[] heapKernel(MemorySegment w, int size) {
        float[] k = ConvSimd.buf(ConvSimd.Buf.KERNEL_COPY, size);
        MemorySegment.copy(w, F, 0, k, 0, size);
        return k;
    }

    /** (G g)[r][j]: kernel column j combined over rows as row r of G; g as seen by the (possibly transposed) problem. */
    private static double tg(float[] w, boolean kernelOI, boolean backward, int r, int j, int ci, int co,
                             int cinW, int coutW) {
        double g0 = gw(w, kernelOI, backward, 0, j, ci, co, cinW, coutW), g2 = gw(w, kernelOI, backward, 2, j, ci, co, cinW, coutW);
        if (r == 0) return g0;
        if (r == 3) return g2;
        double g1 = gw(w, kernelOI, backward, 1, j, ci, co, cinW, coutW);
        return r == 1 ? 0.5 * (g0 + g1 + g2) : 0.5 * (g0 - g1 + g2);
    }

    /** g[i][j] of the problem: the stored kernel's tap (i, j), or (2-i, 2-j) for the transposed problem. */
    private static double gw(float[] w, boolean kernelOI, boolean backward, int i, int j, int ci, int co,
                             int cinW, int coutW) {
        int tap = backward ? (2 - i) * 3 + (2 - j) : i * 3 + j;
        return w[kernelOI ? (tap * coutW + co) * cinW + ci : (tap * cinW + ci) * coutW + co];
    }

    /**
     * Forward F(2x2,3x3) of {@code [n,h,w,cin]} -> {@code [n,oh,ow,cout]}, pads pt/pl (may be 0..2), kernel wk, then
     * {@code x > 0 ? x : slope*x} as results are stored (slope 1: none).
     */
    static void run(ThreadPool pool, int n, int h, int w, int cin, int oh, int ow, int cout, int pt, int pl,
                    MemorySegment in, float[] wk, MemorySegment bias, MemorySegment out, float slope) {
        final int nb = ConvSimd.blocks(cout), coutP = nb * B;
        final int nT = (ow + 1) / 2, nTP = (nT + 3) & ~3;       // tiles per row, rounded up to the GEMM's 4
        final int wp = 2 * nTP + 2, rowF = wp * cin;            // staged row: enough pixels for every tile
        final int pairs = (oh + 1) / 2;
        pool.parallelFor(n * pairs, (lo, hi, th) -> {
            float[] rb = ConvSimd.buf(ConvSimd.Buf.ROWS, 4L * rowF);
            float[] v = ConvSimd.buf(ConvSimd.Buf.WINO_V, 16L * TC * cin);
            float[] m = ConvSimd.buf(ConvSimd.Buf.WINO_M, 16L * TC * coutP);
            float[] bv = ConvSimd.buf(ConvSimd.Buf.WINO_BIAS, coutP);
            ConvSimd.packBias(bias, cout, bv, 0, nb);
            for (int item = lo; item < hi; item++) {
                int b = item / pairs, oy0 = (item - b * pairs) * 2;
                for (int r = 0; r < 4; r++) ConvSimd.copyRow(in, b, oy0 - pt + r, h, w, cin, pl, rb, r * rowF, wp);
                for (int t0 = 0; t0 < nTP; t0 += TC) {
                    int tc = Math.min(TC, nTP - t0);
                    inputTransform(rb, rowF, cin, t0, tc, v);
                    for (int pos = 0; pos < 16; pos++) {
                        for (int cb = 0; cb < nb; cb++) {
                            int wOff = (pos * nb + cb) * cin * B;
                            int u = 0;
                            if (WIDE_TILES) {
                                for (; u + 8 <= tc; u += 8) {
                                    int s0 = (pos * TC + u) * cin;
                                    gemmTile8(v, s0, cin, wk, wOff, cin, m, (pos * TC + u) * coutP + cb * B, coutP);
                                }
                            }
                            for (; u < tc; u += 4) {
                                int s0 = (pos * TC + u) * cin;
                                gemmTile(v, s0, cin, wk, wOff, cin, m, (pos * TC + u) * coutP + cb * B, coutP);
                            }
                        }
                    }
                    long rowOut = ((long) b * oh + oy0) * ow;
                    outputTransform(m, coutP, cout, bv, t0, tc, ow, oy0 + 1 < oh, out, rowOut, slope);
                }
            }
        });
    }

    /** V[pos][u][ci] = (B^T d B)[pos] for tiles t0+u, d = the 4x4 pixels at staged columns 2t..2t+3. */
    static void inputTransform(float[] rb, int rowF, int cin, int t0, int tc, float[] v) {
        int vb = cin - cin % L;
        int posStride = TC * cin;
        for (int u = 0; u < tc; u++) {
            int base = 2 * (t0 + u) * cin;
            int vo = u * cin;
            int c = 0;
            for (; c < vb; c += L) {
                int o = base + c;
                // rows: (d B): c0 = d0 - d2, c1 = d1 + d2, c2 = d2 - d1, c3 = d1 - d3
                FloatVector d0 = FloatVector.fromArray(S, rb, o), d1 = FloatVector.fromArray(S, rb, o + cin);
                FloatVector d2 = FloatVector.fromArray(S, rb, o + 2 * cin), d3 = FloatVector.fromArray(S, rb, o + 3 * cin);
                FloatVector r00 = d0.sub(d2), r01 = d1.add(d2), r02 = d2.sub(d1), r03 = d1.sub(d3);
                o += rowF;
                d0 = FloatVector.fromArray(S, rb, o); d1 = FloatVector.fromArray(S, rb, o + cin);
                d2 = FloatVector.fromArray(S, rb, o + 2 * cin); d3 = FloatVector.fromArray(S, rb, o + 3 * cin);
                FloatVector r10 = d0.sub(d2), r11 = d1.add(d2), r12 = d2.sub(d1), r13 = d1.sub(d3);
                o += rowF;
                d0 = FloatVector.fromArray(S, rb, o); d1 = FloatVector.fromArray(S, rb, o + cin);
                d2 = FloatVector.fromArray(S, rb, o + 2 * cin); d3 = FloatVector.fromArray(S, rb, o + 3 * cin);
                FloatVector r20 = d0.sub(d2), r21 = d1.add(d2), r22 = d2.sub(d1), r23 = d1.sub(d3);
                // columns of B^T: row0 = r0 - r2, row1 = r1 + r2, row2 = r2 - r1, row3 = r1 - r3
                int p = vo + c;
                r00.sub(r20).intoArray(v, p);
                r01.sub(r21).intoArray(v, p + posStride);
                r02.sub(r22).intoArray(v, p + 2 * posStride);
                r03.sub(r23).intoArray(v, p + 3 * posStride);
                r10.add(r20).intoArray(v, p + 4 * posStride);
                r11.add(r21).intoArray(v, p + 5 * posStride);
                r12.add(r22).intoArray(v, p + 6 * posStride);
                r13.add(r23).intoArray(v, p + 7 * posStride);
                r20.sub(r10).intoArray(v, p + 8 * posStride);
                r21.sub(r11).intoArray(v, p + 9 * posStride);
                r22.sub(r12).intoArray(v, p + 10 * posStride);
                r23.sub(r13).intoArray(v, p + 11 * posStride);
                o += rowF;
                d0 = FloatVector.fromArray(S, rb, o); d1 = FloatVector.fromArray(S, rb, o + cin);
                d2 = FloatVector.fromArray(S, rb, o + 2 * cin); d3 = FloatVector.fromArray(S, rb, o + 3 * cin);
                r10.sub(d0.sub(d2)).intoArray(v, p + 12 * posStride);
                r11.sub(d1.add(d2)).intoArray(v, p + 13 * posStride);
                r12.sub(d2.sub(d1)).intoArray(v, p + 14 * posStride);
                r13.sub(d1.sub(d3)).intoArray(v, p + 15 * posStride);
            }
            for (; c < cin; c++) {
                int o = base + c, p = vo + c;
                for (int j = 0; j < 4; j++) {
                    float e0 = e(rb, o, cin, j), e1 = e(rb, o + rowF, cin, j), e2 = e(rb, o + 2 * rowF, cin, j);
                    float e3 = e(rb, o + 3 * rowF, cin, j);
                    v[p + j * posStride] = e0 - e2;
                    v[p + (4 + j) * posStride] = e1 + e2;
                    v[p + (8 + j) * posStride] = e2 - e1;
                    v[p + (12 + j) * posStride] = e1 - e3;
                }
            }
        }
    }

    /** Column j of (d B) for the staged row of 4 pixels at o (pixel stride cin). */
    private static float e(float[] rb, int o, int cin, int j) {
        return switch (j) {
            case 0 -> rb[o] - rb[o + 2 * cin];
            case 1 -> rb[o + cin] + rb[o + 2 * cin];
            case 2 -> rb[o + 2 * cin] - rb[o + cin];
            default -> rb[o + cin] - rb[o + 3 * cin];
        };
    }

    // Kept apart from ConvWinograd4.outputTransform: the same tile loop, but the F(2,3) and F(4,3) transforms differ.
    /** Y = A^T M A + bias for tiles t0.., stored to output row rowOut (and the next row if {@code two}). */
    static void outputTransform(float[] m, int coutP, int cout, float[] bv, int t0, int tc, int ow, boolean two,
                                MemorySegment out, long rowOut, float slope) {
        int ps = TC * coutP;
        int vb = cout - cout % L;
        // x > 0 ? x : slope*x (ReLU: +0), branch-free: a vector assigned on one path only is boxed by C2.
        // act is all-false when slope is 1 (no activation), zero all-true for ReLU.
        VectorMask<Float> act = S.maskAll(slope != 1f), zero = S.maskAll(slope == 0f);
        for (int u = 0; u < tc; u++) {
            int x = 2 * (t0 + u);
            if (x >= ow) break;
            boolean right = x + 1 < ow;
            long d00 = (rowOut + x) * cout, d10 = d00 + (long) ow * cout;
            int c = 0;
            for (; c < vb; c += L) {
                int p = u * coutP + c;
                FloatVector bias = FloatVector.fromArray(S, bv, c);
                // over columns (A^T applied to each row r of M): s = m0 + m1 + m2, t = m1 - m2 - m3
                FloatVector m0 = FloatVector.fromArray(S, m, p), m1 = FloatVector.fromArray(S, m, p + ps);
                FloatVector m2 = FloatVector.fromArray(S, m, p + 2 * ps), m3 = FloatVector.fromArray(S, m, p + 3 * ps);
                FloatVector s0 = m0.add(m1).add(m2), t0v = m1.sub(m2).sub(m3);
                m0 = FloatVector.fromArray(S, m, p + 4 * ps); m1 = FloatVector.fromArray(S, m, p + 5 * ps);
                m2 = FloatVector.fromArray(S, m, p + 6 * ps); m3 = FloatVector.fromArray(S, m, p + 7 * ps);
                FloatVector s1 = m0.add(m1).add(m2), t1 = m1.sub(m2).sub(m3);
                m0 = FloatVector.fromArray(S, m, p + 8 * ps); m1 = FloatVector.fromArray(S, m, p + 9 * ps);
                m2 = FloatVector.fromArray(S, m, p + 10 * ps); m3 = FloatVector.fromArray(S, m, p + 11 * ps);
                FloatVector s2 = m0.add(m1).add(m2), t2 = m1.sub(m2).sub(m3);
                m0 = FloatVector.fromArray(S, m, p + 12 * ps); m1 = FloatVector.fromArray(S, m, p + 13 * ps);
                m2 = FloatVector.fromArray(S, m, p + 14 * ps); m3 = FloatVector.fromArray(S, m, p + 15 * ps);
                FloatVector s3 = m0.add(m1).add(m2), t3 = m1.sub(m2).sub(m3);
                // over rows, then x > 0 ? x : slope*x
                FloatVector y00 = s0.add(s1).add(s2).add(bias), y01 = t0v.add(t1).add(t2).add(bias);
                FloatVector y10 = s1.sub(s2).sub(s3).add(bias), y11 = t1.sub(t2).sub(t3).add(bias);
                y00 = y00.blend(y00.mul(slope).blend(0f, zero), y00.compare(VectorOperators.GT, 0f).not().and(act));
                y01 = y01.blend(y01.mul(slope).blend(0f, zero), y01.compare(VectorOperators.GT, 0f).not().and(act));
                y10 = y10.blend(y10.mul(slope).blend(0f, zero), y10.compare(VectorOperators.GT, 0f).not().and(act));
                y11 = y11.blend(y11.mul(slope).blend(0f, zero), y11.compare(VectorOperators.GT, 0f).not().and(act));
                y00.intoMemorySegment(out, (d00 + c) * 4, LE);
                if (right) y01.intoMemorySegment(out, (d00 + cout + c) * 4, LE);
                if (two) {
                    y10.intoMemorySegment(out, (d10 + c) * 4, LE);
                    if (right) y11.intoMemorySegment(out, (d10 + cout + c) * 4, LE);
                }
            }
            for (; c < cout; c++) {
                int p = u * coutP + c;
                float s0 = sRow(m, p, ps, 0), s1 = sRow(m, p, ps, 1), s2 = sRow(m, p, ps, 2), s3 = sRow(m, p, ps, 3);
                float t0v = tRow(m, p, ps, 0), t1 = tRow(m, p, ps, 1), t2 = tRow(m, p, ps, 2), t3 = tRow(m, p, ps, 3);
                out.setAtIndex(F, d00 + c, ActivationKernels.rectify(s0 + s1 + s2 + bv[c], slope));
                if (right) out.setAtIndex(F, d00 + cout + c, ActivationKernels.rectify(t0v + t1 + t2 + bv[c], slope));
                if (two) {
                    out.setAtIndex(F, d10 + c, ActivationKernels.rectify(s1 - s2 - s3 + bv[c], slope));
                    if (right) out.setAtIndex(F, d10 + cout + c, ActivationKernels.rectify(t1 - t2 - t3 + bv[c], slope));
                }
            }
        }
    }

    /** (M A)[r][0] and [r][1] for one channel: m0 + m1 + m2 and m1 - m2 - m3 of row r. */
    private static float sRow(float[] m, int p, int ps, int r) {
        return m[p + 4 * r * ps] + m[p + (4 * r + 1) * ps] + m[p + (4 * r + 2) * ps];
    }

    private static float tRow(float[] m, int p, int ps, int r) {
        return m[p + (4 * r + 1) * ps] - m[p + (4 * r + 2) * ps] - m[p + (4 * r + 3) * ps];
    }

    // A separate copy of gemmTile's body for C2: its 16 accumulators must be locals of one small inlinable method.
    /**
     * {@link #gemmTile} for 8 rows p: 8 x 2 vectors of accumulators, 16 + 2 weight + 1 broadcast registers, for
     * machines with 32 vector registers ({@link #WIDE_TILES}). Each weight vector then feeds 8 FMAs instead of 4.
     * The sums are the same products in the same order as {@link #gemmTile}'s, so results are bit-identical.
     */
    static void gemmTile8(float[] src, int s0, int sStride, float[] wk, int wOff, int cred, float[] dst, int dOff,
                          int dStride) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        FloatVector a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        int p0 = s0, p1 = s0 + sStride, p2 = s0 + 2 * sStride, p3 = s0 + 3 * sStride;
        int p4 = s0 + 4 * sStride, p5 = s0 + 5 * sStride, p6 = s0 + 6 * sStride, p7 = s0 + 7 * sStride;
        for (int c = 0; c < cred; c++) {
            FloatVector w0 = FloatVector.fromArray(S, wk, wOff + c * B);
            FloatVector w1 = FloatVector.fromArray(S, wk, wOff + c * B + L);
            FloatVector x = FloatVector.broadcast(S, src[p0 + c]);
            a00 = x.fma(w0, a00);
            a01 = x.fma(w1, a01);
            x = FloatVector.broadcast(S, src[p1 + c]);
            a10 = x.fma(w0, a10);
            a11 = x.fma(w1, a11);
            x = FloatVector.broadcast(S, src[p2 + c]);
            a20 = x.fma(w0, a20);
            a21 = x.fma(w1, a21);
            x = FloatVector.broadcast(S, src[p3 + c]);
            a30 = x.fma(w0, a30);
            a31 = x.fma(w1, a31);
            x = FloatVector.broadcast(S, src[p4 + c]);
            a40 = x.fma(w0, a40);
            a41 = x.fma(w1, a41);
            x = FloatVector.broadcast(S, src[p5 + c]);
            a50 = x.fma(w0, a50);
            a51 = x.fma(w1, a51);
            x = FloatVector.broadcast(S, src[p6 + c]);
            a60 = x.fma(w0, a60);
            a61 = x.fma(w1, a61);
            x = FloatVector.broadcast(S, src[p7 + c]);
            a70 = x.fma(w0, a70);
            a71 = x.fma(w1, a71);
        }
        a00.intoArray(dst, dOff);
        a01.intoArray(dst, dOff + L);
        a10.intoArray(dst, dOff + dStride);
        a11.intoArray(dst, dOff + dStride + L);
        a20.intoArray(dst, dOff + 2 * dStride);
        a21.intoArray(dst, dOff + 2 * dStride + L);
        a30.intoArray(dst, dOff + 3 * dStride);
        a31.intoArray(dst, dOff + 3 * dStride + L);
        a40.intoArray(dst, dOff + 4 * dStride);
        a41.intoArray(dst, dOff + 4 * dStride + L);
        a50.intoArray(dst, dOff + 5 * dStride);
        a51.intoArray(dst, dOff + 5 * dStride + L);
        a60.intoArray(dst, dOff + 6 * dStride);
        a61.intoArray(dst, dOff + 6 * dStride + L);
        a70.intoArray(dst, dOff + 7 * dStride);
        a71.intoArray(dst, dOff + 7 * dStride + L);
    }

    // Same 4 x 2-vector register tile as ConvSimd.tile and Gemm.kernel, kept apart for C2: vectors stay in locals of a
    // small inlinable method, and a shared one would need their extra strides and bias (more address arithmetic per FMA).
    /**
     * dst[dOff + p*dStride + (0..B)] = sum over c < cred of src[s0 + p*sStride + c] * wk[wOff + c*B + (0..B)],
     * for 4 rows p: 4 x 2 vectors of accumulators (8 + 2 weight + 4 broadcast registers: no spills under C2).
     */
    static void gemmTile(float[] src, int s0, int sStride, float[] wk, int wOff, int cred, float[] dst, int dOff,
                         int dStride) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        int p0 = s0, p1 = s0 + sStride, p2 = s0 + 2 * sStride, p3 = s0 + 3 * sStride;
        for (int c = 0; c < cred; c++) {
            FloatVector w0 = FloatVector.fromArray(S, wk, wOff + c * B);
            FloatVector w1 = FloatVector.fromArray(S, wk, wOff + c * B + L);
            FloatVector x = FloatVector.broadcast(S, src[p0 + c]);
            a00 = x.fma(w0, a00);
            a01 = x.fma(w1, a01);
            x = FloatVector.broadcast(S, src[p1 + c]);
            a10 = x.fma(w0, a10);
            a11 = x.fma(w1, a11);
            x = FloatVector.broadcast(S, src[p2 + c]);
            a20 = x.fma(w0, a20);
            a21 = x.fma(w1, a21);
            x = FloatVector.broadcast(S, src[p3 + c]);
            a30 = x.fma(w0, a30);
            a31 = x.fma(w1, a31);
        }
        a00.intoArray(dst, dOff);
        a01.intoArray(dst, dOff + L);
        a10.intoArray(dst, dOff + dStride);
        a11.intoArray(dst, dOff + dStride + L);
        a20.intoArray(dst, dOff + 2 * dStride);
        a21.intoArray(dst, dOff + 2 * dStride + L);
        a30.intoArray(dst, dOff + 3 * dStride);
        a31.intoArray(dst, dOff + 3 * dStride + L);
    }
}
