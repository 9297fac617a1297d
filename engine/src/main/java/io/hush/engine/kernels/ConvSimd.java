package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Fast convolution kernels (Vector API), same contracts as {@link ConvScalar}.
 *
 * <p>Direct convolution with a register-blocked micro-kernel ({@link #tile}): {@value #P} output pixels times
 * two vectors of output channels ({@code B = 2 * lanes}) are kept in 12 accumulators while the loop runs over
 * (kernel row, kernel column, input channel); each step loads two weight vectors and broadcasts one input value
 * per pixel, so 12 FMAs cost 8 loads and the 12 independent chains cover the FMA latency of both ports.
 * The pixels of a tile are any six output pixels sharing a tap pattern (they may span rows), so narrow images
 * and row tails do not fall back to a slow path. Weights are packed once per call into
 * {@code [coBlock][kh][kw][ci][B]} (zero-padded channels, so the hot loop never masks) and borders are handled by
 * a zero-padded copy of the input in scratch, so the hot loop has no bounds logic.
 *
 * <p>Backward-data (= transposed convolution) is the same micro-kernel run per stride phase: output pixels whose
 * coordinates have the same residue mod the stride see the same subset of taps, read consecutive pixels of the
 * (zero-padded) output gradient and use the kernel packed transposed, {@code [ciBlock][kh][kw][co][B]}.
 *
 * <p>Weight gradient: a reduction over pixels; a tile keeps 6 consecutive (tap, ci) rows times two co vectors
 * and accumulates {@code in * gout} over a group of rows before adding to {@code dw}. Threads split the
 * <em>output</em> ({@code dw} tiles), so every element is summed by one thread in a fixed pixel order: results
 * are bit-identical for any thread count and no partial-sum buffers are needed.
 *
 * <p>Threading: forward splits batch x output rows, backward-data batch x input rows (per phase), so batch 1
 * keeps every thread busy. Each output element is computed by exactly one thread with a fixed operation order,
 * so all results are identical for any thread count.
 */
public final class ConvSimd {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Output-channel block of the micro-kernel: two vectors. */
    public static final int B = 2 * L;
    /** Pixels per micro-kernel tile. */
    static final int P = 6;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ConvSimd() {}

    static long align(long floats) { return (floats + 15) & ~15L; }

    static int blocks(int c) { return (c + B - 1) / B; }

    // =====================================================================================================
    // forward
    // =====================================================================================================

    /** Padded-input rows/cols the forward pass reads. */
    static int fwdHp(ConvGeom g) { return (g.oh() - 1) * g.sh() + g.effKh(); }

    static int fwdWp(ConvGeom g) { return (g.ow() - 1) * g.sw() + g.effKw(); }

    /** Whether forward can read the input in place (no padding needed). */
    static boolean fwdDirect(ConvGeom g) {
        return g.pt() == 0 && g.pl() == 0 && fwdHp(g) <= g.h() && fwdWp(g) <= g.w();
    }

    static long fwdPadFloats(ConvGeom g) {
        return fwdDirect(g) ? 0 : align((long) g.n() * fwdHp(g) * fwdWp(g) * g.cin());
    }

    /** Scratch floats {@link #forward} needs. */
    public static long forwardScratch(ConvGeom g) {
        int nb = blocks(g.cout());
        return fwdPadFloats(g) + align((long) nb * g.taps() * g.cin() * B) + align((long) nb * B);
    }

    /**
     * {@code out = conv(in, w) + bias} (bias may be {@link MemorySegment#NULL}); see {@link ConvScalar#forward}.
     */
    public static void forward(ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment w, MemorySegment bias,
                               MemorySegment out, MemorySegment scratch) {
        forward(pool, g, in, w, false, bias, out, scratch);
    }

    /**
     * As {@link #forward(ThreadPool, ConvGeom, MemorySegment, MemorySegment, MemorySegment, MemorySegment, MemorySegment)};
     * with {@code kernelOI} the kernel is laid out {@code [kh,kw,cout,cin]} instead of {@code [kh,kw,cin,cout]}.
     */
    public static void forward(ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment w, boolean kernelOI,
                               MemorySegment bias, MemorySegment out, MemorySegment scratch) {
        int hp = fwdHp(g), wp = fwdWp(g);
        boolean direct = fwdDirect(g);
        long padF = fwdPadFloats(g);
        MemorySegment src = in;
        int srcH = g.h(), srcW = g.w();
        if (!direct) {
            src = scratch.asSlice(0, padF * 4);
            padCopy(pool, in, g.n(), g.h(), g.w(), g.cin(), src, hp, wp, g.pt(), g.pl());
            srcH = hp;
            srcW = wp;
        }
        int nb = blocks(g.cout());
        long packF = align((long) nb * g.taps() * g.cin() * B);
        MemorySegment wk = scratch.asSlice(padF * 4, packF * 4);
        MemorySegment bk = scratch.asSlice((padF + packF) * 4, (long) nb * B * 4);
        packForward(pool, w, kernelOI, g.taps(), g.cin(), g.cout(), wk);
        packBias(bias, g.cout(), bk, nb);

        final MemorySegment fsrc = src;
        final long srcImg = (long) srcH * srcW * g.cin(), srcRow = (long) g.sh() * srcW * g.cin();
        final long srcPix = (long) g.sw() * g.cin();
        final long sStepI = (long) g.dh() * srcW * g.cin(), sStepJ = (long) g.dw() * g.cin();
        final int cin = g.cin(), cout = g.cout(), ow = g.ow(), oh = g.oh();
        final long wStepJ = (long) cin * B, wStepI = (long) g.kw() * cin * B, wBlock = (long) g.taps() * cin * B;
        pool.parallelFor(g.n() * g.oh(), (lo, hi, t) -> {
            long end = (long) hi * ow;
            for (long k0 = (long) lo * ow; k0 < end; k0 += P) {
                int cnt = (int) Math.min(P, end - k0);
                long s0 = fsrcOff(k0, 0, cnt, ow, oh, srcImg, srcRow, srcPix), s1 = fsrcOff(k0, 1, cnt, ow, oh, srcImg, srcRow, srcPix);
                long s2 = fsrcOff(k0, 2, cnt, ow, oh, srcImg, srcRow, srcPix), s3 = fsrcOff(k0, 3, cnt, ow, oh, srcImg, srcRow, srcPix);
                long s4 = fsrcOff(k0, 4, cnt, ow, oh, srcImg, srcRow, srcPix), s5 = fsrcOff(k0, 5, cnt, ow, oh, srcImg, srcRow, srcPix);
                long d0 = Math.min(k0, end - 1) * cout;
                for (int cb = 0; cb < nb; cb++) {
                    int co0 = cb * B;
                    tile(fsrc, s0, s1, s2, s3, s4, s5, wk, cb * wBlock, wStepI, wStepJ, sStepI, sStepJ,
                            g.kh(), g.kw(), cin, bk, co0, out, d0 + co0, cout, cnt, Math.min(B, cout - co0));
                }
            }
        });
    }

    /** Source offset of pixel p of the tile starting at output pixel k0 (clamped to the tile's last pixel). */
    private static long fsrcOff(long k0, int p, int cnt, int ow, int oh, long srcImg, long srcRow, long srcPix) {
        long k = k0 + Math.min(p, cnt - 1);
        long row = k / ow;
        int ox = (int) (k - row * ow);
        long n = row / oh;
        int oy = (int) (row - n * oh);
        return n * srcImg + oy * srcRow + ox * srcPix;
    }

    /**
     * The micro-kernel. dst[d0 + p*dPix + (0..valid)] = bias + sum over taps (i<nI, j<nJ) and c<cred of
     * src[s_p + i*sStepI + j*sStepJ + c] * wk[wOff + i*wStepI + j*wStepJ + c*B + (0..B)], for p < cnt.
     * Pixels p >= cnt repeat the last pixel's source (so reads stay in bounds) and are not stored.
     */
    static void tile(MemorySegment src, long s0, long s1, long s2, long s3, long s4, long s5,
                     MemorySegment wk, long wOff, long wStepI, long wStepJ, long sStepI, long sStepJ,
                     int nI, int nJ, int cred, MemorySegment bk, long bOff,
                     MemorySegment dst, long d0, long dPix, int cnt, int valid) {
        FloatVector b0 = FloatVector.fromMemorySegment(S, bk, bOff * 4, LE);
        FloatVector b1 = FloatVector.fromMemorySegment(S, bk, (bOff + L) * 4, LE);
        FloatVector a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1;
        FloatVector a30 = b0, a31 = b1, a40 = b0, a41 = b1, a50 = b0, a51 = b1;
        for (int i = 0; i < nI; i++) {
            for (int j = 0; j < nJ; j++) {
                long so = i * sStepI + j * sStepJ;
                long wo = (wOff + i * wStepI + j * wStepJ) * 4;
                long p0 = (s0 + so) * 4, p1 = (s1 + so) * 4, p2 = (s2 + so) * 4;
                long p3 = (s3 + so) * 4, p4 = (s4 + so) * 4, p5 = (s5 + so) * 4;
                for (int c = 0; c < cred; c++) {
                    long cb = (long) c * 4;
                    FloatVector w0 = FloatVector.fromMemorySegment(S, wk, wo, LE);
                    FloatVector w1 = FloatVector.fromMemorySegment(S, wk, wo + L * 4, LE);
                    wo += B * 4;
                    FloatVector x = FloatVector.broadcast(S, src.get(F, p0 + cb));
                    a00 = x.fma(w0, a00);
                    a01 = x.fma(w1, a01);
                    x = FloatVector.broadcast(S, src.get(F, p1 + cb));
                    a10 = x.fma(w0, a10);
                    a11 = x.fma(w1, a11);
                    x = FloatVector.broadcast(S, src.get(F, p2 + cb));
                    a20 = x.fma(w0, a20);
                    a21 = x.fma(w1, a21);
                    x = FloatVector.broadcast(S, src.get(F, p3 + cb));
                    a30 = x.fma(w0, a30);
                    a31 = x.fma(w1, a31);
                    x = FloatVector.broadcast(S, src.get(F, p4 + cb));
                    a40 = x.fma(w0, a40);
                    a41 = x.fma(w1, a41);
                    x = FloatVector.broadcast(S, src.get(F, p5 + cb));
                    a50 = x.fma(w0, a50);
                    a51 = x.fma(w1, a51);
                }
            }
        }
        if (valid == B) {
            store2(dst, d0, a00, a01);
            if (cnt > 1) store2(dst, d0 + dPix, a10, a11);
            if (cnt > 2) store2(dst, d0 + 2 * dPix, a20, a21);
            if (cnt > 3) store2(dst, d0 + 3 * dPix, a30, a31);
            if (cnt > 4) store2(dst, d0 + 4 * dPix, a40, a41);
            if (cnt > 5) store2(dst, d0 + 5 * dPix, a50, a51);
        } else {
            VectorMask<Float> m0 = S.indexInRange(0, valid), m1 = S.indexInRange(L, valid);
            store2m(dst, d0, a00, a01, m0, m1);
            if (cnt > 1) store2m(dst, d0 + dPix, a10, a11, m0, m1);
            if (cnt > 2) store2m(dst, d0 + 2 * dPix, a20, a21, m0, m1);
            if (cnt > 3) store2m(dst, d0 + 3 * dPix, a30, a31, m0, m1);
            if (cnt > 4) store2m(dst, d0 + 4 * dPix, a40, a41, m0, m1);
            if (cnt > 5) store2m(dst, d0 + 5 * dPix, a50, a51, m0, m1);
        }
    }

    private static void store2(MemorySegment dst, long off, FloatVector v0, FloatVector v1) {
        v0.intoMemorySegment(dst, off * 4, LE);
        v1.intoMemorySegment(dst, (off + L) * 4, LE);
    }

    private static void store2m(MemorySegment dst, long off, FloatVector v0, FloatVector v1,
                                VectorMask<Float> m0, VectorMask<Float> m1) {
        v0.intoMemorySegment(dst, off * 4, LE, m0);
        if (m1.anyTrue()) v1.intoMemorySegment(dst, (off + L) * 4, LE, m1);
    }

    /**
     * wk[cb][tap][ci][B] = w[tap][ci][cb*B + b] (0 beyond cout); {@code kernelOI}: w is [tap][co][ci].
     */
    static void packForward(ThreadPool pool, MemorySegment w, boolean kernelOI, int taps, int cin, int cout, MemorySegment wk) {
        packLanes(pool, w, kernelOI, taps, cin, cout, wk);
    }

    /**
     * wk[cb][tap][co][B] = w[tap][cb*B + b][co] (0 beyond cin): the kernel seen from the input side;
     * {@code kernelOI}: w is [tap][co][ci].
     */
    static void packBackward(ThreadPool pool, MemorySegment w, boolean kernelOI, int taps, int cin, int cout, MemorySegment wk) {
        packLanes(pool, w, !kernelOI, taps, cout, cin, wk);
    }

    /**
     * wk[cb][tap][r][B] = m[tap][r][cb*B + b] for a kernel m seen as [tap][rows][lanes] (0 beyond lanes);
     * {@code transposed}: the kernel is stored [tap][lanes][rows].
     */
    private static void packLanes(ThreadPool pool, MemorySegment w, boolean transposed, int taps, int rows, int lanes,
                                  MemorySegment wk) {
        int nb = blocks(lanes);
        pool.parallelFor(nb * taps, (lo, hi, t) -> {
            for (int item = lo; item < hi; item++) {
                int cb = item / taps, tap = item - cb * taps;
                int l0 = cb * B, valid = Math.min(B, lanes - l0);
                for (int r = 0; r < rows; r++) {
                    long dOff = (((long) cb * taps + tap) * rows + r) * B;
                    if (!transposed) {
                        MemorySegment.copy(w, (((long) tap * rows + r) * lanes + l0) * 4, wk, dOff * 4, valid * 4L);
                    } else {
                        for (int b = 0; b < valid; b++) {
                            wk.setAtIndex(F, dOff + b, w.getAtIndex(F, ((long) tap * lanes + l0 + b) * rows + r));
                        }
                    }
                    if (valid < B) wk.asSlice((dOff + valid) * 4, (B - valid) * 4L).fill((byte) 0);
                }
            }
        });
    }

    /** dst[tap][b][a] = src[tap][a][b] (kernel layout change between [kh,kw,ci,co] and [kh,kw,co,ci]). */
    public static void transposeTaps(ThreadPool pool, MemorySegment src, int taps, int a, int b, MemorySegment dst) {
        pool.parallelFor(taps, (lo, hi, t) -> {
            for (int tap = lo; tap < hi; tap++) {
                long base = (long) tap * a * b;
                for (int i = 0; i < a; i++) {
                    for (int j = 0; j < b; j++) {
                        dst.setAtIndex(F, base + (long) j * a + i, src.getAtIndex(F, base + (long) i * b + j));
                    }
                }
            }
        });
    }

    static void packBias(MemorySegment bias, int c, MemorySegment bk, int nb) {
        bk.asSlice(0, (long) nb * B * 4).fill((byte) 0);
        if (bias.byteSize() > 0) MemorySegment.copy(bias, 0, bk, 0, c * 4L);
    }

    /**
     * dst[n][r][q][c] = src[n][r-top][q-left][c] inside the image, 0 outside, for dst {@code [n,hp,wp,c]}
     * (hp/wp may crop the image at the bottom/right).
     */
    static void padCopy(ThreadPool pool, MemorySegment src, int n, int h, int w, int c,
                        MemorySegment dst, int hp, int wp, int top, int left) {
        int colLo = Math.min(left, wp), colHi = Math.min(wp, left + w);
        pool.parallelFor(n * hp, (lo, hi, t) -> {
            for (int row = lo; row < hi; row++) {
                int b = row / hp, r = row - b * hp;
                long dRow = (long) row * wp * c;
                int y = r - top;
                if (y < 0 || y >= h || colHi <= colLo) {
                    dst.asSlice(dRow * 4, (long) wp * c * 4).fill((byte) 0);
                    continue;
                }
                if (colLo > 0) dst.asSlice(dRow * 4, (long) colLo * c * 4).fill((byte) 0);
                long sOff = (((long) b * h + y) * w + (colLo - left)) * c;
                MemorySegment.copy(src, sOff * 4, dst, (dRow + (long) colLo * c) * 4, (long) (colHi - colLo) * c * 4);
                if (colHi < wp) dst.asSlice((dRow + (long) colHi * c) * 4, (long) (wp - colHi) * c * 4).fill((byte) 0);
            }
        });
    }

    // =====================================================================================================
    // backward data (= transposed convolution)
    // =====================================================================================================

    /**
     * Rows of zero padding the phase decomposition needs before the output gradient along one axis: for input
     * coordinate y, t = y + pad, q = t / s, r = t % s; taps k with k*d % s == r read output row q - (k*d - r)/s.
     */
    static int bwdPadBefore(int in, int pad, int k, int s, int d) {
        int need = 0;
        for (int y = 0; y < in; y++) {
            int t = y + pad, q = t / s, r = t % s;
            for (int i = k - 1; i >= 0; i--) {
                if ((i * d) % s == r) {
                    need = Math.max(need, (i * d - r) / s - q);
                    break;
                }
            }
        }
        return need;
    }

    /** Padded extent (rows incl. the padding before) of the output gradient along one axis. */
    static int bwdExtent(int in, int out, int pad, int k, int s, int d, int before) {
        int maxQ = out - 1;
        for (int y = 0; y < in; y++) {
            int t = y + pad;
            boolean any = false;
            for (int i = 0; i < k; i++) any |= (i * d) % s == t % s;
            if (any) maxQ = Math.max(maxQ, t / s);
        }
        return before + maxQ + 1;
    }

    static boolean bwdDirect(ConvGeom g, int pT, int pL, int hp, int wp) {
        return pT == 0 && pL == 0 && hp <= g.oh() && wp <= g.ow();
    }

    /** Scratch floats {@link #backwardData} needs. */
    public static long backwardDataScratch(ConvGeom g) {
        int pT = bwdPadBefore(g.h(), g.pt(), g.kh(), g.sh(), g.dh());
        int pL = bwdPadBefore(g.w(), g.pl(), g.kw(), g.sw(), g.dw());
        int hp = bwdExtent(g.h(), g.oh(), g.pt(), g.kh(), g.sh(), g.dh(), pT);
        int wp = bwdExtent(g.w(), g.ow(), g.pl(), g.kw(), g.sw(), g.dw(), pL);
        long pad = bwdDirect(g, pT, pL, hp, wp) ? 0 : align((long) g.n() * hp * wp * g.cout());
        int nb = blocks(g.cin());
        return pad + align((long) nb * g.taps() * g.cout() * B) + align((long) nb * B);
    }

    /** Writes {@code gin = bias + conv^T(gout, w)}; see {@link ConvScalar#backwardData}. Bias may be NULL. */
    public static void backwardData(ThreadPool pool, ConvGeom g, MemorySegment gout, MemorySegment w, MemorySegment bias,
                                    MemorySegment gin, MemorySegment scratch) {
        backwardData(pool, g, gout, w, false, bias, gin, scratch);
    }

    /** As the overload without {@code kernelOI}; with it the kernel is {@code [kh,kw,cout,cin]}. */
    public static void backwardData(ThreadPool pool, ConvGeom g, MemorySegment gout, MemorySegment w, boolean kernelOI,
                                    MemorySegment bias, MemorySegment gin, MemorySegment scratch) {
        final int sh = g.sh(), sw = g.sw(), dh = g.dh(), dw = g.dw(), kh = g.kh(), kw = g.kw();
        final int h = g.h(), w0 = g.w(), cin = g.cin(), cout = g.cout(), pt = g.pt(), pl = g.pl();
        final int pT = bwdPadBefore(h, pt, kh, sh, dh), pL = bwdPadBefore(w0, pl, kw, sw, dw);
        int hp = bwdExtent(h, g.oh(), pt, kh, sh, dh, pT), wp = bwdExtent(w0, g.ow(), pl, kw, sw, dw, pL);
        long padF = 0;
        MemorySegment src = gout;
        if (bwdDirect(g, pT, pL, hp, wp)) {
            hp = g.oh();
            wp = g.ow();
        } else {
            padF = align((long) g.n() * hp * wp * cout);
            src = scratch.asSlice(0, padF * 4);
            padCopy(pool, gout, g.n(), g.oh(), g.ow(), cout, src, hp, wp, pT, pL);
        }
        int nb = blocks(cin);
        long packF = align((long) nb * g.taps() * cout * B);
        MemorySegment wk = scratch.asSlice(padF * 4, packF * 4);
        MemorySegment bk = scratch.asSlice((padF + packF) * 4, (long) nb * B * 4);
        packBackward(pool, w, kernelOI, g.taps(), cin, cout, wk);
        packBias(bias, cin, bk, nb);

        final MemorySegment fsrc = src;
        final int fhp = hp, fwp = wp, n = g.n();
        final long wBlock = (long) g.taps() * cout * B;
        // Work items: all input rows, ordered by row phase ry = (y + pt) % sh, then sample, then row.
        pool.parallelFor(n * h, (lo, hi, t) -> {
            int base = 0;
            for (int ry = 0; ry < sh; ry++) {
                int y0 = Math.floorMod(ry - pt, sh);
                int ny = y0 < h ? (h - 1 - y0) / sh + 1 : 0;
                int segLo = Math.max(lo, base), segHi = Math.min(hi, base + n * ny);
                int segBase = base;
                base += n * ny;
                if (segLo >= segHi) continue;
                // taps of this row phase: i = i0, i0 + iStep, ...
                int i0 = -1;
                for (int i = 0; i < kh && i0 < 0; i++) if ((i * dh) % sh == ry) i0 = i;
                int iStep = sh / gcd(sh, dh);
                int nI = i0 < 0 ? 0 : (kh - 1 - i0) / iStep + 1;
                int a0 = i0 < 0 ? 0 : (i0 * dh - ry) / sh;
                for (int rx = 0; rx < sw; rx++) {
                    int x0 = Math.floorMod(rx - pl, sw);
                    int nx = x0 < w0 ? (w0 - 1 - x0) / sw + 1 : 0;
                    if (nx == 0) continue;
                    int j0 = -1;
                    for (int j = 0; j < kw && j0 < 0; j++) if ((j * dw) % sw == rx) j0 = j;
                    int jStep = sw / gcd(sw, dw);
                    int nJ = j0 < 0 ? 0 : (kw - 1 - j0) / jStep + 1;
                    int b0 = j0 < 0 ? 0 : (j0 * dw - rx) / sw;
                    long sStepI = -(long) (iStep * dh / sh) * fwp * cout, sStepJ = -(long) (jStep * dw / sw) * cout;
                    long wOff0 = ((long) Math.max(i0, 0) * kw + Math.max(j0, 0)) * cout * B;
                    long wStepI = (long) iStep * kw * cout * B, wStepJ = (long) jStep * cout * B;
                    long total = (long) (segHi - segLo) * nx;
                    for (long k0 = 0; k0 < total; k0 += P) {
                        int cnt = (int) Math.min(P, total - k0);
                        long s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, d0 = 0, dPix = (long) sw * cin;
                        for (int p = 0; p < P; p++) {
                            long k = k0 + Math.min(p, cnt - 1);
                            int item = segLo + (int) (k / nx) - segBase;
                            int col = (int) (k % nx);
                            int b = item / ny, yi = item - b * ny;
                            int y = y0 + yi * sh, x = x0 + col * sw;
                            int q = (y + pt) / sh - a0 + pT, qx = (x + pl) / sw - b0 + pL;
                            long so = (((long) b * fhp + q) * fwp + qx) * cout;
                            switch (p) {
                                case 0 -> { s0 = so; d0 = (((long) b * h + y) * w0 + x) * cin; }
                                case 1 -> s1 = so;
                                case 2 -> s2 = so;
                                case 3 -> s3 = so;
                                case 4 -> s4 = so;
                                default -> s5 = so;
                            }
                        }
                        // consecutive pixels of a tile are consecutive columns of one row only if they do not
                        // wrap; when they wrap, store per pixel.
                        boolean oneRow = (k0 % nx) + cnt <= nx;
                        for (int cb = 0; cb < nb; cb++) {
                            int c0 = cb * B, valid = Math.min(B, cin - c0);
                            if (oneRow) {
                                tile(fsrc, s0, s1, s2, s3, s4, s5, wk, cb * wBlock + wOff0, wStepI, wStepJ, sStepI, sStepJ,
                                        nI, nJ, cout, bk, c0, gin, d0 + c0, dPix, cnt, valid);
                            } else {
                                tileScattered(fsrc, s0, s1, s2, s3, s4, s5, wk, cb * wBlock + wOff0, wStepI, wStepJ,
                                        sStepI, sStepJ, nI, nJ, cout, bk, c0, gin, k0, cnt, valid, segLo - segBase, nx, ny,
                                        y0, x0, h, w0, cin, sh, sw);
                            }
                        }
                    }
                }
            }
        });
    }

    /** A tile whose pixels wrap onto the next row: compute like {@link #tile} into each pixel's own address. */
    private static void tileScattered(MemorySegment src, long s0, long s1, long s2, long s3, long s4, long s5,
                                      MemorySegment wk, long wOff, long wStepI, long wStepJ, long sStepI, long sStepJ,
                                      int nI, int nJ, int cred, MemorySegment bk, long bOff, MemorySegment dst,
                                      long k0, int cnt, int valid, int itemLo, int nx, int ny, int y0, int x0,
                                      int h, int w, int cin, int sh, int sw) {
        // Same arithmetic as tile(), one pixel at a time would lose the register blocking; instead run the tile
        // once per distinct destination row segment. Tiles wrap at most once per row, so this is at most a few calls.
        int p = 0;
        long[] s = {s0, s1, s2, s3, s4, s5};
        while (p < cnt) {
            long k = k0 + p;
            int item = itemLo + (int) (k / nx), col = (int) (k % nx);
            int run = Math.min(cnt - p, nx - col);
            int b = item / ny, yi = item - b * ny;
            long d = (((long) b * h + y0 + yi * sh) * w + x0 + col * sw) * cin;
            long t0 = s[p], t1 = s[Math.min(p + 1, cnt - 1)], t2 = s[Math.min(p + 2, cnt - 1)];
            long t3 = s[Math.min(p + 3, cnt - 1)], t4 = s[Math.min(p + 4, cnt - 1)], t5 = s[Math.min(p + 5, cnt - 1)];
            tile(src, t0, t1, t2, t3, t4, t5, wk, wOff, wStepI, wStepJ, sStepI, sStepJ, nI, nJ, cred, bk, bOff,
                    dst, d + bOff, (long) sw * cin, run, valid);
            p += run;
        }
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

    /** Scratch floats {@link #weightGrad} needs (the padded input). */
    public static long weightGradScratch(ConvGeom g) {
        return fwdPadFloats(g);
    }

    /** Writes {@code dw[i,j,ci,co] = sum over pixels of in * gout}; see {@link ConvScalar#weightGrad}. */
    public static void weightGrad(ThreadPool pool, ConvGeom g, MemorySegment in, MemorySegment gout, MemorySegment dw,
                                  MemorySegment scratch) {
        int hp = fwdHp(g), wp = fwdWp(g);
        MemorySegment src = in;
        int srcH = g.h(), srcW = g.w();
        if (!fwdDirect(g)) {
            src = scratch.asSlice(0, fwdPadFloats(g) * 4);
            padCopy(pool, in, g.n(), g.h(), g.w(), g.cin(), src, hp, wp, g.pt(), g.pl());
            srcH = hp;
            srcW = wp;
        }
        final MemorySegment fsrc = src;
        final int cin = g.cin(), cout = g.cout(), ow = g.ow(), oh = g.oh(), kw = g.kw();
        final int rows = g.n() * oh;
        final long srcImg = (long) srcH * srcW * cin, srcRow = (long) g.sh() * srcW * cin, srcPix = (long) g.sw() * cin;
        final long tapI = (long) g.dh() * srcW * cin, tapJ = (long) g.dw() * cin;
        final int jTotal = g.taps() * cin;
        final int nJB = (jTotal + P - 1) / P, nb = blocks(cout);
        // Rows per flush: about 64 pixels, so dw read-modify-writes stay a few percent of the work.
        final int group = Math.max(1, 64 / ow);
        pool.parallelFor(nJB * nb, (lo, hi, t) -> {
            for (int r0 = 0; r0 < rows; r0 += group) {
                int r1 = Math.min(rows, r0 + group);
                for (int item = lo; item < hi; item++) {
                    int jb = item / nb, cb = item - jb * nb;
                    int j0 = jb * P, cntJ = Math.min(P, jTotal - j0);
                    int co0 = cb * B;
                    long o0 = jOff(j0, 0, cntJ, cin, kw, tapI, tapJ), o1 = jOff(j0, 1, cntJ, cin, kw, tapI, tapJ);
                    long o2 = jOff(j0, 2, cntJ, cin, kw, tapI, tapJ), o3 = jOff(j0, 3, cntJ, cin, kw, tapI, tapJ);
                    long o4 = jOff(j0, 4, cntJ, cin, kw, tapI, tapJ), o5 = jOff(j0, 5, cntJ, cin, kw, tapI, tapJ);
                    wgTile(fsrc, o0, o1, o2, o3, o4, o5, gout, co0, r0, r1, oh, ow, srcImg, srcRow, srcPix, cout,
                            dw, (long) j0 * cout + co0, cntJ, Math.min(B, cout - co0), r0 == 0);
                }
            }
        });
    }

    /** Offset within a pixel's receptive field of reduction row j = tap * cin + ci (clamped to the tile). */
    private static long jOff(int j0, int r, int cntJ, int cin, int kw, long tapI, long tapJ) {
        int j = j0 + Math.min(r, cntJ - 1);
        int tap = j / cin, ci = j - tap * cin;
        int i = tap / kw, jj = tap - i * kw;
        return i * tapI + jj * tapJ + ci;
    }

    /** dw rows j0..j0+cntJ (cout apart), channels co0..co0+valid: (+)= sum over rows [r0,r1) and all columns. */
    static void wgTile(MemorySegment src, long o0, long o1, long o2, long o3, long o4, long o5,
                       MemorySegment g, int co0, int r0, int r1, int oh, int ow, long srcImg, long srcRow, long srcPix,
                       int cout, MemorySegment dw, long dOff, int cntJ, int valid, boolean first) {
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z;
        FloatVector a30 = z, a31 = z, a40 = z, a41 = z, a50 = z, a51 = z;
        boolean full = valid == B;
        VectorMask<Float> m0 = S.indexInRange(0, valid), m1 = S.indexInRange(L, valid);
        for (int r = r0; r < r1; r++) {
            int n = r / oh, oy = r - n * oh;
            long sp = (n * srcImg + oy * srcRow) * 4;
            long gp = ((long) r * ow * cout + co0) * 4;
            long sStep = srcPix * 4, gStep = (long) cout * 4;
            for (int ox = 0; ox < ow; ox++, sp += sStep, gp += gStep) {
                FloatVector g0, g1;
                if (full) {
                    g0 = FloatVector.fromMemorySegment(S, g, gp, LE);
                    g1 = FloatVector.fromMemorySegment(S, g, gp + L * 4, LE);
                } else {
                    g0 = FloatVector.fromMemorySegment(S, g, gp, LE, m0);
                    g1 = FloatVector.fromMemorySegment(S, g, gp + L * 4, LE, m1);
                }
                FloatVector x = FloatVector.broadcast(S, src.get(F, sp + o0 * 4));
                a00 = x.fma(g0, a00);
                a01 = x.fma(g1, a01);
                x = FloatVector.broadcast(S, src.get(F, sp + o1 * 4));
                a10 = x.fma(g0, a10);
                a11 = x.fma(g1, a11);
                x = FloatVector.broadcast(S, src.get(F, sp + o2 * 4));
                a20 = x.fma(g0, a20);
                a21 = x.fma(g1, a21);
                x = FloatVector.broadcast(S, src.get(F, sp + o3 * 4));
                a30 = x.fma(g0, a30);
                a31 = x.fma(g1, a31);
                x = FloatVector.broadcast(S, src.get(F, sp + o4 * 4));
                a40 = x.fma(g0, a40);
                a41 = x.fma(g1, a41);
                x = FloatVector.broadcast(S, src.get(F, sp + o5 * 4));
                a50 = x.fma(g0, a50);
                a51 = x.fma(g1, a51);
            }
        }
        flush(dw, dOff, a00, a01, first, m0, m1);
        if (cntJ > 1) flush(dw, dOff + cout, a10, a11, first, m0, m1);
        if (cntJ > 2) flush(dw, dOff + 2L * cout, a20, a21, first, m0, m1);
        if (cntJ > 3) flush(dw, dOff + 3L * cout, a30, a31, first, m0, m1);
        if (cntJ > 4) flush(dw, dOff + 4L * cout, a40, a41, first, m0, m1);
        if (cntJ > 5) flush(dw, dOff + 5L * cout, a50, a51, first, m0, m1);
    }

    private static void flush(MemorySegment dw, long off, FloatVector v0, FloatVector v1, boolean first,
                              VectorMask<Float> m0, VectorMask<Float> m1) {
        if (!first) {
            v0 = v0.add(FloatVector.fromMemorySegment(S, dw, off * 4, LE, m0));
            v1 = v1.add(FloatVector.fromMemorySegment(S, dw, (off + L) * 4, LE, m1));
        }
        v0.intoMemorySegment(dw, off * 4, LE, m0);
        if (m1.anyTrue()) v1.intoMemorySegment(dw, (off + L) * 4, LE, m1);
    }

    /** Writes {@code db[c] = sum over pixels of g[p, c]}, g {@code [pixels, c]}; threads split channels. */
    public static void biasGrad(ThreadPool pool, MemorySegment g, long pixels, int c, MemorySegment db) {
        int nv = (c + L - 1) / L;
        pool.parallelFor(nv, (lo, hi, t) -> {
            for (int v = lo; v < hi; v++) {
                int c0 = v * L;
                VectorMask<Float> m = S.indexInRange(c0, c);
                FloatVector acc = FloatVector.zero(S);
                for (long p = 0; p < pixels; p++) {
                    acc = acc.add(FloatVector.fromMemorySegment(S, g, (p * c + c0) * 4, LE, m));
                }
                acc.intoMemorySegment(db, c0 * 4L, LE, m);
            }
        });
    }
}
