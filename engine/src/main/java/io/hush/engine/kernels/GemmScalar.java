package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Plain-loop reference for {@link Gemm} with the same operand conventions (strided A and B, row-major C,
 * optional bias and activation): what the SIMD kernel is tested against, and the "scalar" side of DenseBench.
 * Sums run over k in ascending order in float.
 *
 * <p>Not blocked on purpose: it is the specification; the loop order (i, k, j) only keeps the inner loop at unit stride.
 */
public final class GemmScalar {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private GemmScalar() {}

    /** Rows of C split over the pool's threads (each row is computed by one thread, so results do not depend on it). */
    public static void gemm(ThreadPool pool, int m, int n, int k,
                            MemorySegment a, long aRs, long aCs,
                            MemorySegment b, long bRs, long bCs,
                            MemorySegment c, MemorySegment bias, Activation act) {
        pool.parallelFor(m, (lo, hi, t) -> rows(lo, hi, n, k, a, aRs, aCs, b, bRs, bCs, c, bias, act));
    }

    public static void gemm(int m, int n, int k, MemorySegment a, long aRs, long aCs, MemorySegment b, long bRs, long bCs,
                            MemorySegment c, MemorySegment bias, Activation act) {
        rows(0, m, n, k, a, aRs, aCs, b, bRs, bCs, c, bias, act);
    }

    /** Loop order i, k, j: the inner loop walks a row of B and of C with unit stride when B is row-major. */
    static void rows(int i0, int i1, int n, int k, MemorySegment a, long aRs, long aCs, MemorySegment b, long bRs, long bCs,
                     MemorySegment c, MemorySegment bias, Activation act) {
        boolean hasBias = bias.byteSize() > 0;
        for (int i = i0; i < i1; i++) {
            long row = (long) i * n;
            for (int j = 0; j < n; j++) c.setAtIndex(F, row + j, 0f);
            for (int kk = 0; kk < k; kk++) {
                float x = a.getAtIndex(F, i * aRs + kk * aCs);
                long br = kk * bRs;
                for (int j = 0; j < n; j++) c.setAtIndex(F, row + j, c.getAtIndex(F, row + j) + x * b.getAtIndex(F, br + j * bCs));
            }
            for (int j = 0; j < n; j++) {
                float v = c.getAtIndex(F, row + j);
                if (hasBias) v += bias.getAtIndex(F, j);
                if (act != null) v = act.apply(v);
                c.setAtIndex(F, row + j, v);
            }
        }
    }
}
