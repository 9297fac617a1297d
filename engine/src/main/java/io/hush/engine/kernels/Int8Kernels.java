package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Kernels for int8 weights (symmetric codes, one float32 scale per output column; see layers.Int8Kernel): the
 * weights stay one byte each in memory and are widened to float32 in registers, as llama3.java does for Q8_0: a byte
 * vector of {@code lanes} codes is loaded and converted ({@code B2F}) into a float vector.
 *
 * <ul>
 *   <li>{@link #dequantize}: codes to float32 (a convolution widens its kernel into scratch once per call and packs
 *       from there: a conv kernel is re-read from L1 thousands of times per call, so widening it in the inner loop
 *       would only add work).</li>
 *   <li>{@link #gemm}: {@code C[M,N] = act(bias + scale[j] * A[M,K] · Q[K,N])} for Dense. Few rows (batch 1-3) is
 *       memory-bound on the weights, which is where int8 pays: threads take fixed chunks of Q's rows (contiguous
 *       bytes) into partial sums in L1, with the int8 codes widened in registers; the partial sums are added in chunk
 *       order, then the scale and bias are applied once per output. Many rows go through {@link Gemm}'s blocking,
 *       Q's panels widened (and scaled) while they are packed.</li>
 * </ul>
 * Every output element is computed in a fixed order (the few-rows path's chunks of K are fixed, the many-rows path
 * splits columns), so results do not depend on the thread count. Each SIMD kernel has a scalar twin
 * ({@code *Scalar}) that tests compare it with.
 */
public final class Int8Kernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    /**
     * Codes for one float vector: a byte species of a quarter of the float vector's bits (lanes bytes), when there is
     * one (64 bits or more: 8+ float lanes). Loading each vector's codes on their own and converting part 0 measured
     * ~1.5x faster on AVX2 than one load of both vectors' codes converted as parts 0 and 1 (part 1 costs a shuffle).
     */
    static final boolean ONE_LOAD_PER_VECTOR = S.vectorBitSize() / 4 >= 64;
    static final VectorSpecies<Byte> BV = ONE_LOAD_PER_VECTOR
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(S.vectorBitSize() / 4)) : ByteVector.SPECIES_64;
    /** Whether the SIMD paths apply: 4+ float lanes, so that two vectors' codes fill at least a 64-bit byte vector. */
    static final boolean SIMD = VL >= 4 && (ONE_LOAD_PER_VECTOR || 2 * VL == ByteVector.SPECIES_64.length());
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    /** Column unit of the few-rows path's final pass (sums, scales, epilogue) over threads. */
    static final int UNIT = 4 * VL;

    private Int8Kernels() {}

    /** The codes at {@code off..off+lanes} widened to a float vector (the first of a pair of vectors). */
    private static FloatVector lo(MemorySegment q, long off) {
        return (FloatVector) ByteVector.fromMemorySegment(BV, q, off, LE).convertShape(VectorOperators.B2F, S, 0);
    }

    /** The codes at {@code off+lanes..off+2*lanes} widened (the second of the pair). */
    private static FloatVector hi(MemorySegment q, long off) {
        if (ONE_LOAD_PER_VECTOR) return lo(q, off + VL);
        return (FloatVector) ByteVector.fromMemorySegment(BV, q, off, LE).convertShape(VectorOperators.B2F, S, 1);
    }

    /** {@code dst[i] = codes[i] * scales[i % channels]} for i < n (float32 dst). */
    public static void dequantize(MemorySegment codes, MemorySegment scales, int channels, long n, MemorySegment dst) {
        int w = 2 * VL;
        if (KernelSet.SCALAR_ONLY || !SIMD || channels % w != 0) {
            dequantizeScalar(codes, scales, channels, n, dst);
            return;
        }
        // channels is a multiple of two vectors: walk rows of `channels` codes, scales reloaded per vector pair
        for (long r = 0; r < n; r += channels) {
            for (int c = 0; c < channels; c += w) {
                lo(codes, r + c).mul(FloatVector.fromMemorySegment(S, scales, 4L * c, LE)).intoMemorySegment(dst, 4 * (r + c), LE);
                hi(codes, r + c).mul(FloatVector.fromMemorySegment(S, scales, 4L * (c + VL), LE))
                        .intoMemorySegment(dst, 4 * (r + c + VL), LE);
            }
        }
    }

    /** Scalar reference of {@link #dequantize}. */
    public static void dequantizeScalar(MemorySegment codes, MemorySegment scales, int channels, long n, MemorySegment dst) {
        for (long i = 0; i < n; i++) dst.setAtIndex(F, i, codes.get(I8, i) * scales.getAtIndex(F, i % channels));
    }

    /**
     * {@code C[M,N] = act(bias + scale[j] * sum_k A(i,k) Q[k,j])}: A's element (i,k) at float index
     * {@code i*aRs + k*aCs}, Q row-major {@code [K,N]} int8 codes, scales {@code [N]}, C row-major, overwritten.
     * {@code bias} may be {@link MemorySegment#NULL}, {@code act} null (linear).
     */
    public static void gemm(ThreadPool pool, int m, int n, int k, MemorySegment a, long aRs, long aCs,
                            MemorySegment codes, MemorySegment scales, MemorySegment c, MemorySegment bias, Activation act) {
        // Q is row-major: Gemm's choice for a row-major B (few rows stream Q's rows; many rows pack and block)
        gemm(Gemm.path(m, aCs, n, 1), pool, m, n, k, a, aRs, aCs, codes, scales, c, bias, act);
    }

    /** {@link #gemm} by the given implementation ({@link Gemm.Path#GEMV_DOTS} does not apply: Q is row-major). */
    static void gemm(Gemm.Path path, ThreadPool pool, int m, int n, int k, MemorySegment a, long aRs, long aCs,
                     MemorySegment codes, MemorySegment scales, MemorySegment c, MemorySegment bias, Activation act) {
        if (path == Gemm.Path.GEMV_DOTS) throw new IllegalArgumentException("int8 GEMM has no " + path + " path");
        if (path == Gemm.Path.SCALAR) {
            gemmScalar(m, n, k, a, aRs, aCs, codes, scales, c, bias, act);
            return;
        }
        if (path == Gemm.Path.GEMV_ROWS) {
            // as Gemm's row path (fixed chunks of Q's rows, one contiguous run of bytes each; splitting the columns
            // measured ~20% slower at 2 threads), with this class's chunk kernel and the scales applied per column
            Gemm.gemvRows(pool, m, n, k, n,
                    (k0, k1, i, p, pOff) -> gemvChunk(k0, k1, n, a, i * aRs, aCs, codes, p, pOff), scales, c, bias, act);
            return;
        }
        int mp = (m + Gemm.MR - 1) / Gemm.MR * Gemm.MR;
        float[] ap = Gemm.packedA((long) mp * k);
        pool.parallelFor(mp / Gemm.MR, (lo, hi, t) -> Gemm.packA(a, aRs, aCs, m, k, mp, lo * Gemm.MR, hi * Gemm.MR, ap));
        int panels = (n + Gemm.NRW - 1) / Gemm.NRW;
        pool.parallelFor(panels, (lo, hi, t) ->
                blocked(m, n, k, mp, ap, codes, scales, c, bias, act, lo * Gemm.NRW, Math.min(n, hi * Gemm.NRW)));
    }

    /**
     * {@code p[pOff + j] = sum_{k0 <= kk < k1} A(kk) Q[kk, j]} (codes, no scale yet): Q's rows read in order, two at a
     * time, widened in registers, into the partial-sum row (in L1); per element kk ascending, one FMA per kk. The
     * whole vector pairs and the scalar tail are separate loops: with the tail inside the k loop C2 compiled the
     * vector loop ~1.4x slower.
     */
    static void gemvChunk(int k0, int k1, int n, MemorySegment a, long aOff, long aCs, MemorySegment q, float[] p,
                          int pOff) {
        int w = 2 * VL;
        int nv = SIMD ? n / w * w : 0;
        java.util.Arrays.fill(p, pOff, pOff + n, 0f);
        if (nv > 0) gemvChunkVectors(k0, k1, n, nv, a, aOff, aCs, q, p, pOff);
        if (n > nv) {
            for (int kk = k0; kk < k1; kk++) {
                float x = a.getAtIndex(F, aOff + kk * aCs);
                long r = (long) kk * n;
                for (int j = nv; j < n; j++) p[pOff + j] = Math.fma(q.get(I8, r + j), x, p[pOff + j]);
            }
        }
    }

    /** Columns [0,nv) (a multiple of two vectors) of {@link #gemvChunk}. */
    private static void gemvChunkVectors(int k0, int k1, int n, int nv, MemorySegment a, long aOff, long aCs,
                                         MemorySegment q, float[] p, int pOff) {
        int w = 2 * VL;
        int kk = k0;
        for (; kk + 2 <= k1; kk += 2) {
            FloatVector v0 = FloatVector.broadcast(S, a.getAtIndex(F, aOff + kk * aCs));
            FloatVector v1 = FloatVector.broadcast(S, a.getAtIndex(F, aOff + (kk + 1) * aCs));
            long r0 = (long) kk * n, r1 = r0 + n;
            for (int j = 0; j < nv; j += w) {
                FloatVector lo = FloatVector.fromArray(S, p, pOff + j);
                FloatVector hi = FloatVector.fromArray(S, p, pOff + j + VL);
                lo = lo(q, r0 + j).fma(v0, lo);
                hi = hi(q, r0 + j).fma(v0, hi);
                lo = lo(q, r1 + j).fma(v1, lo);
                hi = hi(q, r1 + j).fma(v1, hi);
                lo.intoArray(p, pOff + j);
                hi.intoArray(p, pOff + j + VL);
            }
        }
        for (; kk < k1; kk++) {
            FloatVector v0 = FloatVector.broadcast(S, a.getAtIndex(F, aOff + kk * aCs));
            long r0 = (long) kk * n;
            for (int j = 0; j < nv; j += w) {
                lo(q, r0 + j).fma(v0, FloatVector.fromArray(S, p, pOff + j)).intoArray(p, pOff + j);
                hi(q, r0 + j).fma(v0, FloatVector.fromArray(S, p, pOff + j + VL)).intoArray(p, pOff + j + VL);
            }
        }
    }

    /**
     * Scalar reference of {@link #gemm}: per element, {@code sum_k A(i,k) * code} in k order with one FMA per k, then
     * times the column's scale, plus bias, then the activation.
     */
    public static void gemmScalar(int m, int n, int k, MemorySegment a, long aRs, long aCs, MemorySegment codes,
                                  MemorySegment scales, MemorySegment c, MemorySegment bias, Activation act) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int kk = 0; kk < k; kk++) acc = Math.fma(codes.get(I8, (long) kk * n + j), a.getAtIndex(F, i * aRs + kk * aCs), acc);
                acc *= scales.getAtIndex(F, j);
                if (bias.byteSize() > 0) acc += bias.getAtIndex(F, j);
                c.setAtIndex(F, (long) i * n + j, acc);
            }
            if (act != null && act.kind() != Activation.Kind.LINEAR) {
                ActivationKernels.applyScalar(act, c, c, (long) i * n, (long) (i + 1) * n);
            }
        }
    }

    // ---- many rows: Gemm's blocking with Q widened while packed ----

    /** Per thread: packed B block [NC/NRW][KC][NRW], then one MR x NRW result tile (as Gemm's). */
    private static final ThreadLocal<float[]> PACK_B =
            ThreadLocal.withInitial(() -> new float[Gemm.KC * Gemm.NC + Gemm.MR * Gemm.NRW]);

    /** Columns [j0,j1) of C: {@link Gemm#blocked}'s loop nest, B panels from int8 codes times their column scales. */
    static void blocked(int m, int n, int k, int mp, float[] ap, MemorySegment codes, MemorySegment scales,
                        MemorySegment c, MemorySegment bias, Activation act, int j0, int j1) {
        float[] bp = PACK_B.get();
        int tile = Gemm.KC * Gemm.NC, nrw = Gemm.NRW;
        for (int jc = j0; jc < j1; jc += Gemm.NC) {
            int nc = Math.min(Gemm.NC, j1 - jc);
            for (int pc = 0; pc < k; pc += Gemm.KC) {
                int kc = Math.min(Gemm.KC, k - pc);
                packB(codes, scales, n, pc, kc, jc, nc, bp);
                boolean acc = pc > 0;
                int aBlock = pc * mp;
                for (int ic = 0; ic < mp; ic += Gemm.MC) {
                    int mc = Math.min(Gemm.MC, mp - ic);
                    for (int jr = 0; jr < nc; jr += nrw) {
                        int cols = Math.min(nrw, nc - jr);
                        int bOff = jr / nrw * kc * nrw;
                        for (int ir = ic; ir < ic + mc; ir += Gemm.MR) {
                            int rows = Math.min(Gemm.MR, m - ir);
                            Gemm.kernel(kc, ap, aBlock + ir * kc, bp, bOff, bp, tile);
                            long cOff = (long) ir * n + jc + jr;
                            if (rows == Gemm.MR && cols == nrw) Gemm.storeTile(bp, tile, c, cOff, n, acc);
                            else Gemm.storeEdge(bp, tile, c, cOff, n, rows, cols, acc);
                        }
                    }
                }
            }
            if (k == 0) for (int i = 0; i < m; i++) c.asSlice(((long) i * n + jc) * 4, (long) nc * 4).fill((byte) 0);
            for (int i = 0; i < m; i++) Gemm.epilogue(c, (long) i * n, bias, act, jc, jc + nc);
        }
    }

    /**
     * Packs Q[pc..pc+kc, jc..jc+nc] times the column scales as ceil(nc/NRW) panels of [kc][NRW] floats (zero-padded on
     * the right). NRW = 2 x lanes: one byte vector of codes per panel row, widened into the panel's two vectors.
     */
    static void packB(MemorySegment codes, MemorySegment scales, int n, int pc, int kc, int jc, int nc, float[] bp) {
        int nrw = Gemm.NRW;
        for (int jr = 0; jr < nc; jr += nrw) {
            int cols = Math.min(nrw, nc - jr);
            int dst = jr / nrw * kc * nrw;
            int j = jc + jr;
            if (SIMD && cols == nrw) {
                FloatVector s0 = FloatVector.fromMemorySegment(S, scales, 4L * j, LE);
                FloatVector s1 = FloatVector.fromMemorySegment(S, scales, 4L * (j + VL), LE);
                for (int kk = 0; kk < kc; kk++) {
                    long src = (long) (pc + kk) * n + j;
                    int d = dst + kk * nrw;
                    lo(codes, src).mul(s0).intoArray(bp, d);
                    hi(codes, src).mul(s1).intoArray(bp, d + VL);
                }
            } else {
                for (int kk = 0; kk < kc; kk++) {
                    long src = (long) (pc + kk) * n + j;
                    int d = dst + kk * nrw;
                    for (int jj = 0; jj < cols; jj++) bp[d + jj] = codes.get(I8, src + jj) * scales.getAtIndex(F, j + jj);
                    for (int jj = cols; jj < nrw; jj++) bp[d + jj] = 0f;
                }
            }
        }
    }
}
