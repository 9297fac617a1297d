package io.hush.engine.kernels;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The int8 kernels against their scalar twins at awkward sizes (1, 3, 17, 33; column counts that are and are not
 * multiples of two vectors), for the few-rows path (codes widened in registers) and the blocked path (codes widened
 * while packed); 1 and 2 threads give the same bits. Tolerance as in ConvKernelsTest: two float32 sums of the same K
 * products in different orders differ by at most 2 K 2^-24 sum|a_i b_i| (here times the column scale, plus the bias'
 * rounding).
 */
class Int8KernelsTest extends TwoPools {

    static MemorySegment floats(Arena a, int n, SplittableRandom r) {
        MemorySegment m = a.allocate(4L * Math.max(n, 1), 64);
        for (int i = 0; i < n; i++) m.setAtIndex(F, i, (float) r.nextDouble() * 2 - 1);
        return m;
    }

    static MemorySegment codes(Arena a, long n, SplittableRandom r) {
        MemorySegment m = a.allocate(Math.max(n, 1), 64);
        for (long i = 0; i < n; i++) m.set(ValueLayout.JAVA_BYTE, i, (byte) (r.nextInt(255) - 127));
        return m;
    }

    @Test
    void dequantizeMatchesScalar() {
        SplittableRandom r = new SplittableRandom(1);
        for (int channels : new int[] {1, 3, 16, 17, 32, 33, 64}) {
            for (int rows : new int[] {1, 3, 9}) {
                try (Arena a = Arena.ofConfined()) {
                    long n = (long) rows * channels;
                    MemorySegment q = codes(a, n, r), s = floats(a, channels, r);
                    MemorySegment x = a.allocate(4 * n, 64), y = a.allocate(4 * n, 64);
                    Int8Kernels.dequantize(q, s, channels, n, x);
                    Int8Kernels.dequantizeScalar(q, s, channels, n, y);
                    assertArrayEquals(y.toArray(ValueLayout.JAVA_FLOAT), x.toArray(ValueLayout.JAVA_FLOAT),
                            rows + " x " + channels + " (exact: one product each)");
                }
            }
        }
    }

    @Test
    void gemmMatchesScalarAtAwkwardSizes() {
        SplittableRandom r = new SplittableRandom(2);
        Activation[] acts = {null, Activation.RELU};
        int cases = 0;
        for (int m : new int[] {1, 2, 3, 4, 5, 17}) {
            for (int n : new int[] {1, 3, 16, 17, 33, 65}) {
                for (int k : new int[] {1, 3, 17, 33}) {
                    Activation act = acts[cases++ % 2];
                    check(m, n, k, act, cases % 3 == 0, r);
                }
            }
        }
        check(1, 3136, 300, Activation.RELU, true, r); // the seed network's Dense width
        check(128, 200, 300, null, true, r);           // several K and N blocks of the blocked path
    }

    private static void check(int m, int n, int k, Activation act, boolean withBias, SplittableRandom r) {
        try (Arena a = Arena.ofShared()) { // the 2-thread pool's worker reads it
            MemorySegment x = floats(a, m * k, r), q = codes(a, (long) k * n, r), s = floats(a, n, r);
            MemorySegment bias = withBias ? floats(a, n, r) : MemorySegment.NULL;
            MemorySegment c1 = a.allocate(4L * m * n, 64), c2 = a.allocate(4L * m * n, 64), ref = a.allocate(4L * m * n, 64);
            Int8Kernels.gemm(one, m, n, k, x, k, 1, q, s, c1, bias, act);
            Int8Kernels.gemm(two, m, n, k, x, k, 1, q, s, c2, bias, act);
            Int8Kernels.gemmScalar(m, n, k, x, k, 1, q, s, ref, bias, act);
            String what = "m " + m + ", n " + n + ", k " + k;
            assertArrayEquals(c1.toArray(ValueLayout.JAVA_FLOAT), c2.toArray(ValueLayout.JAVA_FLOAT), what + ": 1 vs 2 threads");
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double mag = 0;
                    for (int kk = 0; kk < k; kk++) {
                        mag += Math.abs(x.getAtIndex(F, (long) i * k + kk) * q.get(ValueLayout.JAVA_BYTE, (long) kk * n + j));
                    }
                    mag *= Math.abs(s.getAtIndex(F, j));
                    double b = withBias ? Math.abs(bias.getAtIndex(F, j)) : 0;
                    double tol = 2 * (k + 2) * 0x1p-24 * (mag + b) + 1e-30;
                    float got = c1.getAtIndex(F, (long) i * n + j), want = ref.getAtIndex(F, (long) i * n + j);
                    assertTrue(Math.abs(got - want) <= tol, what + ", C[" + i + "," + j + "] = " + got + ", scalar " + want + ", tol " + tol);
                }
            }
        }
    }

    @Test
    void theSimdPathsRunAtThisWidth() {
        assertTrue(Int8Kernels.SIMD, "4, 8 or 16 float lanes");
        assertEquals(Int8Kernels.ONE_LOAD_PER_VECTOR ? Int8Kernels.VL : 2 * Int8Kernels.VL, Int8Kernels.BV.length());
    }
}
