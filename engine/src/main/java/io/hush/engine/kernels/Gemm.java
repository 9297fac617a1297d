package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;
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
 * <p><b>Large M</b> (M &gt;= {@link #MR}): GotoBLAS-style blocking in two phases. First all of A is packed once
 * (threads split its rows) into a heap array of {@code [KC][MR]} micro-panels per K block (zero-padded rows), so
 * the micro-kernel reads A with unit stride instead of MR rows a whole K apart. Then threads own disjoint column
 * ranges of C (whole {@link #NRW}-column panels), so no reduction is needed and every C element is computed by
 * the same sequence of FMAs whatever the thread count: results are bit-identical for 1 and 2 threads. Per
 * thread, a {@code KC x NC} block of B is packed into a per-thread heap array as contiguous {@code [KC][NRW]}
 * panels (zero-padded on the right; 192 KB at AVX2, in L2). Each B panel (16 KB) stays in L1 while the
 * micro-kernel sweeps an {@code MC x KC} block of packed A (128 KB, L2). The micro-kernel holds a 4 x 2-vector
 * tile of C in 8 registers, broadcasts one A element per row per k and FMAs it with 2 vectors of the B panel
 * row: 8 FMAs per 2 vector loads and 4 scalar loads (larger tiles make C2 spill; see {@link #kernel}). Packed operands are heap arrays because array loads are
 * about twice as fast as MemorySegment loads in this loop. The tile goes through a small heap buffer into C
 * (edge tiles copy only their valid corner), so the hot kernel has no masks or branches.
 *
 * <p><b>Small M</b> (1..3 rows, i.e. Dense at batch 1): the product is memory-bound on B (39 MB for a 3136x3136
 * kernel), so packing would only add traffic. For a row-major B ({@code bCs == 1}) threads split K into fixed
 * chunks of whole rows, each a contiguous run of memory streamed into a partial-sum row in L1, and the partial sums
 * are added in chunk order (the chunks do not depend on the thread count); for a column-major B ({@code bRs == 1},
 * i.e. {@code Wᵀ} in backward) threads split the columns and each C element is a unit-stride dot product.
 */
public final class Gemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final int VL = S.length();
    /** Rows of the micro-kernel tile. */
    public static final int MR = 4;
    /** Columns of the micro-kernel tile (2 vectors; 3136 = 196 x 16 at AVX2, so the seed Dense has no edge panels). */
    public static final int NRW = 2 * VL;
    /** K depth of a packed block: KC*NRW floats = 16 KB (AVX2) per panel, kept in L1. */
    public static final int KC = 256;
    /** Columns per packed B block: KC*NC*4 = 192 KB (AVX2), in L2 with the A block. */
    public static final int NC = 12 * NRW;
    /** Rows of packed A swept per B panel: KC*MC*4 = 128 KB, in L2 with the B block. */
    public static final int MC = 128;
    /** Column unit of the small-M path's thread split. */
    static final int GEMV_UNIT = 4 * VL;

    private Gemm() {}

    /** Implementations of {@link #gemm}; {@link #path} picks one per call. */
    public enum Path {
        /** {@link GemmScalar}: the reference (rows split over threads). Any operands. */
        SCALAR,
        /** {@link #gemvRows}: B split along K into chunks of whole rows, streamed. Needs a row-major B ({@code bCs == 1}). */
        GEMV_ROWS,
        /** {@link #gemvDot}: unit-stride dot products. Needs a column-major B and contiguous A rows ({@code bRs, aCs == 1}). */
        GEMV_DOTS,
        /** {@link #blocked}: packed A and B panels, a 4 x 2-vector register tile. Any operands. */
        BLOCKED;

        /** Whether this implementation computes a product with these strides. */
        public boolean supports(long aCs, long bRs, long bCs) {
            return switch (this) {
                case SCALAR, BLOCKED -> true;
                case GEMV_ROWS -> bCs == 1;
                case GEMV_DOTS -> bRs == 1 && aCs == 1;
            };
        }
    }

    /**
     * The implementation for an {@code m}-row product with these strides. Fewer than {@link #MR} rows (Dense at
     * batch 1-3): the product is memory-bound on B, so packing would only add traffic; stream B as it lies, along its
     * rows when they are contiguous, else as dot products when its columns and A's rows are. Otherwise pack and block.
     */
    public static Path path(int m, long aCs, long bRs, long bCs) {
        if (KernelSet.SCALAR_ONLY) return Path.SCALAR;
        if (m < MR && Path.GEMV_ROWS.supports(aCs, bRs, bCs)) return Path.GEMV_ROWS;
        if (m < MR && Path.GEMV_DOTS.supports(aCs, bRs, bCs)) return Path.GEMV_DOTS;
        return Path.BLOCKED;
    }

    /**
     * C = A·B (+ bias) then activation. {@code bias} may be {@link MemorySegment#NULL}; {@code act} may be null
     * (= linear). Packing buffers are per-thread heap arrays (the hot loop reads them faster than MemorySegments).
     */
    public static void gemm(ThreadPool pool, int m, int n, int k,
                            MemorySegment a, long aRs, long aCs,
                            MemorySegment b, long bRs, long bCs,
                            MemorySegment c, MemorySegment bias, Activation act) {
        gemm(path(m, aCs, bRs, bCs), pool, m, n, k, a, aRs, aCs, b, bRs, bCs, c, bias, act);
    }

    /** {@link #gemm} by the given implementation, which must {@link Path#supports support} the strides. */
    static void gemm(Path path, ThreadPool pool, int m, int n, int k, MemorySegment a, long aRs, long aCs,
                     MemorySegment b, long bRs, long bCs, MemorySegment c, MemorySegment bias, Activation act) {
        if (!path.supports(aCs, bRs, bCs)) {
            throw new IllegalArgumentException(path + " does not compute strides aCs=" + aCs + ", bRs=" + bRs + ", bCs=" + bCs);
        }
        switch (path) {
            case SCALAR -> GemmScalar.gemm(pool, m, n, k, a, aRs, aCs, b, bRs, bCs, c, bias, act);
            case GEMV_ROWS -> gemvRows(pool, m, n, k, (long) n * 4,
                    (k0, k1, i, p, pOff) -> gemvChunk(k0, k1, n, a, i * aRs, aCs, b, bRs, p, pOff),
                    MemorySegment.NULL, c, bias, act);
            case GEMV_DOTS -> {
                int units = (n + GEMV_UNIT - 1) / GEMV_UNIT;
                pool.parallelFor(units, (lo, hi, t) -> {
                    int j0 = lo * GEMV_UNIT, j1 = Math.min(n, hi * GEMV_UNIT);
                    for (int i = 0; i < m; i++) {
                        gemvDot(k, a, i * aRs, b, bCs, c, (long) i * n, j0, j1);
                        epilogue(c, (long) i * n, bias, act, j0, j1);
                    }
                });
            }
            case BLOCKED -> {
                // Phase 1: pack all of A once (threads split its MR-row panels), shared read-only by phase 2.
                int mp = (m + MR - 1) / MR * MR;
                float[] ap = packedA((long) mp * k);
                pool.parallelFor(mp / MR, (lo, hi, t) -> packA(a, aRs, aCs, m, k, mp, lo * MR, hi * MR, ap));
                // Phase 2: threads own disjoint whole-panel column ranges of C.
                int panels = (n + NRW - 1) / NRW;
                pool.parallelFor(panels, (lo, hi, t) ->
                        blocked(m, n, k, mp, ap, b, bRs, bCs, c, bias, act, lo * NRW, Math.min(n, hi * NRW)));
            }
        }
    }

    /**
     * The calling thread's packed-A array, {@code [K blocks][M panels][KC][MR]} (grown, never shrunk: steady state
     * allocates nothing); {@link Int8Kernels} packs into it too.
     */
    static float[] packedA(long floats) {
        return grown(PACK_A, floats, "A too large to pack");
    }

    /** The calling thread's array in {@code slot}, grown to at least {@code floats} (never shrunk). */
    private static float[] grown(ThreadLocal<float[]> slot, long floats, String tooLarge) {
        if (floats > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("Gemm: " + tooLarge + ": " + floats + " floats");
        }
        float[] a = slot.get();
        if (a.length < floats) {
            a = new float[(int) floats];
            slot.set(a);
        }
        return a;
    }

    /** Per thread: packed A, {@code [ceil(K/KC)][ceil(M/MR)][KC][MR]} floats (see {@link #packA}). */
    private static final ThreadLocal<float[]> PACK_A = ThreadLocal.withInitial(() -> new float[0]);
    /** Per thread: packed B block {@code [NC/NRW][KC][NRW]}, a {@code [MR][NRW]} result tile, a {@code [NRW][VL]} transpose. */
    private static final ThreadLocal<float[]> PACK_B = ThreadLocal.withInitial(() -> new float[KC * NC + MR * NRW + NRW * VL]);

    /**
     * Packs rows [i0,i1) of A (whole MR panels) for every K block: block pc starts at {@code pc*mp}, its panel of
     * rows ir..ir+MR at {@code pc*mp + ir*kc}, laid out [kc][MR]; rows past m are zero. The micro-kernel then reads
     * A with unit stride from one small block instead of MR rows a whole K apart.
     */
    static void packA(MemorySegment a, long aRs, long aCs, int m, int k, int mp, int i0, int i1, float[] ap) {
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            for (int ir = i0; ir < i1; ir += MR) {
                int dst = pc * mp + ir * kc;
                int rows = Math.min(MR, m - ir);
                if (aRs == 1 && rows == MR) {
                    // A = Xᵀ: the MR rows of a k step are adjacent
                    for (int kk = 0; kk < kc; kk++) {
                        long src = ir + (pc + kk) * aCs;
                        int d = dst + kk * MR;
                        for (int r = 0; r < MR; r++) ap[d + r] = a.getAtIndex(F, src + r);
                    }
                } else {
                    for (int r = 0; r < MR; r++) {
                        if (r < rows) {
                            long src = (ir + r) * aRs + pc * aCs;
                            for (int kk = 0; kk < kc; kk++) ap[dst + kk * MR + r] = a.getAtIndex(F, src + kk * aCs);
                        } else {
                            for (int kk = 0; kk < kc; kk++) ap[dst + kk * MR + r] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** One thread's share of the large-M path: columns [j0,j1) of C, from packed A {@code ap}. */
    static void blocked(int m, int n, int k, int mp, float[] ap, MemorySegment b, long bRs, long bCs,
                        MemorySegment c, MemorySegment bias, Activation act, int j0, int j1) {
        float[] bp = PACK_B.get();
        int tile = KC * NC;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(b, bRs, bCs, pc, kc, jc, nc, bp);
                boolean acc = pc > 0;
                int aBlock = pc * mp;
                for (int ic = 0; ic < mp; ic += MC) {
                    int mc = Math.min(MC, mp - ic);
                    for (int jr = 0; jr < nc; jr += NRW) {
                        int cols = Math.min(NRW, nc - jr);
                        int bOff = jr / NRW * kc * NRW;
                        for (int ir = ic; ir < ic + mc; ir += MR) {
                            int rows = Math.min(MR, m - ir);
                            kernel(kc, ap, aBlock + ir * kc, bp, bOff, bp, tile);
                            long cOff = (long) ir * n + jc + jr;
                            if (rows == MR && cols == NRW) storeTile(bp, tile, c, cOff, n, acc);
                            else storeEdge(bp, tile, c, cOff, n, rows, cols, acc);
                        }
                    }
                }
            }
            if (k == 0) for (int i = 0; i < m; i++) c.asSlice(((long) i * n + jc) * 4, (long) nc * 4).fill((byte) 0);
            for (int i = 0; i < m; i++) epilogue(c, (long) i * n, bias, act, jc, jc + nc);
        }
    }

    /** Packs B[pc..pc+kc, jc..jc+nc] as ceil(nc/NRW) panels of [kc][NRW], zero-padding the last panel's columns. */
    static void packB(MemorySegment b, long bRs, long bCs, int pc, int kc, int jc, int nc, float[] bp) {
        for (int jr = 0; jr < nc; jr += NRW) {
            int cols = Math.min(NRW, nc - jr);
            int dst = jr / NRW * kc * NRW;
            if (bCs == 1 && cols == NRW) {
                // rows of B are contiguous: 2 vector moves per k
                for (int kk = 0; kk < kc; kk++) {
                    long src = ((pc + kk) * bRs + jc + jr) * 4;
                    int d = dst + kk * NRW;
                    FloatVector.fromMemorySegment(S, b, src, LE).intoArray(bp, d);
                    FloatVector.fromMemorySegment(S, b, src + VL * 4L, LE).intoArray(bp, d + VL);
                }
            } else if (bCs == 1) {
                for (int kk = 0; kk < kc; kk++) {
                    MemorySegment.copy(b, F, ((pc + kk) * bRs + jc + jr) * 4, bp, dst + kk * NRW, cols);
                }
            } else if (bRs == 1 && cols == NRW) {
                // B = Wᵀ (k contiguous per column): per VL k steps, vector-load the NRW column runs into a small heap
                // buffer, then transpose it into the panel with heap-to-heap moves (per-element segment reads cost more)
                int tmp = KC * NC + MR * NRW;
                int kv = kc / VL * VL;
                for (int k0 = 0; k0 < kv; k0 += VL) {
                    for (int jj = 0; jj < NRW; jj++) {
                        long src = (pc + k0 + (jc + jr + jj) * bCs) * 4;
                        FloatVector.fromMemorySegment(S, b, src, LE).intoArray(bp, tmp + jj * VL);
                    }
                    for (int q = 0; q < VL; q++) {
                        int d = dst + (k0 + q) * NRW;
                        for (int jj = 0; jj < NRW; jj++) bp[d + jj] = bp[tmp + jj * VL + q];
                    }
                }
                for (int jj = 0; jj < NRW; jj++) {
                    long src = pc + (jc + jr + jj) * bCs;
                    for (int kk = kv; kk < kc; kk++) bp[dst + kk * NRW + jj] = b.getAtIndex(F, src + kk);
                }
            } else {
                // columns of B are contiguous (a transposed matrix): read each column's k run, scatter into the panel
                for (int jj = 0; jj < cols; jj++) {
                    long src = (long) pc * bRs + (jc + jr + jj) * bCs;
                    for (int kk = 0; kk < kc; kk++) bp[dst + kk * NRW + jj] = b.getAtIndex(F, src + kk * bRs);
                }
            }
            if (cols < NRW) {
                for (int kk = 0; kk < kc; kk++) {
                    for (int jj = cols; jj < NRW; jj++) bp[dst + kk * NRW + jj] = 0f;
                }
            }
        }
    }

    // Kept apart from ConvWinograd.gemmTile and ConvSimd.wgTile for C2: accumulators in locals, each its own layout.
    /**
     * MR x NRW tile: T[MR][NRW] = Ap[kc][MR] · Bp[kc][NRW] from packed heap panels. 4 x 2 vectors = 8 accumulators:
     * measured on Zen 3 (AVX2), tiles of 8 or 9 accumulators run at ~85 GFLOP/s per core while 10 or 12
     * accumulators (4 x 3, 6 x 2, 5 x 2) drop to ~37, as C2 then spills inside the loop. The tile goes to a small
     * heap buffer; {@link #storeTile} adds it to C. Vectors stay in this method: a vector passed to a method C2
     * does not inline gets boxed (a 10x slowdown).
     */
    static void kernel(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] t, int tOff) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        for (int kk = 0; kk < kc; kk++) {
            int bi = bOff + kk * NRW, ai = aOff + kk * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector x = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        c00.intoArray(t, tOff);
        c01.intoArray(t, tOff + VL);
        c10.intoArray(t, tOff + NRW);
        c11.intoArray(t, tOff + NRW + VL);
        c20.intoArray(t, tOff + 2 * NRW);
        c21.intoArray(t, tOff + 2 * NRW + VL);
        c30.intoArray(t, tOff + 3 * NRW);
        c31.intoArray(t, tOff + 3 * NRW + VL);
    }

    /** C[MR rows, NRW cols at cOff] (+)= tile. */
    static void storeTile(float[] t, int tOff, MemorySegment c, long cOff, long ldc, boolean acc) {
        for (int r = 0; r < MR; r++) {
            long co = (cOff + r * ldc) * 4;
            for (int v = 0; v < NRW; v += VL) {
                FloatVector x = FloatVector.fromArray(S, t, tOff + r * NRW + v);
                if (acc) x = x.add(FloatVector.fromMemorySegment(S, c, co + v * 4L, LE));
                x.intoMemorySegment(c, co + v * 4L, LE);
            }
        }
    }

    /** Edge tile: writes/adds the tile's rows x cols corner to C. */
    static void storeEdge(float[] t, int tOff, MemorySegment c, long cOff, long ldc, int rows, int cols, boolean acc) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                long ci = cOff + r * ldc + j;
                float v = t[tOff + r * NRW + j];
                c.setAtIndex(F, ci, acc ? c.getAtIndex(F, ci) + v : v);
            }
        }
    }

    /**
     * Rows of B per chunk of the small-M, row-major-B path: about 64 chunks whatever the thread count (so the sums,
     * and the results, do not depend on it), at least 4 rows, and a chunk of at most about 512 KB when K allows, so
     * that with 2-3 rows of A the chunk is re-read from L2.
     */
    static int gemvChunkRows(int k, long rowBytes) {
        int rows = Math.max(4, (k + 63) / 64);
        int fit = (int) Math.max(4, (512L << 10) / Math.max(1, rowBytes));
        return Math.min(rows, fit);
    }

    /**
     * The caller's array for the small-M path's partial sums, {@code [chunks][m][n]} floats (grown, never shrunk);
     * the pool's threads write disjoint chunks of it while the caller waits in {@code parallelFor}.
     */
    static float[] gemvPartials(long floats) {
        return grown(PARTIALS, floats, "too many partial sums");
    }

    private static final ThreadLocal<float[]> PARTIALS = ThreadLocal.withInitial(() -> new float[0]);

    /** One chunk of the small-M row path: {@code p[pOff..pOff+n)} = row i of A over rows k0..k1 of the weights. */
    interface RowChunk {
        void sum(int k0, int k1, int i, float[] p, int pOff);
    }

    /**
     * Small-M, row-major B, split along K: threads take whole chunks of {@link #gemvChunkRows} rows of B, so each
     * reads one contiguous run of memory (splitting the columns instead had every thread stream many half-rows, each
     * a new prefetch stream: measured ~20% slower at 2 threads on a 3136x3136 kernel, bound by memory bandwidth). Each
     * chunk's partial sums go to its own slot; a second pass adds the slots in chunk order, multiplies by
     * {@code scales} (per column, int8 weights; NULL: none), then the epilogue. {@code rowBytes}: bytes per row of
     * the weights; {@code chunk} sums one chunk ({@link #gemvChunk}, or {@link Int8Kernels}'s for int8 codes).
     */
    static void gemvRows(ThreadPool pool, int m, int n, int k, long rowBytes, RowChunk chunk, MemorySegment scales,
                         MemorySegment c, MemorySegment bias, Activation act) {
        int kc = gemvChunkRows(k, rowBytes), chunks = Math.max(1, (k + kc - 1) / kc);
        float[] p = gemvPartials((long) chunks * m * n);
        pool.parallelFor(chunks, (lo, hi, t) -> {
            for (int ch = lo; ch < hi; ch++) {
                int k0 = ch * kc, k1 = Math.min(k, k0 + kc);
                for (int i = 0; i < m; i++) chunk.sum(k0, k1, i, p, (ch * m + i) * n);
            }
        });
        int units = (n + GEMV_UNIT - 1) / GEMV_UNIT;
        pool.parallelFor(units, (lo, hi, t) -> {
            int j0 = lo * GEMV_UNIT, j1 = Math.min(n, hi * GEMV_UNIT);
            for (int i = 0; i < m; i++) {
                long row = (long) i * n;
                sumChunks(p, chunks, m, n, i, c, row, j0, j1);
                if (scales.byteSize() > 0) scaleColumns(c, row, scales, j0, j1);
                epilogue(c, row, bias, act, j0, j1);
            }
        });
    }

    /**
     * {@code p[pOff + j] = sum_{k0 <= kk < k1} A(kk) B[kk, j]} for every column j: B's rows k0..k1 read in order, four
     * at a time, into the partial-sum row (in L1). Per element the sum runs kk ascending with one FMA per kk.
     */
    static void gemvChunk(int k0, int k1, int n, MemorySegment a, long aOff, long aCs, MemorySegment b, long bRs,
                          float[] p, int pOff) {
        int nv = n / VL * VL;
        java.util.Arrays.fill(p, pOff, pOff + n, 0f);
        int kk = k0;
        // Four rows per pass over the partial-sum row: four streams of B in flight, one load and store of the sums per
        // four FMAs (one core, 3136x3136: 1 row 23, 2 rows 31, 4 rows 36, 8 rows 23 GB/s: eight streams are too many
        // for the prefetcher)
        for (; kk + 4 <= k1; kk += 4) {
            float x0 = a.getAtIndex(F, aOff + kk * aCs), x1 = a.getAtIndex(F, aOff + (kk + 1) * aCs);
            float x2 = a.getAtIndex(F, aOff + (kk + 2) * aCs), x3 = a.getAtIndex(F, aOff + (kk + 3) * aCs);
            FloatVector v0 = FloatVector.broadcast(S, x0), v1 = FloatVector.broadcast(S, x1);
            FloatVector v2 = FloatVector.broadcast(S, x2), v3 = FloatVector.broadcast(S, x3);
            long r0 = kk * bRs, r1 = r0 + bRs, r2 = r1 + bRs, r3 = r2 + bRs;
            for (int j = 0; j < nv; j += VL) {
                FloatVector acc = FloatVector.fromArray(S, p, pOff + j);
                acc = FloatVector.fromMemorySegment(S, b, (r0 + j) * 4, LE).fma(v0, acc);
                acc = FloatVector.fromMemorySegment(S, b, (r1 + j) * 4, LE).fma(v1, acc);
                acc = FloatVector.fromMemorySegment(S, b, (r2 + j) * 4, LE).fma(v2, acc);
                acc = FloatVector.fromMemorySegment(S, b, (r3 + j) * 4, LE).fma(v3, acc);
                acc.intoArray(p, pOff + j);
            }
            for (int j = nv; j < n; j++) {
                float acc = Math.fma(b.getAtIndex(F, r0 + j), x0, p[pOff + j]);
                acc = Math.fma(b.getAtIndex(F, r1 + j), x1, acc);
                acc = Math.fma(b.getAtIndex(F, r2 + j), x2, acc);
                p[pOff + j] = Math.fma(b.getAtIndex(F, r3 + j), x3, acc);
            }
        }
        for (; kk < k1; kk++) {
            float x0 = a.getAtIndex(F, aOff + kk * aCs);
            FloatVector v0 = FloatVector.broadcast(S, x0);
            long r0 = kk * bRs;
            for (int j = 0; j < nv; j += VL) {
                FloatVector.fromMemorySegment(S, b, (r0 + j) * 4, LE).fma(v0, FloatVector.fromArray(S, p, pOff + j))
                        .intoArray(p, pOff + j);
            }
            for (int j = nv; j < n; j++) p[pOff + j] = Math.fma(b.getAtIndex(F, r0 + j), x0, p[pOff + j]);
        }
    }

    /** {@code C[row, j0..j1) = sum over chunks, in chunk order, of p[chunk][i][j]}. */
    static void sumChunks(float[] p, int chunks, int m, int n, int i, MemorySegment c, long cRow, int j0, int j1) {
        int stride = m * n, first = i * n;
        int j = j0;
        for (; j + VL <= j1; j += VL) {
            FloatVector s = FloatVector.fromArray(S, p, first + j);
            for (int ch = 1; ch < chunks; ch++) s = s.add(FloatVector.fromArray(S, p, ch * stride + first + j));
            s.intoMemorySegment(c, (cRow + j) * 4, LE);
        }
        for (; j < j1; j++) {
            float s = p[first + j];
            for (int ch = 1; ch < chunks; ch++) s += p[ch * stride + first + j];
            c.setAtIndex(F, cRow + j, s);
        }
    }

    /** C[row, j0..j1) *= scales[j0..j1) (int8 weights' per-column scales). */
    static void scaleColumns(MemorySegment c, long cRow, MemorySegment scales, int j0, int j1) {
        int j = j0;
        for (; j + VL <= j1; j += VL) {
            long co = (cRow + j) * 4;
            FloatVector.fromMemorySegment(S, c, co, LE).mul(FloatVector.fromMemorySegment(S, scales, 4L * j, LE))
                    .intoMemorySegment(c, co, LE);
        }
        for (; j < j1; j++) c.setAtIndex(F, cRow + j, c.getAtIndex(F, cRow + j) * scales.getAtIndex(F, j));
    }

    // Kept apart from gemvChunk for C2: different loop nest (dot products, lanes reduced once), vectors in locals.
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
