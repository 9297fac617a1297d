package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;
import io.hush.engine.layers.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Single-precision matrix multiply {@code C[M,N] = A[M,K] · B[K,N]}, then optionally {@code C += bias[N]} and an
 * activation, for Dense forward and backward. Operands are strided views of MemorySegments: A's element (i,k)
 * is at float index {@code i*aRs + k*aCs}, B's (k,j) at {@code k*bRs + j*bCs}, so transposed operands
 * ({@code Wᵀ}, {@code Xᵀ}) need no copy. C is row-major {@code [M,N]} and is overwritten.
 *
 * <p><b>Large M</b> (M &gt;= {@link #MR}): GotoBLAS-style blocking. Threads own disjoint column ranges of C (whole
 * {@link #NRW}-column panels), so no reduction is needed and every C element is computed by the same sequence
 * of FMAs whatever the thread count: results are bit-identical for 1 and 2 threads. Per thread, a
 * {@code KC x NC} block of B is packed into scratch as contiguous {@code [KC][NRW]} panels (zero-padded on the
 * right) and an {@code MC x KC} block of A as {@code [KC][MR]} micro-panels (zero-padded rows), so the
 * micro-kernel reads both with unit stride (unpacked A rows a whole K apart cost a TLB miss per row). Each B
 * panel (KC*NRW*4 = 24 KB at AVX2) stays in L1 while the micro-kernel sweeps the A block (128 KB, L2). The
 * micro-kernel holds a 4 x 3-vector tile of C in 12 registers, broadcasts one A element per row per k and FMAs
 * it with 3 vectors of the B panel row: 12 FMAs per 3 vector loads and 4 scalar loads, leaving 4 of the 16 AVX2
 * registers for B and the broadcast. Edge tiles (last rows / columns) are computed in full into a small buffer
 * and their valid corner copied out, so the hot kernel has no masks or branches.
 *
 * <p><b>Small M</b> (1..3 rows, i.e. Dense at batch 1): the product is memory-bound on B (39 MB for a 3136x3136
 * kernel), so packing would only add traffic. Threads split the columns; for a row-major B ({@code bCs == 1})
 * each thread streams B rows k by k (4 at a time) into a C row slice that stays in L1; for a column-major B
 * ({@code bRs == 1}, i.e. {@code Wᵀ} in backward) each C element is a unit-stride dot product.
 */
public final class Gemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final int VL = S.length();
    /** Rows of the micro-kernel tile. */
    public static final int MR = 4;
    /** Columns of the micro-kernel tile (3 vectors). */
    public static final int NRW = 3 * VL;
    /** K depth of a packed block: KC*NRW floats = 24 KB (AVX2) per panel, kept in L1. */
    public static final int KC = 256;
    /** Columns per packed B block: KC*NC*4 = 192 KB (AVX2), in L2 with the A block. */
    public static final int NC = 8 * NRW;
    /** Rows per packed A block: KC*MC*4 = 128 KB. */
    public static final int MC = 128;
    /** Scratch floats per thread: packed B block, packed A block, one edge tile. */
    static final long PER_THREAD = (long) KC * (NC + MC) + MR * NRW;
    /** Column unit of the small-M path's thread split. */
    static final int GEMV_UNIT = 4 * VL;

    private Gemm() {}

    /** Scratch floats {@link #gemm} needs for this many threads. */
    public static long scratchFloats(int threads) {
        return (long) threads * PER_THREAD;
    }

    /**
     * C = A·B (+ bias) then activation. {@code bias} may be {@link MemorySegment#NULL}; {@code act} may be null
     * (= linear). {@code scratch} must hold {@link #scratchFloats}(pool.threads()) floats.
     */
    public static void gemm(ThreadPool pool, int m, int n, int k,
                            MemorySegment a, long aRs, long aCs,
                            MemorySegment b, long bRs, long bCs,
                            MemorySegment c, MemorySegment bias, Activation act, MemorySegment scratch) {
        if (m < MR && (bCs == 1 || (bRs == 1 && aCs == 1))) {
            int units = (n + GEMV_UNIT - 1) / GEMV_UNIT;
            pool.parallelFor(units, (lo, hi, t) -> {
                int j0 = lo * GEMV_UNIT, j1 = Math.min(n, hi * GEMV_UNIT);
                for (int i = 0; i < m; i++) {
                    if (bCs == 1) gemvRow(k, a, i * aRs, aCs, b, bRs, c, (long) i * n, j0, j1);
                    else gemvDot(k, a, i * aRs, b, bCs, c, (long) i * n, j0, j1);
                    epilogue(c, (long) i * n, bias, act, j0, j1);
                }
            });
            return;
        }
        int panels = (n + NRW - 1) / NRW;
        pool.parallelFor(panels, (lo, hi, t) -> {
            long per = PER_THREAD * 4;
            MemorySegment buf = scratch.asSlice(t * per, per);
            blocked(m, n, k, a, aRs, aCs, b, bRs, bCs, c, bias, act, buf, lo * NRW, Math.min(n, hi * NRW));
        });
    }

    /** One thread's share of the large-M path: columns [j0,j1) of C. {@code buf} holds the packed B and A blocks. */
    static void blocked(int m, int n, int k, MemorySegment a, long aRs, long aCs, MemorySegment b, long bRs, long bCs,
                        MemorySegment c, MemorySegment bias, Activation act, MemorySegment buf, int j0, int j1) {
        MemorySegment bbuf = buf.asSlice(0, (long) KC * NC * 4);
        MemorySegment abuf = buf.asSlice((long) KC * NC * 4, (long) KC * MC * 4);
        MemorySegment tile = buf.asSlice((long) KC * (NC + MC) * 4, (long) MR * NRW * 4);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(b, bRs, bCs, pc, kc, jc, nc, bbuf);
                boolean acc = pc > 0;
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(a, aRs, aCs, ic, mc, pc, kc, abuf);
                    for (int jr = 0; jr < nc; jr += NRW) {
                        int cols = Math.min(NRW, nc - jr);
                        long bOff = (long) (jr / NRW) * kc * NRW;
                        for (int ir = 0; ir < mc; ir += MR) {
                            int rows = Math.min(MR, mc - ir);
                            long cOff = (long) (ic + ir) * n + jc + jr;
                            if (rows == MR && cols == NRW) kernel(kc, abuf, (long) ir * kc, bbuf, bOff, c, cOff, n, acc);
                            else edge(kc, abuf, (long) ir * kc, bbuf, bOff, tile, c, cOff, n, rows, cols, acc);
                        }
                    }
                }
            }
            if (k == 0) for (int i = 0; i < m; i++) c.asSlice(((long) i * n + jc) * 4, (long) nc * 4).fill((byte) 0);
            for (int i = 0; i < m; i++) epilogue(c, (long) i * n, bias, act, jc, jc + nc);
        }
    }

    /** Packs B[pc..pc+kc, jc..jc+nc] as ceil(nc/NRW) panels of [kc][NRW], zero-padding the last panel's columns. */
    static void packB(MemorySegment b, long bRs, long bCs, int pc, int kc, int jc, int nc, MemorySegment buf) {
        for (int jr = 0; jr < nc; jr += NRW) {
            int cols = Math.min(NRW, nc - jr);
            long dst = (long) (jr / NRW) * kc * NRW;
            if (bCs == 1 && cols == NRW) {
                // rows of B are contiguous: 3 vector moves per k (cheaper than a 96-byte MemorySegment.copy call)
                for (int kk = 0; kk < kc; kk++) {
                    long src = ((pc + kk) * bRs + jc + jr) * 4, d = (dst + (long) kk * NRW) * 4;
                    FloatVector.fromMemorySegment(S, b, src, LE).intoMemorySegment(buf, d, LE);
                    FloatVector.fromMemorySegment(S, b, src + VL * 4L, LE).intoMemorySegment(buf, d + VL * 4L, LE);
                    FloatVector.fromMemorySegment(S, b, src + 2 * VL * 4L, LE).intoMemorySegment(buf, d + 2 * VL * 4L, LE);
                }
            } else if (bCs == 1) {
                for (int kk = 0; kk < kc; kk++) {
                    MemorySegment.copy(b, ((pc + kk) * bRs + jc + jr) * 4, buf, (dst + (long) kk * NRW) * 4, (long) cols * 4);
                }
            } else {
                // columns of B are contiguous (a transposed matrix): read each column's k run, scatter into the panel
                for (int jj = 0; jj < cols; jj++) {
                    long src = (long) pc * bRs + (jc + jr + jj) * bCs;
                    for (int kk = 0; kk < kc; kk++) {
                        buf.setAtIndex(F, dst + (long) kk * NRW + jj, b.getAtIndex(F, src + kk * bRs));
                    }
                }
            }
            if (cols < NRW) {
                for (int kk = 0; kk < kc; kk++) {
                    for (int jj = cols; jj < NRW; jj++) buf.setAtIndex(F, dst + (long) kk * NRW + jj, 0f);
                }
            }
        }
    }

    /**
     * Packs A[ic..ic+mc, pc..pc+kc] as ceil(mc/MR) micro-panels of [kc][MR] (rows past mc are zero), so the
     * micro-kernel reads A with unit stride from one small block instead of MR rows a whole K apart (which cost
     * a TLB miss and a cache line per row per few steps).
     */
    static void packA(MemorySegment a, long aRs, long aCs, int ic, int mc, int pc, int kc, MemorySegment buf) {
        for (int ir = 0; ir < mc; ir += MR) {
            long dst = (long) ir * kc;
            int rows = Math.min(MR, mc - ir);
            for (int r = 0; r < MR; r++) {
                if (r < rows) {
                    long src = (ic + ir + r) * aRs + pc * aCs;
                    for (int kk = 0; kk < kc; kk++) buf.setAtIndex(F, dst + (long) kk * MR + r, a.getAtIndex(F, src + kk * aCs));
                } else {
                    for (int kk = 0; kk < kc; kk++) buf.setAtIndex(F, dst + (long) kk * MR + r, 0f);
                }
            }
        }
    }

    /**
     * MR x NRW tile: D[4, NRW] (+)= Ap[kc][MR] · Bp[kc][NRW] from packed panels, D row-major with leading dimension
     * {@code ldd}. Always a full tile: edge tiles go through a small buffer ({@link #edge}). The stores are written
     * out here rather than in a helper because a vector passed to a method C2 does not inline gets boxed, and
     * then the accumulators of the whole loop live on the heap (a 10x slowdown).
     */
    private static void kernel(int kc, MemorySegment ap, long aOff, MemorySegment p, long pOff,
                               MemorySegment d, long dOff, long ldd, boolean acc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
        long pb = pOff * 4, ab = aOff * 4;
        for (int kk = 0; kk < kc; kk++) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, p, pb, LE);
            FloatVector b1 = FloatVector.fromMemorySegment(S, p, pb + VL * 4L, LE);
            FloatVector b2 = FloatVector.fromMemorySegment(S, p, pb + 2 * VL * 4L, LE);
            pb += NRW * 4L;
            FloatVector x = FloatVector.broadcast(S, ap.get(F, ab));
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            c02 = b2.fma(x, c02);
            x = FloatVector.broadcast(S, ap.get(F, ab + 4));
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            c12 = b2.fma(x, c12);
            x = FloatVector.broadcast(S, ap.get(F, ab + 8));
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            c22 = b2.fma(x, c22);
            x = FloatVector.broadcast(S, ap.get(F, ab + 12));
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            c32 = b2.fma(x, c32);
            ab += MR * 4L;
        }
        long r0 = dOff * 4, r1 = r0 + ldd * 4, r2 = r1 + ldd * 4, r3 = r2 + ldd * 4;
        long v1 = VL * 4L, v2 = 2 * VL * 4L;
        if (acc) {
            c00 = c00.add(FloatVector.fromMemorySegment(S, d, r0, LE));
            c01 = c01.add(FloatVector.fromMemorySegment(S, d, r0 + v1, LE));
            c02 = c02.add(FloatVector.fromMemorySegment(S, d, r0 + v2, LE));
            c10 = c10.add(FloatVector.fromMemorySegment(S, d, r1, LE));
            c11 = c11.add(FloatVector.fromMemorySegment(S, d, r1 + v1, LE));
            c12 = c12.add(FloatVector.fromMemorySegment(S, d, r1 + v2, LE));
            c20 = c20.add(FloatVector.fromMemorySegment(S, d, r2, LE));
            c21 = c21.add(FloatVector.fromMemorySegment(S, d, r2 + v1, LE));
            c22 = c22.add(FloatVector.fromMemorySegment(S, d, r2 + v2, LE));
            c30 = c30.add(FloatVector.fromMemorySegment(S, d, r3, LE));
            c31 = c31.add(FloatVector.fromMemorySegment(S, d, r3 + v1, LE));
            c32 = c32.add(FloatVector.fromMemorySegment(S, d, r3 + v2, LE));
        }
        c00.intoMemorySegment(d, r0, LE);
        c01.intoMemorySegment(d, r0 + v1, LE);
        c02.intoMemorySegment(d, r0 + v2, LE);
        c10.intoMemorySegment(d, r1, LE);
        c11.intoMemorySegment(d, r1 + v1, LE);
        c12.intoMemorySegment(d, r1 + v2, LE);
        c20.intoMemorySegment(d, r2, LE);
        c21.intoMemorySegment(d, r2 + v1, LE);
        c22.intoMemorySegment(d, r2 + v2, LE);
        c30.intoMemorySegment(d, r3, LE);
        c31.intoMemorySegment(d, r3 + v1, LE);
        c32.intoMemorySegment(d, r3 + v2, LE);
    }

    /** Edge tile: computes the full tile into {@code tile} [MR][NRW], then writes/adds its rows x cols corner to C. */
    private static void edge(int kc, MemorySegment ap, long aOff, MemorySegment p, long pOff, MemorySegment tile,
                             MemorySegment c, long cOff, long ldc, int rows, int cols, boolean acc) {
        kernel(kc, ap, aOff, p, pOff, tile, 0, NRW, false);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                long ci = cOff + r * ldc + j;
                float v = tile.getAtIndex(F, (long) r * NRW + j);
                c.setAtIndex(F, ci, acc ? c.getAtIndex(F, ci) + v : v);
            }
        }
    }

    /**
     * Small-M, row-major B: C[row, j0..j1) = sum_k A(row,k) B[k, j0..j1), streaming 4 rows of B per pass over the
     * C slice (which stays in L1). Per element the sum order is k ascending with one FMA per k.
     */
    static void gemvRow(int k, MemorySegment a, long aOff, long aCs, MemorySegment b, long bRs,
                        MemorySegment c, long cRow, int j0, int j1) {
        int jv = j0 + (j1 - j0) / VL * VL;
        for (int j = j0; j < j1; j++) c.setAtIndex(F, cRow + j, 0f);
        int kk = 0;
        for (; kk + 4 <= k; kk += 4) {
            float x0 = a.getAtIndex(F, aOff + kk * aCs), x1 = a.getAtIndex(F, aOff + (kk + 1) * aCs);
            float x2 = a.getAtIndex(F, aOff + (kk + 2) * aCs), x3 = a.getAtIndex(F, aOff + (kk + 3) * aCs);
            long r0 = kk * bRs, r1 = r0 + bRs, r2 = r1 + bRs, r3 = r2 + bRs;
            FloatVector v0 = FloatVector.broadcast(S, x0), v1 = FloatVector.broadcast(S, x1);
            FloatVector v2 = FloatVector.broadcast(S, x2), v3 = FloatVector.broadcast(S, x3);
            int j = j0;
            for (; j < jv; j += VL) {
                long co = (cRow + j) * 4;
                FloatVector acc = FloatVector.fromMemorySegment(S, c, co, LE);
                acc = FloatVector.fromMemorySegment(S, b, (r0 + j) * 4, LE).fma(v0, acc);
                acc = FloatVector.fromMemorySegment(S, b, (r1 + j) * 4, LE).fma(v1, acc);
                acc = FloatVector.fromMemorySegment(S, b, (r2 + j) * 4, LE).fma(v2, acc);
                acc = FloatVector.fromMemorySegment(S, b, (r3 + j) * 4, LE).fma(v3, acc);
                acc.intoMemorySegment(c, co, LE);
            }
            for (; j < j1; j++) {
                float acc = c.getAtIndex(F, cRow + j);
                acc = Math.fma(b.getAtIndex(F, r0 + j), x0, acc);
                acc = Math.fma(b.getAtIndex(F, r1 + j), x1, acc);
                acc = Math.fma(b.getAtIndex(F, r2 + j), x2, acc);
                acc = Math.fma(b.getAtIndex(F, r3 + j), x3, acc);
                c.setAtIndex(F, cRow + j, acc);
            }
        }
        for (; kk < k; kk++) {
            float x0 = a.getAtIndex(F, aOff + kk * aCs);
            long r0 = kk * bRs;
            FloatVector v0 = FloatVector.broadcast(S, x0);
            int j = j0;
            for (; j < jv; j += VL) {
                long co = (cRow + j) * 4;
                FloatVector.fromMemorySegment(S, b, (r0 + j) * 4, LE).fma(v0, FloatVector.fromMemorySegment(S, c, co, LE))
                        .intoMemorySegment(c, co, LE);
            }
            for (; j < j1; j++) c.setAtIndex(F, cRow + j, Math.fma(b.getAtIndex(F, r0 + j), x0, c.getAtIndex(F, cRow + j)));
        }
    }

    /**
     * Small-M, column-major B (B(k,j) at j*bCs + k) and contiguous A row: each C element is a unit-stride dot
     * product; four columns at a time share the loads of A. Lanes are reduced once per element.
     */
    static void gemvDot(int k, MemorySegment a, long aOff, MemorySegment b, long bCs,
                        MemorySegment c, long cRow, int j0, int j1) {
        int kv = k / VL * VL;
        int j = j0;
        for (; j + 4 <= j1; j += 4) {
            long b0 = j * bCs, b1 = b0 + bCs, b2 = b1 + bCs, b3 = b2 + bCs;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int kk = 0; kk < kv; kk += VL) {
                FloatVector x = FloatVector.fromMemorySegment(S, a, (aOff + kk) * 4, LE);
                s0 = FloatVector.fromMemorySegment(S, b, (b0 + kk) * 4, LE).fma(x, s0);
                s1 = FloatVector.fromMemorySegment(S, b, (b1 + kk) * 4, LE).fma(x, s1);
                s2 = FloatVector.fromMemorySegment(S, b, (b2 + kk) * 4, LE).fma(x, s2);
                s3 = FloatVector.fromMemorySegment(S, b, (b3 + kk) * 4, LE).fma(x, s3);
            }
            float r0 = sumLanes(s0), r1 = sumLanes(s1), r2 = sumLanes(s2), r3 = sumLanes(s3);
            for (int kk = kv; kk < k; kk++) {
                float x = a.getAtIndex(F, aOff + kk);
                r0 = Math.fma(b.getAtIndex(F, b0 + kk), x, r0);
                r1 = Math.fma(b.getAtIndex(F, b1 + kk), x, r1);
                r2 = Math.fma(b.getAtIndex(F, b2 + kk), x, r2);
                r3 = Math.fma(b.getAtIndex(F, b3 + kk), x, r3);
            }
            c.setAtIndex(F, cRow + j, r0);
            c.setAtIndex(F, cRow + j + 1, r1);
            c.setAtIndex(F, cRow + j + 2, r2);
            c.setAtIndex(F, cRow + j + 3, r3);
        }
        for (; j < j1; j++) {
            long b0 = j * bCs;
            FloatVector s0 = FloatVector.zero(S);
            for (int kk = 0; kk < kv; kk += VL) {
                s0 = FloatVector.fromMemorySegment(S, b, (b0 + kk) * 4, LE).fma(FloatVector.fromMemorySegment(S, a, (aOff + kk) * 4, LE), s0);
            }
            float r0 = sumLanes(s0);
            for (int kk = kv; kk < k; kk++) r0 = Math.fma(b.getAtIndex(F, b0 + kk), a.getAtIndex(F, aOff + kk), r0);
            c.setAtIndex(F, cRow + j, r0);
        }
    }

    /**
     * Lane sum in lane order. Not {@code reduceLanes(ADD)}: its association order may differ between the
     * interpreter, C1 and C2, which would break bit-reproducibility between runs (and thread counts).
     */
    private static float sumLanes(FloatVector v) {
        float s = 0f;
        for (int l = 0; l < VL; l++) s += v.lane(l);
        return s;
    }

    /** C[row, j0..j1) += bias[j0..j1), then the activation in place. */
    static void epilogue(MemorySegment c, long cRow, MemorySegment bias, Activation act, int j0, int j1) {
        if (bias.byteSize() > 0) {
            int j = j0;
            for (; j + VL <= j1; j += VL) {
                long co = (cRow + j) * 4;
                FloatVector.fromMemorySegment(S, c, co, LE).add(FloatVector.fromMemorySegment(S, bias, j * 4L, LE))
                        .intoMemorySegment(c, co, LE);
            }
            for (; j < j1; j++) c.setAtIndex(F, cRow + j, c.getAtIndex(F, cRow + j) + bias.getAtIndex(F, j));
        }
        if (act != null && act.kind() != Activation.Kind.LINEAR) ActivationKernels.apply(act, c, cRow + j0, cRow + j1);
    }
}
