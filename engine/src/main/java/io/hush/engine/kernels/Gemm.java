package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;
import io.hush.engine.layers.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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
 * right), so the micro-kernel streams B with unit stride and no column tail. Each packed panel (KC*NRW*4 =
 * 24 KB at AVX2) stays in L1 while the micro-kernel sweeps all rows of A in steps of 4; the 4 x KC slice of A
 * it reads comes from L2. The micro-kernel holds a 4 x 3-vector tile of C in 12 registers, broadcasts one
 * A element per row per k and FMAs it with 3 vectors of the B panel row: 12 FMAs per 3 vector loads and 4
 * scalar loads, and leaves 4 of the 16 AVX2 registers for B and the broadcast.
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
    /** Columns per packed block: KC*NC*4 = 192 KB (AVX2), half of a typical L2. */
    public static final int NC = 8 * NRW;
    /** Column unit of the small-M path's thread split. */
    static final int GEMV_UNIT = 4 * VL;

    private Gemm() {}

    /** Scratch floats {@link #gemm} needs for this many threads. */
    public static long scratchFloats(int threads) {
        return (long) threads * KC * NC;
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
            MemorySegment buf = scratch.asSlice((long) t * KC * NC * 4, (long) KC * NC * 4);
            blocked(m, n, k, a, aRs, aCs, b, bRs, bCs, c, bias, act, buf, lo * NRW, Math.min(n, hi * NRW));
        });
    }

    /** One thread's share of the large-M path: columns [j0,j1) of C. */
    static void blocked(int m, int n, int k, MemorySegment a, long aRs, long aCs, MemorySegment b, long bRs, long bCs,
                        MemorySegment c, MemorySegment bias, Activation act, MemorySegment buf, int j0, int j1) {
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                pack(b, bRs, bCs, pc, kc, jc, nc, buf);
                boolean acc = pc > 0;
                for (int jr = 0; jr < nc; jr += NRW) {
                    int cols = Math.min(NRW, nc - jr);
                    long bOff = (long) (jr / NRW) * kc * NRW;
                    int i = 0;
                    for (; i + MR <= m; i += MR) {
                        kernel4(kc, a, i * aRs + pc * aCs, aRs, aCs, buf, bOff, c, (long) i * n + jc + jr, n, cols, acc);
                    }
                    for (; i < m; i++) {
                        kernel1(kc, a, i * aRs + pc * aCs, aCs, buf, bOff, c, (long) i * n + jc + jr, cols, acc);
                    }
                }
            }
            if (k == 0) for (int i = 0; i < m; i++) c.asSlice(((long) i * n + jc) * 4, (long) nc * 4).fill((byte) 0);
            for (int i = 0; i < m; i++) epilogue(c, (long) i * n, bias, act, jc, jc + nc);
        }
    }

    /** Packs B[pc..pc+kc, jc..jc+nc] as ceil(nc/NRW) panels of [kc][NRW], zero-padding the last panel's columns. */
    static void pack(MemorySegment b, long bRs, long bCs, int pc, int kc, int jc, int nc, MemorySegment buf) {
        for (int jr = 0; jr < nc; jr += NRW) {
            int cols = Math.min(NRW, nc - jr);
            long dst = (long) (jr / NRW) * kc * NRW;
            if (bCs == 1) {
                // rows of B are contiguous: one copy per k
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

    /** 4 x NRW tile: C[4, cols] (+)= A[4, kc] · P[kc, NRW] with P a packed panel. */
    private static void kernel4(int kc, MemorySegment a, long aOff, long aRs, long aCs, MemorySegment p, long pOff,
                                MemorySegment c, long cOff, long ldc, int cols, boolean acc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
        long a0 = aOff, a1 = aOff + aRs, a2 = aOff + 2 * aRs, a3 = aOff + 3 * aRs;
        long pb = pOff * 4;
        for (int kk = 0; kk < kc; kk++) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, p, pb, LE);
            FloatVector b1 = FloatVector.fromMemorySegment(S, p, pb + VL * 4L, LE);
            FloatVector b2 = FloatVector.fromMemorySegment(S, p, pb + 2 * VL * 4L, LE);
            pb += NRW * 4L;
            long ak = kk * aCs;
            FloatVector x = FloatVector.broadcast(S, a.getAtIndex(F, a0 + ak));
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            c02 = b2.fma(x, c02);
            x = FloatVector.broadcast(S, a.getAtIndex(F, a1 + ak));
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            c12 = b2.fma(x, c12);
            x = FloatVector.broadcast(S, a.getAtIndex(F, a2 + ak));
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            c22 = b2.fma(x, c22);
            x = FloatVector.broadcast(S, a.getAtIndex(F, a3 + ak));
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            c32 = b2.fma(x, c32);
        }
        store3(c, cOff, cols, acc, c00, c01, c02);
        store3(c, cOff + ldc, cols, acc, c10, c11, c12);
        store3(c, cOff + 2 * ldc, cols, acc, c20, c21, c22);
        store3(c, cOff + 3 * ldc, cols, acc, c30, c31, c32);
    }

    /** 1 x NRW tile for the rows left over after the 4-row tiles. */
    private static void kernel1(int kc, MemorySegment a, long aOff, long aCs, MemorySegment p, long pOff,
                                MemorySegment c, long cOff, int cols, boolean acc) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0;
        long pb = pOff * 4;
        for (int kk = 0; kk < kc; kk++) {
            FloatVector x = FloatVector.broadcast(S, a.getAtIndex(F, aOff + kk * aCs));
            c0 = FloatVector.fromMemorySegment(S, p, pb, LE).fma(x, c0);
            c1 = FloatVector.fromMemorySegment(S, p, pb + VL * 4L, LE).fma(x, c1);
            c2 = FloatVector.fromMemorySegment(S, p, pb + 2 * VL * 4L, LE).fma(x, c2);
            pb += NRW * 4L;
        }
        store3(c, cOff, cols, acc, c0, c1, c2);
    }

    /** Writes (or adds, when {@code acc}) 3 vectors to C at float offset {@code off}, only the first {@code cols}. */
    private static void store3(MemorySegment c, long off, int cols, boolean acc, FloatVector v0, FloatVector v1, FloatVector v2) {
        long o = off * 4;
        if (cols == NRW) {
            if (acc) {
                v0 = v0.add(FloatVector.fromMemorySegment(S, c, o, LE));
                v1 = v1.add(FloatVector.fromMemorySegment(S, c, o + VL * 4L, LE));
                v2 = v2.add(FloatVector.fromMemorySegment(S, c, o + 2 * VL * 4L, LE));
            }
            v0.intoMemorySegment(c, o, LE);
            v1.intoMemorySegment(c, o + VL * 4L, LE);
            v2.intoMemorySegment(c, o + 2 * VL * 4L, LE);
            return;
        }
        storeMasked(c, o, S.indexInRange(0, cols), acc, v0);
        if (cols > VL) storeMasked(c, o + VL * 4L, S.indexInRange(VL, cols), acc, v1);
        if (cols > 2 * VL) storeMasked(c, o + 2 * VL * 4L, S.indexInRange(2 * VL, cols), acc, v2);
    }

    private static void storeMasked(MemorySegment c, long byteOff, VectorMask<Float> m, boolean acc, FloatVector v) {
        if (acc) v = v.add(FloatVector.fromMemorySegment(S, c, byteOff, LE, m));
        v.intoMemorySegment(c, byteOff, LE, m);
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
            float r0 = s0.reduceLanes(VectorOperators.ADD), r1 = s1.reduceLanes(VectorOperators.ADD);
            float r2 = s2.reduceLanes(VectorOperators.ADD), r3 = s3.reduceLanes(VectorOperators.ADD);
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
            float r0 = s0.reduceLanes(VectorOperators.ADD);
            for (int kk = kv; kk < k; kk++) r0 = Math.fma(b.getAtIndex(F, b0 + kk), a.getAtIndex(F, aOff + kk), r0);
            c.setAtIndex(F, cRow + j, r0);
        }
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
