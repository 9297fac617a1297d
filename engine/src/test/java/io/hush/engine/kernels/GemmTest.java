package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class GemmTest {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    static MemorySegment rand(Arena a, long n, long seed) {
        MemorySegment s = a.allocate(Math.max(1, n) * 4, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) s.setAtIndex(F, i, (float) (r.nextDouble() * 2 - 1));
        return s;
    }

    /** Runs SIMD and scalar for one configuration; trans flags choose strided (transposed) operand layouts. */
    static MemorySegment[] run(Arena ar, ThreadPool pool, int m, int n, int k, boolean ta, boolean tb, boolean bias, Activation act) {
        MemorySegment a = rand(ar, (long) m * k, m * 7L + k), b = rand(ar, (long) k * n, n * 13L + k);
        MemorySegment bi = bias ? rand(ar, n, 99) : MemorySegment.NULL;
        long aRs = ta ? 1 : k, aCs = ta ? m : 1, bRs = tb ? 1 : n, bCs = tb ? k : 1;
        MemorySegment c1 = ar.allocate((long) m * n * 4 + 4, 64), c2 = ar.allocate((long) m * n * 4 + 4, 64);
        c1.fill((byte) 0x7f); // garbage: C must be overwritten
        Gemm.gemm(pool, m, n, k, a, aRs, aCs, b, bRs, bCs, c1, bi, act);
        GemmScalar.gemm(m, n, k, a, aRs, aCs, b, bRs, bCs, c2, bi, act);
        return new MemorySegment[] {c1, c2};
    }

    @Test
    void simdMatchesScalarOnAwkwardSizes() {
        int[] sizes = {1, 3, 17, 33};
        try (ThreadPool pool = new ThreadPool(2)) {
            for (int m : new int[] {1, 3, 4, 17}) {
                for (int n : sizes) {
                    for (int k : new int[] {1, 17, Gemm.KC + 4}) {
                        for (int tr = (m + n + k) % 2; tr < 4; tr += 2 - (m + n + k) % 2) {
                            boolean ta = (tr & 1) != 0, tb = (tr & 2) != 0;
                            try (Arena ar = Arena.ofShared()) {
                                Activation act = tr == 3 ? Activation.TANH : Activation.RELU;
                                MemorySegment[] c = run(ar, pool, m, n, k, ta, tb, tr != 1, act);
                                for (long i = 0; i < (long) m * n; i++) {
                                    float p = c[0].getAtIndex(F, i), q = c[1].getAtIndex(F, i);
                                    assertEquals(q, p, 1e-5f * (1 + (float) Math.sqrt(k)),
                                            "m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb + " at " + i);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void largeBlockedCaseMatches() {
        // several KC blocks and NC blocks, column tail inside the last panel
        try (ThreadPool pool = new ThreadPool(2); Arena ar = Arena.ofShared()) {
            int m = 9, n = Gemm.NC + Gemm.NRW + 5, k = Gemm.KC + 3;
            MemorySegment[] c = run(ar, pool, m, n, k, false, false, true, Activation.LINEAR);
            for (long i = 0; i < (long) m * n; i++) assertEquals(c[1].getAtIndex(F, i), c[0].getAtIndex(F, i), 2e-4f);
        }
    }

    @Test
    void blockedPathWithSeveralRowBlocksAndRowTailMatches() {
        // m > MC (two packed-A row blocks) and m % MR != 0; every transposition; K spans two KC blocks
        try (ThreadPool pool = new ThreadPool(2)) {
            for (int tr = 0; tr < 4; tr++) {
                boolean ta = (tr & 1) != 0, tb = (tr & 2) != 0;
                try (Arena ar = Arena.ofShared()) {
                    int m = Gemm.MC + Gemm.MR + 1, n = 2 * Gemm.NRW + 5, k = Gemm.KC + 7;
                    MemorySegment[] c = run(ar, pool, m, n, k, ta, tb, tr != 2, Activation.RELU);
                    for (long i = 0; i < (long) m * n; i++) {
                        assertEquals(c[1].getAtIndex(F, i), c[0].getAtIndex(F, i), 2e-4f, "tr=" + tr + " at " + i);
                    }
                }
            }
        }
    }

    @Test
    void gemvOddSizesAcrossThreadSplitMatch() {
        // M=1 (Dense at batch 1): N spans several GEMV column units with a tail, K is odd (k % 4 tail)
        try (ThreadPool pool = new ThreadPool(2)) {
            for (int k : new int[] {3, 5, 37, 2 * Gemm.KC + 1}) {
                for (boolean tb : new boolean[] {false, true}) {
                    try (Arena ar = Arena.ofShared()) {
                        int n = 5 * Gemm.GEMV_UNIT + 3;
                        MemorySegment[] c = run(ar, pool, 1, n, k, false, tb, true, Activation.TANH);
                        for (long i = 0; i < n; i++) {
                            assertEquals(c[1].getAtIndex(F, i), c[0].getAtIndex(F, i), 1e-5f * (1 + (float) Math.sqrt(k)),
                                    "k=" + k + " tb=" + tb + " at " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void oneAndTwoThreadsAreBitIdentical() {
        try (ThreadPool p1 = new ThreadPool(1); ThreadPool p2 = new ThreadPool(2)) {
            identical(p1, p2);
        }
    }

    private static void identical(ThreadPool p1, ThreadPool p2) {
        for (int m : new int[] {1, 2, 9, Gemm.MC + 5}) {
            for (int tr = 0; tr < 4; tr++) {
                boolean ta = (tr & 1) != 0, tb = (tr & 2) != 0;
                try (Arena ar = Arena.ofShared()) {
                    int n = 2 * Gemm.NRW + 7, k = Gemm.KC + 5;
                    MemorySegment c1 = run(ar, p1, m, n, k, ta, tb, true, Activation.SIGMOID)[0];
                    MemorySegment c2 = run(ar, p2, m, n, k, ta, tb, true, Activation.SIGMOID)[0];
                    assertEquals(-1, c1.asSlice(0, (long) m * n * 4).mismatch(c2.asSlice(0, (long) m * n * 4)), "m=" + m + " tr=" + tr);
                }
            }
        }
    }
}
