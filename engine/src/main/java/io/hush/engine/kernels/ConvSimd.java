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
 * Direct convolution kernels (Vector API), same contracts as {@link ConvScalar}.
 *
 * <p><b>Micro-kernel</b> ({@link #tile}): direct convolution, {@value #P} output pixels x two vectors of output
 * channels ({@code B = 2 * lanes}) held in 8 accumulators while the loop runs over (kernel row, kernel column,
 * input channel). Each step loads two weight vectors and broadcasts one input value per pixel: 8 FMAs for 6
 * loads, 8 independent chains to cover FMA latency on both ports, and few enough registers that C2 does not
 * spill on AVX2 (a 6-pixel tile did, and ran at half the speed).
 *
 * <p><b>Heap staging.</b> The hot loops read Java arrays, not MemorySegments: measured on this machine
 * (AMD EPYC, AVX2), the same micro-kernel reached ~90% of FMA peak from arrays and ~50% from segments (per-access
 * checks that C2 does not hoist out of the 4-pixel loop). So each call packs the kernel once into a heap array
 * ({@code [block][kh][kw][ci][B]}, zero-padded channels: no masks in the hot loop), and each thread copies the
 * few input rows an output row needs into a per-thread heap row buffer, zero-padding the borders on the way
 * (so the hot loop has no bounds logic and no separate padded copy exists). These staging arrays are
 * thread-local and grow-only: steady state allocates nothing. Results are written straight to the output
 * segments.
 *
 * <p><b>Backward-data</b> (= transposed convolution) is the same micro-kernel per stride phase: input pixels whose
 * coordinates have the same residue mod the stride see the same taps; a row of them reads consecutive pixels of
 * the output gradient, with the kernel packed from the input side ({@code [block][kh][kw][co][B]}).
 *
 * <p><b>Weight gradient</b>: per (tap, ci) row j, {@code dw[j][co] = sum over pixels in[pixel + off(j)] *
 * gout[pixel][co]}; a tile keeps 4 rows j x 2 co-vectors and runs over a group of pixels (about 64) before adding
 * to a per-thread heap accumulator. Threads split the pixel rows; each writes its partial sums into
 * {@code scratch} ({@link #weightGradScratch}), and they are reduced in thread order, so a fixed thread count
 * gives bit-identical results.
 *
 * <p><b>Which runs</b>: {@link ConvKernels} picks between these kernels (few output channels: {@link
 * #forwardSmallCout}, {@link #weightGradSmallCout}), the Winograd ones for 3x3 stride-1 layers with many channels
 * ({@link ConvWinograd4}, {@link ConvWinograd}: this micro-kernel already runs near the FMA peak, so fewer multiplies
 * is the only way to be faster), and the scalar reference.
 *
 * <p><b>Threading</b>: forward and backward-data split batch x rows (so batch 1 keeps both cores busy) and are
 * bit-identical for any thread count (each output element is computed by one thread in a fixed order).
 */
public final class ConvSimd {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Output-channel block of the micro-kernel: two vectors. */
    public static final int B = 2 * L;
    /** Pixels per micro-kernel tile. */
    static final int P = 4;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /**
     * The per-thread grow-only heap arrays of the convolution kernels (see {@link #buf}), named by use. Uses that share
     * a slot are never live at once on one thread. The caller thread fills {@link #KERNEL} (and {@link #KERNEL_COPY})
     * and then works as a pool thread too, so the pool threads' arrays use other slots. Shapes are in floats;
     * {@code B} = two vectors, {@code nb} = channel blocks of B, {@code wp} = padded row width in pixels.
     */
    enum Buf {
        /**
         * The packed kernel, written by the caller thread and read by all: direct forward {@code [nb][kh][kw][cin][B]}
         * then bias {@code [nb*B]}; few output channels {@code [cout][kh][kw*cin]} then bias {@code [cout]};
         * backward-data {@code [nb of cin][kh][kw][cout][B]} then bias; Winograd U {@code [16 or 36][nb][cin][B]}.
         */
        KERNEL(0),
        /** Winograd: the stored kernel copied to the heap before its transform, {@code [3][3][cin][cout]} (or OI). */
        KERNEL_COPY(5),
        /**
         * Staged zero-padded input rows: direct forward {@code [kh][wp][cin]}; few output channels {@code [rows of the
         * chunk][wp][cin]}; backward-data {@code [kh][wq][cout]} (output-gradient rows); weight gradient
         * {@code [group][kh][wp][cin]}; Winograd {@code [4 or 6][wp][cin]}.
         */
        ROWS(1),
        /** Weight gradient: the group's output-gradient rows, {@code [group][ow][nb*B]} (few cout: {@code [group][ow][cout]}). */
        GRAD_ROWS(2),
        /** Weight gradient: this thread's partial sums, {@code [taps*cin][nb*B]} (few cout: {@code [cout][taps][nb*B of cin]}). */
        PARTIALS(3),
        /** One micro-kernel tile's lanes, {@code [P][B]}: partial channel blocks and in-order lane sums. */
        TILE(4),
        /** Winograd: a chunk's transformed input, {@code [16 or 36][TC][cin]}. */
        WINO_V(2),
        /** Winograd: a chunk's GEMM results, {@code [16 or 36][TC][nb*B]}. */
        WINO_M(3),
        /** Winograd: bias padded to {@code [nb*B]} (F(4x4,3x3): after a {@code [36][L]} transform buffer). */
        WINO_BIAS(4);

        final int slot;

        Buf(int slot) { this.slot = slot; }
    }

    private static final ThreadLocal<float[][]> BUFS = ThreadLocal.withInitial(() -> new float[6][0]);

    private ConvSimd() {}

    /** This thread's array for {@code use}, at least {@code size} floats (grown by a quarter at a time, never shrunk). */
    static float[] buf(Buf use, long size) {
        float[][] b = BUFS.get();
        int which = use.slot;
        if (b[which].length < size) b[which] = new float[Math.toIntExact(Math.max(size, b[which].length * 5L / 4))];
        return b[which];
    }

    static int blocks(int c) { return (c + B - 1) / B; }

    // =====================================================================================================
    // forward
    // =====================================================================================================

    /** Width (pixels) of the zero-padded input window the forward pass reads for one output row. */
    static int fwdWp(ConvGeom g) { return (g.ow() - 1) * g.sw() + g.effKw(); }

    /**
     * Direct forward, {@code out = conv(in, w) + bias} (bias may be {@link MemorySegment#NULL}); see
     * {@link ConvScalar#forward}. With {@code kernelOI} the kernel is laid out {@code [kh,kw,cout,cin]} instead of
     * {@code [kh,kw,cin,cout]}. Then {@code x > 0 ? x : slope*x} as results are stored (ReLU 0, LeakyReLU alpha; 1:
     * none). Any geometry; {@link ConvKernels#forward} decides when it runs.
     */
    static void forwardDirect(ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment w, boolean kernelOI,
                              MemorySegment bias, MemorySegment out, float slope) {
        final int cin = g.cin(), cout = g.cout(), ow = g.ow(), oh = g.oh(), kh = g.kh(), kw = g.kw();
        final int nb = blocks(cout);
        final long wBlock = (long) g.taps() * cin * B;
        final float[] wk = buf(Buf.KERNEL, nb * wBlock + (long) nb * B);
        packLanes(w, kernelOI, g.taps(), cin, cout, wk);
        final int biasOff = (int) (nb * wBlock);
        packBias(bias, cout, wk, biasOff, nb);

        final int wp = fwdWp(g);
        final long rowF = (long) wp * cin;
        final int sh = g.sh(), sw = g.sw(), dh = g.dh(), pt = g.pt(), pl = g.pl(), h = g.h(), w0 = g.w();
        final int sStepJ = g.dw() * cin, sPix = sw * cin;
        final long wStepI = (long) kw * cin * B, wStepJ = (long) cin * B;
        final boolean mergeJ = g.dw() == 1;
        pool.parallelFor(g.n() * oh, (lo, hi, t) -> {
            float[] rb = buf(Buf.ROWS, kh * rowF);
            for (int row = lo; row < hi; row++) {
                int b = row / oh, oy = row - b * oh;
                for (int i = 0; i < kh; i++) {
                    copyRow(in, b, oy * sh - pt + i * dh, h, w0, cin, pl, rb, (int) (i * rowF), wp);
                }
                long dRow = (long) row * ow * cout;
                for (int ox0 = 0; ox0 < ow; ox0 += P) {
                    int cnt = Math.min(P, ow - ox0), last = ox0 + cnt - 1;
                    int s0 = ox0 * sPix, s1 = Math.min(ox0 + 1, last) * sPix;
                    int s2 = Math.min(ox0 + 2, last) * sPix, s3 = Math.min(ox0 + 3, last) * sPix;
                    for (int cb = 0; cb < nb; cb++) {
                        int co0 = cb * B;
                        // dilation 1 along W: the kw*cin (kernel column, channel) pairs of a kernel row are
                        // contiguous in both the row buffer and the packed kernel, so run them as one loop.
                        tile(rb, s0, s1, s2, s3, wk, (int) (cb * wBlock), (int) wStepI, (int) wStepJ, (int) rowF, sStepJ,
                                kh, mergeJ ? 1 : kw, mergeJ ? kw * cin : cin, biasOff + co0, out,
                                dRow + (long) ox0 * cout + co0, cout, cnt, Math.min(B, cout - co0), slope);
                    }
                }
            }
        });
    }

    /**
     * Forward for very few output channels (e.g. a final 1-channel layer), where a channel block of B lanes
     * would be mostly padding: vectorise the reduction instead. With dilation 1 along W, the (kernel column,
     * channel) pairs of one kernel row are a contiguous span of {@code kw*cin} floats in both the row buffer and
     * the kernel packed as {@code [co][kh][kw*cin]}; 4 pixels share each weight vector, lanes are reduced once
     * per pixel.
     */
    static void forwardSmallCout(ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment w, boolean kernelOI,
                                 MemorySegment bias, MemorySegment out) {
        final int cin = g.cin(), cout = g.cout(), ow = g.ow(), oh = g.oh(), kh = g.kh(), kw = g.kw();
        final int span = kw * cin;
        final float[] wt = buf(Buf.KERNEL, (long) cout * kh * span + cout);
        for (int co = 0; co < cout; co++) {
            for (int i = 0; i < kh; i++) {
                for (int jc = 0; jc < span; jc++) {
                    long tap = (long) i * kw + jc / cin;
                    int ci = jc % cin;
                    long src = kernelOI ? (tap * cout + co) * cin + ci : (tap * cin + ci) * cout + co;
                    wt[(co * kh + i) * span + jc] = w.getAtIndex(F, src);
                }
            }
            wt[cout * kh * span + co] = bias.byteSize() > 0 ? bias.getAtIndex(F, co) : 0f;
        }
        final int biasOff = cout * kh * span;
        final int wp = fwdWp(g), rowF = wp * cin, sPix = g.sw() * cin;
        final int sh = g.sh(), dh = g.dh(), pt = g.pt(), pl = g.pl(), h = g.h(), w0 = g.w();
        // Few output channels mean little work per input value, so each input row is staged once per image
        // (not once per kernel row): the buffer holds the padded rows of the chunk's part of an image.
        final int effKh = g.effKh();
        pool.parallelFor(g.n() * oh, (lo, hi, t) -> {
            float[] rb = buf(Buf.ROWS, (long) ((oh - 1) * sh + effKh) * rowF);
            int cached = -1, firstOy = 0;
            for (int row = lo; row < hi; row++) {
                int b = row / oh, oy = row - b * oh;
                if (b != cached) {
                    cached = b;
                    firstOy = oy;
                    int lastOy = Math.min(oh - 1, oy + (hi - row) - 1);
                    int nr = (lastOy - oy) * sh + effKh;
                    for (int r = 0; r < nr; r++) copyRow(in, b, oy * sh - pt + r, h, w0, cin, pl, rb, r * rowF, wp);
                }
                int base = (oy - firstOy) * sh * rowF;
                // 4-pixel chunks as in forwardDirect, kept inline: a shared helper would hand back 4 offsets per chunk
                long dRow = (long) row * ow * cout;
                for (int ox0 = 0; ox0 < ow; ox0 += P) {
                    int cnt = Math.min(P, ow - ox0), last = ox0 + cnt - 1;
                    int s0 = ox0 * sPix, s1 = Math.min(ox0 + 1, last) * sPix;
                    int s2 = Math.min(ox0 + 2, last) * sPix, s3 = Math.min(ox0 + 3, last) * sPix;
                    for (int co = 0; co < cout; co++) {
                        dotTile(rb, base + s0, base + s1, base + s2, base + s3, wt, co * kh * span, kh, dh * rowF, span, wt[biasOff + co], out,
                                dRow + (long) ox0 * cout + co, cout, cnt);
                    }
                }
            }
        });
    }

    /** 4 pixels' dot products with one output channel's kernel (kh spans of {@code span} floats). */
    static void dotTile(float[] src, int s0, int s1, int s2, int s3, float[] wt, int wOff, int kh, int rowF, int span,
                        float bias, MemorySegment dst, long d0, long dPix, int cnt) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f;
        int bound = span - span % L;
        for (int i = 0; i < kh; i++) {
            int base = i * rowF, wo = wOff + i * span;
            int c = 0;
            for (; c < bound; c += L) {
                FloatVector wv = FloatVector.fromArray(S, wt, wo + c);
                a0 = FloatVector.fromArray(S, src, s0 + base + c).fma(wv, a0);
                a1 = FloatVector.fromArray(S, src, s1 + base + c).fma(wv, a1);
                a2 = FloatVector.fromArray(S, src, s2 + base + c).fma(wv, a2);
                a3 = FloatVector.fromArray(S, src, s3 + base + c).fma(wv, a3);
            }
            for (; c < span; c++) {
                float wv = wt[wo + c];
                t0 += src[s0 + base + c] * wv;
                t1 += src[s1 + base + c] * wv;
                t2 += src[s2 + base + c] * wv;
                t3 += src[s3 + base + c] * wv;
            }
        }
        // Lanes summed in lane order through a heap array: reduceLanes' order may differ between the interpreter,
        // C1 and C2, and results must not depend on which thread ran which pixel.
        float[] tmp = buf(Buf.TILE, (long) P * B);
        a0.intoArray(tmp, 0);
        a1.intoArray(tmp, L);
        a2.intoArray(tmp, 2 * L);
        a3.intoArray(tmp, 3 * L);
        dst.setAtIndex(F, d0, bias + sumLanes(tmp, 0) + t0);
        if (cnt > 1) dst.setAtIndex(F, d0 + dPix, bias + sumLanes(tmp, L) + t1);
        if (cnt > 2) dst.setAtIndex(F, d0 + 2 * dPix, bias + sumLanes(tmp, 2 * L) + t2);
        if (cnt > 3) dst.setAtIndex(F, d0 + 3 * dPix, bias + sumLanes(tmp, 3 * L) + t3);
    }

    private static float sumLanes(float[] a, int off) {
        float s = 0f;
        for (int i = 0; i < L; i++) s += a[off + i];
        return s;
    }

    /**
     * Copies input row y of sample b ({@code [h,w,c]} images) into dst at dOff as {@code width} pixels starting at
     * image column {@code -left}; pixels outside the image (and the whole row if y is outside) are zero.
     */
    static void copyRow(MemorySegment src, int b, int y, int h, int w, int c, int left, float[] dst, int dOff, int width) {
        if (y < 0 || y >= h) {
            java.util.Arrays.fill(dst, dOff, dOff + width * c, 0f);
            return;
        }
        int colLo = Math.min(left, width), colHi = Math.max(colLo, Math.min(width, left + w));
        if (colLo > 0) java.util.Arrays.fill(dst, dOff, dOff + colLo * c, 0f);
        if (colHi > colLo) {
            long sOff = (((long) b * h + y) * w + (colLo - left)) * c;
            MemorySegment.copy(src, F, sOff * 4, dst, dOff + colLo * c, (colHi - colLo) * c);
        }
        if (colHi < width) java.util.Arrays.fill(dst, dOff + colHi * c, dOff + width * c, 0f);
    }

    /**
     * The micro-kernel: for p < cnt, {@code dst[d0 + p*dPix + (0..valid)] = wk[bOff..] + sum over i < nI, j < nJ,
     * c < cred of src[s_p + i*sStepI + j*sStepJ + c] * wk[wOff + i*wStepI + j*wStepJ + c*B + (0..B)]}, rectified
     * ({@code x > 0 ? x : slope*x}) unless slope is 1. Pixels p >= cnt repeat the last pixel's source offset (reads
     * stay in bounds) and are not stored.
     */
    static void tile(float[] src, int s0, int s1, int s2, int s3, float[] wk, int wOff, int wStepI, int wStepJ,
                     int sStepI, int sStepJ, int nI, int nJ, int cred, int bOff,
                     MemorySegment dst, long d0, long dPix, int cnt, int valid, float slope) {
        FloatVector b0 = FloatVector.fromArray(S, wk, bOff), b1 = FloatVector.fromArray(S, wk, bOff + L);
        FloatVector a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
        for (int i = 0; i < nI; i++) {
            for (int j = 0; j < nJ; j++) {
                int so = i * sStepI + j * sStepJ;
                int wo = wOff + i * wStepI + j * wStepJ;
                int p0 = s0 + so, p1 = s1 + so, p2 = s2 + so, p3 = s3 + so;
                for (int c = 0; c < cred; c++, wo += B) {
                    FloatVector w0 = FloatVector.fromArray(S, wk, wo);
                    FloatVector w1 = FloatVector.fromArray(S, wk, wo + L);
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
            }
        }
        // x > 0 ? x : slope*x (ReLU: +0 for every x <= 0 or NaN), as ActivationKernels.leaky, with no branch: a vector
        // assigned on one path only, or passed to a method C2 does not inline, is boxed (measured: MBs per call).
        // act is all-false when slope is 1 (no activation), zero all-true for ReLU.
        VectorMask<Float> act = S.maskAll(slope != 1f), zero = S.maskAll(slope == 0f);
        a00 = a00.blend(a00.mul(slope).blend(0f, zero), a00.compare(VectorOperators.GT, 0f).not().and(act));
        a01 = a01.blend(a01.mul(slope).blend(0f, zero), a01.compare(VectorOperators.GT, 0f).not().and(act));
        a10 = a10.blend(a10.mul(slope).blend(0f, zero), a10.compare(VectorOperators.GT, 0f).not().and(act));
        a11 = a11.blend(a11.mul(slope).blend(0f, zero), a11.compare(VectorOperators.GT, 0f).not().and(act));
        a20 = a20.blend(a20.mul(slope).blend(0f, zero), a20.compare(VectorOperators.GT, 0f).not().and(act));
        a21 = a21.blend(a21.mul(slope).blend(0f, zero), a21.compare(VectorOperators.GT, 0f).not().and(act));
        a30 = a30.blend(a30.mul(slope).blend(0f, zero), a30.compare(VectorOperators.GT, 0f).not().and(act));
        a31 = a31.blend(a31.mul(slope).blend(0f, zero), a31.compare(VectorOperators.GT, 0f).not().and(act));
        if (valid == B) {
            // Stores written out, not through a helper: this method is near C2's node budget for inlining, and a
            // helper left a call would box the vectors it takes (seen: 300 KB allocated per 28x28x64 layer on AVX-512).
            long o = d0 * 4, step = dPix * 4, half = 4L * L;
            a00.intoMemorySegment(dst, o, LE);
            a01.intoMemorySegment(dst, o + half, LE);
            if (cnt > 1) {
                a10.intoMemorySegment(dst, o + step, LE);
                a11.intoMemorySegment(dst, o + step + half, LE);
            }
            if (cnt > 2) {
                a20.intoMemorySegment(dst, o + 2 * step, LE);
                a21.intoMemorySegment(dst, o + 2 * step + half, LE);
            }
            if (cnt > 3) {
                a30.intoMemorySegment(dst, o + 3 * step, LE);
                a31.intoMemorySegment(dst, o + 3 * step + half, LE);
            }
        } else {
            storePartial(dst, d0, dPix, cnt, valid, a00, a01, a10, a11, a20, a21, a30, a31);
        }
    }

    /**
     * A channel block with fewer than B valid lanes: via a small heap array and a bulk copy of the valid lanes
     * (masked stores to segments are much slower than this on AVX2, and this runs once per tile).
     */
    private static void storePartial(MemorySegment dst, long d0, long dPix, int cnt, int valid, FloatVector a00,
                                     FloatVector a01, FloatVector a10, FloatVector a11, FloatVector a20,
                                     FloatVector a21, FloatVector a30, FloatVector a31) {
        float[] tmp = buf(Buf.TILE, (long) P * B);
        a00.intoArray(tmp, 0);
        a01.intoArray(tmp, L);
        a10.intoArray(tmp, B);
        a11.intoArray(tmp, B + L);
        a20.intoArray(tmp, 2 * B);
        a21.intoArray(tmp, 2 * B + L);
        a30.intoArray(tmp, 3 * B);
        a31.intoArray(tmp, 3 * B + L);
        for (int p = 0; p < cnt; p++) MemorySegment.copy(tmp, p * B, dst, F, (d0 + p * dPix) * 4, valid);
    }

    /**
     * wk[cb][tap][r][B] = m[tap][r][cb*B + b] for a kernel m seen as [tap][rows][lanes] (0 beyond lanes);
     * {@code transposed}: the kernel is stored [tap][lanes][rows].
     */
    static void packLanes(MemorySegment w, boolean transposed, int taps, int rows, int lanes, float[] wk) {
        int nb = blocks(lanes);
        for (int cb = 0; cb < nb; cb++) {
            int l0 = cb * B, valid = Math.min(B, lanes - l0);
            for (int tap = 0; tap < taps; tap++) {
                for (int r = 0; r < rows; r++) {
                    int dOff = ((cb * taps + tap) * rows + r) * B;
                    if (!transposed) {
                        MemorySegment.copy(w, F, (((long) tap * rows + r) * lanes + l0) * 4, wk, dOff, valid);
                    } else {
                        for (int b = 0; b < valid; b++) wk[dOff + b] = w.getAtIndex(F, ((long) tap * lanes + l0 + b) * rows + r);
                    }
                    if (valid < B) java.util.Arrays.fill(wk, dOff + valid, dOff + B, 0f);
                }
            }
        }
    }

    static void packBias(MemorySegment bias, int c, float[] dst, int off, int nb) {
        java.util.Arrays.fill(dst, off, off + nb * B, 0f);
        if (bias.byteSize() > 0) MemorySegment.copy(bias, F, 0, dst, off, c);
    }

    // =====================================================================================================
    // backward data (= transposed convolution)
    // =====================================================================================================

    /**
     * Columns of zero padding the phase decomposition needs before the output gradient along one axis: for input
     * coordinate x, t = x + pad, q = t / s, r = t % s; taps k with k*d % s == r read output column q - (k*d - r)/s.
     */
    static int bwdPadBefore(int in, int pad, int k, int s, int d) {
        int need = 0;
        for (int x = 0; x < in; x++) {
            int t = x + pad, q = t / s, r = t % s;
            for (int i = k - 1; i >= 0; i--) {
                if ((i * d) % s == r) {
                    need = Math.max(need, (i * d - r) / s - q);
                    break;
                }
            }
        }
        return need;
    }

    /** Padded extent (incl. the padding before) of the output gradient along one axis. */
    static int bwdExtent(int in, int out, int pad, int k, int s, int d, int before) {
        int maxQ = out - 1;
        for (int x = 0; x < in; x++) {
            int t = x + pad;
            boolean any = false;
            for (int i = 0; i < k; i++) any |= (i * d) % s == t % s;
            if (any) maxQ = Math.max(maxQ, t / s);
        }
        return before + maxQ + 1;
    }

    /**
     * Direct backward-data, {@code gin = bias + conv^T(gout, w)}; see {@link ConvScalar#backwardData}. Bias (length
     * cin) may be NULL. With {@code kernelOI} the kernel is {@code [kh,kw,cout,cin]}. Then {@code x > 0 ? x : slope*x}
     * as results are stored (1: none). Any geometry.
     */
    static void backwardDataDirect(ThreadPool pool, ConvGeom g, MemorySegment gout, MemorySegment w, boolean kernelOI,
                                   MemorySegment bias, MemorySegment gin, float slope) {
        final int sh = g.sh(), sw = g.sw(), dh = g.dh(), dw = g.dw(), kh = g.kh(), kw = g.kw();
        final int h = g.h(), w0 = g.w(), cin = g.cin(), cout = g.cout(), pt = g.pt(), pl = g.pl(), oh = g.oh(), ow = g.ow();
        final int nb = blocks(cin);
        final long wBlock = (long) g.taps() * cout * B;
        final float[] wk = buf(Buf.KERNEL, nb * wBlock + (long) nb * B);
        packLanes(w, !kernelOI, g.taps(), cout, cin, wk);
        final int biasOff = (int) (nb * wBlock);
        packBias(bias, cin, wk, biasOff, nb);

        final int padL = bwdPadBefore(w0, pl, kw, sw, dw);
        final int wq = bwdExtent(w0, ow, pl, kw, sw, dw, padL);
        final int rowF = wq * cout;
        final int n = g.n();
        // Work items: all input rows in (sample, row) order. Rows of different phases ry = (y + pt) % sh have different
        // numbers of taps (for a 3x3 stride 2 kernel: 2 and 1), so phases alternate within every thread's contiguous
        // range; ordered by phase instead, one thread got all the heavy rows (measured 1.4x instead of 1.9x on 2 threads).
        final int iStep = sh / gcd(sh, dh), aStep = iStep * dh / sh;
        pool.parallelFor(n * h, (lo, hi, t) -> {
            float[] rb = buf(Buf.ROWS, (long) kh * rowF);
            for (int item = lo; item < hi; item++) {
                int b = item / h, y = item - b * h;
                int ry = (y + pt) % sh;
                // taps of this row phase: i = i0, i0 + iStep, ... each reading output row a further aStep up
                int i0 = -1;
                for (int i = 0; i < kh && i0 < 0; i++) if ((i * dh) % sh == ry) i0 = i;
                int nI = i0 < 0 ? 0 : (kh - 1 - i0) / iStep + 1;
                int a0 = i0 < 0 ? 0 : (i0 * dh - ry) / sh;
                int q = (y + pt) / sh - a0;
                for (int k = 0; k < nI; k++) copyRow(gout, b, q - k * aStep, oh, ow, cout, padL, rb, k * rowF, wq);
                long dRow = ((long) b * h + y) * w0 * cin;
                for (int rx = 0; rx < sw; rx++) {
                    int x0 = Math.floorMod(rx - pl, sw);
                    int nx = x0 < w0 ? (w0 - 1 - x0) / sw + 1 : 0;
                    if (nx == 0) continue;
                    int j0 = -1;
                    for (int j = 0; j < kw && j0 < 0; j++) if ((j * dw) % sw == rx) j0 = j;
                    int jStep = sw / gcd(sw, dw);
                    int nJ = j0 < 0 ? 0 : (kw - 1 - j0) / jStep + 1;
                    int b0 = j0 < 0 ? 0 : (j0 * dw - rx) / sw;
                    int sStepJ = -(jStep * dw / sw) * cout;
                    int wOff0 = (Math.max(i0, 0) * kw + Math.max(j0, 0)) * cout * B;
                    int wStepI = iStep * kw * cout * B, wStepJ = jStep * cout * B;
                    int nII = nJ == 0 ? 0 : nI;
                    for (int m0 = 0; m0 < nx; m0 += P) {
                        int cnt = Math.min(P, nx - m0), last = m0 + cnt - 1;
                        int s0 = qx(m0, x0, sw, pl, b0, padL) * cout, s1 = qx(Math.min(m0 + 1, last), x0, sw, pl, b0, padL) * cout;
                        int s2 = qx(Math.min(m0 + 2, last), x0, sw, pl, b0, padL) * cout;
                        int s3 = qx(Math.min(m0 + 3, last), x0, sw, pl, b0, padL) * cout;
                        long d0 = dRow + (long) (x0 + m0 * sw) * cin;
                        for (int cb = 0; cb < nb; cb++) {
                            int c0 = cb * B;
                            tile(rb, s0, s1, s2, s3, wk, (int) (cb * wBlock) + wOff0, wStepI, wStepJ, rowF, sStepJ,
                                    nII, nJ, cout, biasOff + c0, gin, d0 + c0, (long) sw * cin, cnt, Math.min(B, cin - c0), slope);
                        }
                    }
                }
            }
        });
    }

    /** Padded output-gradient column read by the first tap of input pixel x0 + m*sw. */
    private static int qx(int m, int x0, int sw, int pl, int b0, int padL) {
        return (x0 + m * sw + pl) / sw - b0 + padL;
    }

    static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    // =====================================================================================================
    // weight gradient
    // =====================================================================================================

    /** Floats of per-thread partial sums the weight-gradient kernels need in scratch. */
    static long weightGradScratch(ConvGeom g, int threads) {
        long big = (long) g.taps() * g.cin() * blocks(g.cout()) * B;
        long small = (long) g.cout() * g.taps() * blocks(g.cin()) * B;
        return threads * Math.max(big, small);
    }

    /**
     * Weight gradient with lanes over output channels: writes {@code dw[i,j,ci,co] = sum over pixels of in * gout} (see
     * {@link ConvScalar#weightGrad}); with {@code kernelOI} writes it laid out {@code [kh,kw,cout,cin]}.
     * {@code scratch} holds {@link #weightGradScratch} floats. Any geometry.
     */
    static void weightGradDirect(ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment gout, MemorySegment dw,
                                 boolean kernelOI, MemorySegment scratch) {
        final int cin = g.cin(), cout = g.cout(), ow = g.ow(), oh = g.oh(), kh = g.kh(), kw = g.kw();
        final int sh = g.sh(), dh = g.dh(), pt = g.pt(), pl = g.pl(), h = g.h(), w0 = g.w();
        final int rows = g.n() * oh;
        final int wp = fwdWp(g), winF = kh * wp * cin, sPix = g.sw() * cin;
        final int jTotal = g.taps() * cin, nJB = (jTotal + P - 1) / P, nb = blocks(cout), coutP = nb * B;
        final long part = (long) jTotal * coutP;
        // Rows per group: about 64 pixels between accumulator flushes.
        final int group = Math.max(1, 64 / ow);
        final int parts = Math.min(pool.threads(), rows);
        pool.parallelFor(rows, (lo, hi, t) -> {
            float[] xb = buf(Buf.ROWS, (long) group * winF), gb = buf(Buf.GRAD_ROWS, (long) group * ow * coutP);
            float[] acc = buf(Buf.PARTIALS, (long) nJB * P * coutP);
            java.util.Arrays.fill(acc, 0, nJB * P * coutP, 0f);
            for (int r0 = lo; r0 < hi; r0 += group) {
                int r1 = Math.min(hi, r0 + group);
                for (int r = r0; r < r1; r++) {
                    int b = r / oh, oy = r - b * oh, k = r - r0;
                    for (int i = 0; i < kh; i++) {
                        copyRow(in, b, oy * sh - pt + i * dh, h, w0, cin, pl, xb, k * winF + i * wp * cin, wp);
                    }
                    int gOff = k * ow * coutP;
                    if (coutP == cout) {
                        MemorySegment.copy(gout, F, (long) r * ow * cout * 4, gb, gOff, ow * cout);
                    } else {
                        for (int ox = 0; ox < ow; ox++) {
                            MemorySegment.copy(gout, F, ((long) r * ow + ox) * cout * 4, gb, gOff + ox * coutP, cout);
                            java.util.Arrays.fill(gb, gOff + ox * coutP + cout, gOff + (ox + 1) * coutP, 0f);
                        }
                    }
                }
                int nRows = r1 - r0;
                for (int jb = 0; jb < nJB; jb++) {
                    int j0 = jb * P, cntJ = Math.min(P, jTotal - j0);
                    int o0 = jOff(j0, 0, cntJ, cin, kw, wp, g.dw()), o1 = jOff(j0, 1, cntJ, cin, kw, wp, g.dw());
                    int o2 = jOff(j0, 2, cntJ, cin, kw, wp, g.dw()), o3 = jOff(j0, 3, cntJ, cin, kw, wp, g.dw());
                    for (int cb = 0; cb < nb; cb++) {
                        wgTile(xb, o0, o1, o2, o3, gb, cb * B, nRows, ow, winF, sPix, coutP, acc, j0 * coutP + cb * B);
                    }
                }
            }
            // partial sums of this thread -> scratch slot t
            MemorySegment.copy(acc, 0, scratch, F, t * part * 4, (int) part);
        });
        // reduce in thread order
        final int fparts = parts;
        pool.parallelFor(jTotal, (lo, hi, t) -> {
            for (int j = lo; j < hi; j++) {
                int tap = j / cin, ci = j - tap * cin;
                for (int co = 0; co < cout; co++) {
                    float s = 0f;
                    for (int p = 0; p < fparts; p++) s += scratch.getAtIndex(F, p * part + (long) j * coutP + co);
                    long o = kernelOI ? ((long) tap * cout + co) * cin + ci : (long) j * cout + co;
                    dw.setAtIndex(F, o, s);
                }
            }
        });
    }

    /**
     * Weight gradient for very few output channels: lanes over input channels instead (a co block would be
     * mostly padding). A tile is 4 taps x 2 ci-vectors for one co; per pixel it broadcasts gout[pixel][co] and
     * loads the 4 taps' input vectors. Accumulators are {@code [co][tap][ciP]}, transposed in the reduction.
     */
    static void weightGradSmallCout(ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment gout, MemorySegment dw,
                                    boolean kernelOI, MemorySegment scratch) {
        final int cin = g.cin(), cout = g.cout(), ow = g.ow(), oh = g.oh(), kh = g.kh(), kw = g.kw(), taps = g.taps();
        final int sh = g.sh(), dh = g.dh(), pt = g.pt(), pl = g.pl(), h = g.h(), w0 = g.w(), dwl = g.dw();
        final int rows = g.n() * oh;
        final int wp = fwdWp(g), winF = kh * wp * cin, sPix = g.sw() * cin;
        final int nbi = blocks(cin), ciP = nbi * B;
        final long part = (long) cout * taps * ciP;
        final int group = Math.max(1, 64 / ow);
        final int parts = Math.min(pool.threads(), rows);
        pool.parallelFor(rows, (lo, hi, t) -> {
            // + B: the last ci block of the last pixel may read past the window (lanes >= cin are dropped)
            float[] xb = buf(Buf.ROWS, (long) group * winF + B), gb = buf(Buf.GRAD_ROWS, (long) group * ow * cout);
            float[] acc = buf(Buf.PARTIALS, part);
            java.util.Arrays.fill(acc, 0, (int) part, 0f);
            for (int r0 = lo; r0 < hi; r0 += group) {
                int r1 = Math.min(hi, r0 + group);
                for (int r = r0; r < r1; r++) {
                    int b = r / oh, oy = r - b * oh, k = r - r0;
                    for (int i = 0; i < kh; i++) {
                        copyRow(in, b, oy * sh - pt + i * dh, h, w0, cin, pl, xb, k * winF + i * wp * cin, wp);
                    }
                    MemorySegment.copy(gout, F, (long) r * ow * cout * 4, gb, k * ow * cout, ow * cout);
                }
                int nRows = r1 - r0;
                for (int co = 0; co < cout; co++) {
                    for (int t0 = 0; t0 < taps; t0 += P) {
                        int cntT = Math.min(P, taps - t0);
                        int o0 = tapOff(t0, kw, wp, dwl, cin), o1 = tapOff(t0 + Math.min(1, cntT - 1), kw, wp, dwl, cin);
                        int o2 = tapOff(t0 + Math.min(2, cntT - 1), kw, wp, dwl, cin);
                        int o3 = tapOff(t0 + Math.min(3, cntT - 1), kw, wp, dwl, cin);
                        for (int cb = 0; cb < nbi; cb++) {
                            int c0 = cb * B;
                            wgTileT(xb, o0 + c0, o1 + c0, o2 + c0, o3 + c0, gb, co, nRows, ow, winF, sPix, cout, acc,
                                    (co * taps + t0) * ciP + c0, ciP, cntT);
                        }
                    }
                }
            }
            MemorySegment.copy(acc, 0, scratch, F, t * part * 4, (int) part);
        });
        final int fparts = parts;
        pool.parallelFor(taps * cin, (lo, hi, t) -> {
            for (int j = lo; j < hi; j++) {
                int tap = j / cin, ci = j - tap * cin;
                for (int co = 0; co < cout; co++) {
                    float s = 0f;
                    for (int p = 0; p < fparts; p++) s += scratch.getAtIndex(F, p * part + ((long) co * taps + tap) * ciP + ci);
                    long o = kernelOI ? ((long) tap * cout + co) * cin + ci : (long) j * cout + co;
                    dw.setAtIndex(F, o, s);
                }
            }
        });
    }

    private static int tapOff(int tap, int kw, int wp, int dw, int cin) {
        int i = tap / kw, j = tap - i * kw;
        return (i * wp + j * dw) * cin;
    }

    /** acc rows (taps) aOff + r*ciP, r < cntT, 2 ci-vectors: += sum over the group's pixels of x[pixel + o_r] * g[pixel][co]. */
    static void wgTileT(float[] xb, int o0, int o1, int o2, int o3, float[] gb, int co, int nRows, int ow, int winF,
                        int sPix, int cout, float[] acc, int aOff, int ciP, int cntT) {
        int r1 = Math.min(1, cntT - 1) * ciP, r2 = Math.min(2, cntT - 1) * ciP, r3 = Math.min(3, cntT - 1) * ciP;
        FloatVector a00 = FloatVector.fromArray(S, acc, aOff), a01 = FloatVector.fromArray(S, acc, aOff + L);
        FloatVector a10 = FloatVector.fromArray(S, acc, aOff + r1), a11 = FloatVector.fromArray(S, acc, aOff + r1 + L);
        FloatVector a20 = FloatVector.fromArray(S, acc, aOff + r2), a21 = FloatVector.fromArray(S, acc, aOff + r2 + L);
        FloatVector a30 = FloatVector.fromArray(S, acc, aOff + r3), a31 = FloatVector.fromArray(S, acc, aOff + r3 + L);
        for (int k = 0; k < nRows; k++) {
            int sp = k * winF, gp = k * ow * cout + co;
            for (int ox = 0; ox < ow; ox++, sp += sPix, gp += cout) {
                FloatVector gv = FloatVector.broadcast(S, gb[gp]);
                a00 = FloatVector.fromArray(S, xb, sp + o0).fma(gv, a00);
                a01 = FloatVector.fromArray(S, xb, sp + o0 + L).fma(gv, a01);
                a10 = FloatVector.fromArray(S, xb, sp + o1).fma(gv, a10);
                a11 = FloatVector.fromArray(S, xb, sp + o1 + L).fma(gv, a11);
                a20 = FloatVector.fromArray(S, xb, sp + o2).fma(gv, a20);
                a21 = FloatVector.fromArray(S, xb, sp + o2 + L).fma(gv, a21);
                a30 = FloatVector.fromArray(S, xb, sp + o3).fma(gv, a30);
                a31 = FloatVector.fromArray(S, xb, sp + o3 + L).fma(gv, a31);
            }
        }
        a00.intoArray(acc, aOff);
        a01.intoArray(acc, aOff + L);
        if (cntT > 1) { a10.intoArray(acc, aOff + r1); a11.intoArray(acc, aOff + r1 + L); }
        if (cntT > 2) { a20.intoArray(acc, aOff + r2); a21.intoArray(acc, aOff + r2 + L); }
        if (cntT > 3) { a30.intoArray(acc, aOff + r3); a31.intoArray(acc, aOff + r3 + L); }
    }

    /** Offset within an output pixel's input window (kh rows of wp pixels) of reduction row j = tap*cin + ci. */
    private static int jOff(int j0, int r, int cntJ, int cin, int kw, int wp, int dw) {
        int j = j0 + Math.min(r, cntJ - 1);
        int tap = j / cin, ci = j - tap * cin;
        int i = tap / kw, jj = tap - i * kw;
        return (i * wp + jj * dw) * cin + ci;
    }

    // Kept apart from wgTileT, ConvWinograd.gemmTile8 and Gemm.kernel for C2 (vectors in locals): broadcasts x, loads g.
    /**
     * acc rows aOff, aOff+coutP, ... (4 reduction rows j, channels co0..co0+B) += sum over the group's pixels of
     * window[pixel + o_r] * g[pixel][co0..]. Rows of j beyond the tile repeat the last one and are ignored later
     * (their accumulator rows belong to no j < jTotal).
     */
    static void wgTile(float[] xb, int o0, int o1, int o2, int o3, float[] gb, int co0, int nRows, int ow, int winF,
                       int sPix, int coutP, float[] acc, int aOff) {
        FloatVector a00 = FloatVector.fromArray(S, acc, aOff), a01 = FloatVector.fromArray(S, acc, aOff + L);
        FloatVector a10 = FloatVector.fromArray(S, acc, aOff + coutP), a11 = FloatVector.fromArray(S, acc, aOff + coutP + L);
        FloatVector a20 = FloatVector.fromArray(S, acc, aOff + 2 * coutP), a21 = FloatVector.fromArray(S, acc, aOff + 2 * coutP + L);
        FloatVector a30 = FloatVector.fromArray(S, acc, aOff + 3 * coutP), a31 = FloatVector.fromArray(S, acc, aOff + 3 * coutP + L);
        for (int k = 0; k < nRows; k++) {
            int sp = k * winF, gp = k * ow * coutP + co0;
            for (int ox = 0; ox < ow; ox++, sp += sPix, gp += coutP) {
                FloatVector g0 = FloatVector.fromArray(S, gb, gp), g1 = FloatVector.fromArray(S, gb, gp + L);
                FloatVector x = FloatVector.broadcast(S, xb[sp + o0]);
                a00 = x.fma(g0, a00);
                a01 = x.fma(g1, a01);
                x = FloatVector.broadcast(S, xb[sp + o1]);
                a10 = x.fma(g0, a10);
                a11 = x.fma(g1, a11);
                x = FloatVector.broadcast(S, xb[sp + o2]);
                a20 = x.fma(g0, a20);
                a21 = x.fma(g1, a21);
                x = FloatVector.broadcast(S, xb[sp + o3]);
                a30 = x.fma(g0, a30);
                a31 = x.fma(g1, a31);
            }
        }
        a00.intoArray(acc, aOff);
        a01.intoArray(acc, aOff + L);
        a10.intoArray(acc, aOff + coutP);
        a11.intoArray(acc, aOff + coutP + L);
        a20.intoArray(acc, aOff + 2 * coutP);
        a21.intoArray(acc, aOff + 2 * coutP + L);
        a30.intoArray(acc, aOff + 3 * coutP);
        a31.intoArray(acc, aOff + 3 * coutP + L);
    }

    /** Writes {@code db[c] = sum over pixels of g[p, c]}, g {@code [pixels, c]}; threads split channels. */
    static void biasGrad(ThreadPool pool, MemorySegment g, long pixels, int c, MemorySegment db) {
        int nv = (c + L - 1) / L;
        pool.parallelFor(nv, (lo, hi, t) -> {
            for (int v = lo; v < hi; v++) {
                int c0 = v * L;
                if (c0 + L <= c) {
                    FloatVector acc = FloatVector.zero(S);
                    for (long p = 0; p < pixels; p++) {
                        acc = acc.add(FloatVector.fromMemorySegment(S, g, (p * c + c0) * 4, LE));
                    }
                    acc.intoMemorySegment(db, c0 * 4L, LE);
                } else {
                    for (int k = c0; k < c; k++) {
                        float acc = 0f;
                        for (long p = 0; p < pixels; p++) acc += g.getAtIndex(F, p * c + k);
                        db.setAtIndex(F, k, acc);
                    }
                }
            }
        });
    }

    /** dst[tap][b][a] = src[tap][a][b] (kernel layout change between [kh,kw,ci,co] and [kh,kw,co,ci]). */
    public static void transposeTaps(MemorySegment src, int taps, int a, int b, MemorySegment dst) {
        for (int tap = 0; tap < taps; tap++) {
            long base = (long) tap * a * b;
            for (int i = 0; i < a; i++) {
                for (int j = 0; j < b; j++) {
                    dst.setAtIndex(F, base + (long) j * a + i, src.getAtIndex(F, base + (long) i * b + j));
                }
            }
        }
    }
}
