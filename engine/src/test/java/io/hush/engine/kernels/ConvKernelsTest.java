package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The convolution kernels as the layers run them ({@link ConvKernels}'s choice) against the ConvScalar reference on awkward geometries (sizes 1, 3, 17, 33; channel counts that are
 * not multiples of the vector length; strides, dilation, asymmetric padding), and threading: forward and
 * backward-data are bit-identical for 1 and 2 threads; weight gradients (per-thread partial sums reduced in
 * thread order) are bit-identical across runs with the same thread count. The 3x3 stride-1 cases with >= 16
 * channels run the Winograd path ({@link ConvWinograd}) and must meet the same bound as direct summation.
 *
 * <p>Tolerance: both kernels sum the same K products in float32, in different orders and with/without fused
 * multiply-add. Each result is within gamma_K * sum|a_i*b_i| of the exact sum (gamma_K ~= K * 2^-24, the
 * standard bound for recursive summation), so two of them differ by at most 2 * K * 2^-24 * sum|a_i*b_i|. We
 * compute sum|a_i*b_i| exactly enough by running the scalar reference on |a| and |b| and assert that bound
 * element by element (plus |bias| in K).
 */
class ConvKernelsTest extends TwoPools {

    /** n,h,w,cin,oh?,ow?,cout,kh,kw,sh,sw,dh,dw,pt,pb,pl,pr: output sizes derived from the pads. */
    static ConvGeom geom(int n, int h, int w, int cin, int cout, int kh, int kw, int sh, int sw, int dh, int dw,
                         int pt, int pb, int pl, int pr) {
        int oh = (h + pt + pb - ((kh - 1) * dh + 1)) / sh + 1;
        int ow = (w + pl + pr - ((kw - 1) * dw + 1)) / sw + 1;
        return new ConvGeom(n, h, w, cin, oh, ow, cout, kh, kw, sh, sw, dh, dw, pt, pl);
    }

    static final ConvGeom[] CASES = {
            geom(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
            geom(2, 3, 3, 3, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
            geom(1, 17, 5, 17, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
            geom(1, 7, 33, 5, 33, 3, 2, 2, 2, 1, 1, 1, 1, 0, 1),     // even kernel width, asymmetric pads
            geom(2, 9, 10, 8, 16, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2),     // dilation 2, stride 2
            geom(1, 6, 7, 33, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),      // Cout = 1
            geom(3, 5, 5, 1, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),      // Cin = 1
            geom(1, 8, 8, 4, 5, 4, 4, 2, 2, 1, 1, 1, 2, 1, 2),       // 4x4 stride 2, pads 1/2
            geom(1, 5, 6, 3, 7, 2, 3, 3, 2, 1, 2, 0, 0, 2, 0),       // stride 3 rows, kernel rows < stride
            geom(1, 6, 5, 17, 19, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0),      // VALID 5x5, output 2x1
            geom(1, 12, 11, 20, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
            geom(1, 14, 14, 24, 40, 3, 3, 2, 2, 1, 1, 0, 1, 0, 1),    // TF SAME stride 2 (ConvT 7->14 backwards)
            // Winograd F(2x2,3x3) path (3x3 stride 1, channels >= 16): odd sizes (half tiles), channel tails,
            // several tile chunks along a row, VALID, pads 2, asymmetric pads, one output row
            geom(2, 9, 13, 17, 19, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
            geom(1, 5, 37, 16, 33, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0),
            geom(1, 4, 6, 24, 16, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2),
            geom(1, 7, 20, 33, 64, 3, 3, 1, 1, 1, 1, 2, 0, 0, 2),
            geom(1, 1, 9, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
            geom(1, 8, 40, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
    };

    @Test
    void simdMatchesScalarAndThreadsAgree() {
        SplittableRandom rng = new SplittableRandom(11);
        for (ConvGeom g : CASES) {
            check(g, rng);
        }
    }

    @Test
    void randomGeometries() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int it = 0; it < 24; it++) {
            int k = 1 + rng.nextInt(4), kw = 1 + rng.nextInt(4), s = 1 + rng.nextInt(3), sw = 1 + rng.nextInt(3);
            int d = 1 + rng.nextInt(2), dw = 1 + rng.nextInt(2);
            int h = (k - 1) * d + 1 + rng.nextInt(6), w = (kw - 1) * dw + 1 + rng.nextInt(9);
            ConvGeom g = geom(1 + rng.nextInt(2), h, w, 1 + rng.nextInt(20), 1 + rng.nextInt(36), k, kw, s, sw, d, dw,
                    rng.nextInt(3), rng.nextInt(3), rng.nextInt(3), rng.nextInt(3));
            check(g, rng);
        }
    }

    static MemorySegment rand(Arena a, long n, SplittableRandom rng) {
        MemorySegment m = a.allocate(Math.max(n, 1) * 4, 64);
        for (long i = 0; i < n; i++) m.setAtIndex(F, i, (float) (rng.nextDouble() * 2 - 1));
        return m;
    }

    static MemorySegment abs(Arena a, MemorySegment x, long n) {
        MemorySegment m = a.allocate(Math.max(n, 1) * 4, 64);
        for (long i = 0; i < n; i++) m.setAtIndex(F, i, Math.abs(x.getAtIndex(F, i)));
        return m;
    }

    static float[] arr(MemorySegment m, long n) {
        float[] r = new float[(int) n];
        MemorySegment.copy(m, F, 0, r, 0, r.length);
        return r;
    }

    static void check(ConvGeom g, SplittableRandom rng) {
        try (Arena a = Arena.ofShared()) {
            long ni = g.inSize(), no = g.outSize(), nk = g.kernelSize();
            MemorySegment in = rand(a, ni, rng), w = rand(a, nk, rng), gout = rand(a, no, rng);
            MemorySegment bo = rand(a, g.cout(), rng), bi = rand(a, g.cin(), rng);
            MemorySegment scratch = a.allocate(ConvKernels.weightGradScratch(g, 2) * 4 + 64, 64);

            // forward
            MemorySegment ref = a.allocate(no * 4, 64), bound = a.allocate(no * 4, 64);
            ConvScalar.forward(g, in, w, bo, ref);
            ConvScalar.forward(g, abs(a, in, ni), abs(a, w, nk), abs(a, bo, g.cout()), bound);
            MemorySegment o2 = oneAndTwoThreads(a, "forward " + g, no, ref, bound, g.taps() * g.cin() + 1,
                    (pool, o) -> ConvKernels.forward(pool, g, in, w, false, bo, o));

            // backward data (with a bias: the transposed-convolution form)
            MemorySegment rb = a.allocate(ni * 4, 64), bb = a.allocate(ni * 4, 64);
            ConvScalar.backwardData(g, gout, w, bi, rb);
            ConvScalar.backwardData(g, abs(a, gout, no), abs(a, w, nk), abs(a, bi, g.cin()), bb);
            MemorySegment b2 = oneAndTwoThreads(a, "backwardData " + g, ni, rb, bb, g.taps() * g.cout() + 1,
                    (pool, o) -> ConvKernels.backwardData(pool, g, gout, w, false, bi, o));
            // and without bias
            ConvScalar.backwardData(g, gout, w, MemorySegment.NULL, rb);
            ConvKernels.backwardData(two, g, gout, w, false, MemorySegment.NULL, b2);
            compare("backwardData (no bias) " + g, rb, b2, bb, ni, g.taps() * g.cout() + 1);

            // kernel laid out [kh,kw,cout,cin] (Conv2DTranspose): same packed kernel, so bit-identical results
            MemorySegment wT = a.allocate(nk * 4, 64);
            ConvSimd.transposeTaps(w, g.taps(), g.cin(), g.cout(), wT);
            MemorySegment o3 = a.allocate(no * 4, 64), b3 = a.allocate(ni * 4, 64);
            ConvKernels.forward(two, g, in, wT, true, bo, o3);
            assertArrayEquals(arr(o2, no), arr(o3, no), "forward kernelOI " + g);
            ConvKernels.backwardData(two, g, gout, wT, true, MemorySegment.NULL, b3);
            assertArrayEquals(arr(b2, ni), arr(b3, ni), "backwardData kernelOI " + g);

            activationsAsTheyStore(a, g, in, w, bo, gout, bi);

            // weight gradient
            MemorySegment rw = a.allocate(nk * 4, 64), bw = a.allocate(nk * 4, 64);
            ConvScalar.weightGrad(g, in, gout, rw);
            ConvScalar.weightGrad(g, abs(a, in, ni), abs(a, gout, no), bw);
            MemorySegment w1 = a.allocate(nk * 4, 64), w2 = a.allocate(nk * 4, 64);
            ConvKernels.weightGrad(one, g, in, gout, w1, false, scratch);
            ConvKernels.weightGrad(two, g, in, gout, w2, false, scratch);
            compare("weightGrad " + g, rw, w1, bw, nk, g.n() * g.oh() * g.ow());
            compare("weightGrad 2 threads " + g, rw, w2, bw, nk, g.n() * g.oh() * g.ow());
            MemorySegment w3 = a.allocate(nk * 4, 64);
            ConvKernels.weightGrad(two, g, in, gout, w3, false, scratch);
            assertArrayEquals(arr(w2, nk), arr(w3, nk), "weightGrad repeatable with 2 threads " + g);

            // bias gradient
            MemorySegment rdb = a.allocate(g.cout() * 4L, 64), db = a.allocate(g.cout() * 4L, 64);
            ConvScalar.biasGrad(gout, (long) g.n() * g.oh() * g.ow(), g.cout(), rdb);
            ConvKernels.biasGrad(two, gout, (long) g.n() * g.oh() * g.ow(), g.cout(), db);
            MemorySegment bdb = a.allocate(g.cout() * 4L, 64);
            ConvScalar.biasGrad(abs(a, gout, no), (long) g.n() * g.oh() * g.ow(), g.cout(), bdb);
            compare("biasGrad " + g, rdb, db, bdb, g.cout(), g.n() * g.oh() * g.ow());
        }
    }

    /**
     * Every implementation with an activation (ReLU and LeakyReLU applied as results are stored where the kernel can,
     * sigmoid in a pass after) gives the bits of the same implementation without it followed by the scalar activation.
     */
    static void activationsAsTheyStore(Arena a, ConvGeom g, MemorySegment in, MemorySegment w, MemorySegment bo,
                                       MemorySegment gout, MemorySegment bi) {
        long no = g.outSize(), ni = g.inSize();
        MemorySegment plain = a.allocate(no * 4, 64), act = a.allocate(no * 4, 64);
        MemorySegment plainB = a.allocate(ni * 4, 64), actB = a.allocate(ni * 4, 64);
        for (Activation f : new Activation[] {Activation.RELU, Activation.leakyRelu(0.1f), Activation.SIGMOID}) {
            for (ConvKernels.Forward path : ConvKernels.Forward.values()) {
                if (!path.supports(g)) continue;
                ConvKernels.forward(path, two, g, in, w, false, bo, plain);
                ActivationKernels.applyScalar(f, plain, plain, 0, no);
                ConvKernels.forward(path, two, g, in, w, false, bo, f, act);
                assertArrayEquals(arr(plain, no), arr(act, no), "forward " + path + " with " + f + " " + g);
            }
            for (ConvKernels.BackwardData path : ConvKernels.BackwardData.values()) {
                if (!path.supports(g)) continue;
                ConvKernels.backwardData(path, two, g, gout, w, true, bi, plainB);
                ActivationKernels.applyScalar(f, plainB, plainB, 0, ni);
                ConvKernels.backwardData(path, two, g, gout, w, true, bi, f, actB);
                assertArrayEquals(arr(plainB, ni), arr(actB, ni), "backwardData " + path + " with " + f + " " + g);
            }
        }
    }

    /**
     * Runs {@code kernel} into a new {@code [n]} output on one thread and on two, compares the first with the reference
     * within the bound for sums of k products, and checks that both thread counts give the same bits; returns the
     * two-thread output.
     */
    static MemorySegment oneAndTwoThreads(Arena a, String what, long n, MemorySegment ref, MemorySegment absSum, long k,
                                          BiConsumer<ThreadPool, MemorySegment> kernel) {
        MemorySegment o1 = a.allocate(n * 4, 64), o2 = a.allocate(n * 4, 64);
        kernel.accept(one, o1);
        kernel.accept(two, o2);
        compare(what, ref, o1, absSum, n, k);
        assertArrayEquals(arr(o1, n), arr(o2, n), what + ": 1 vs 2 threads");
        return o2;
    }

    static void compare(String what, MemorySegment ref, MemorySegment got, MemorySegment absSum, long n, long k) {
        double gamma = 2.0 * k * Math.ulp(1f) / 2; // 2 * K * 2^-24
        for (long i = 0; i < n; i++) {
            double r = ref.getAtIndex(F, i), x = got.getAtIndex(F, i);
            double tol = gamma * absSum.getAtIndex(F, i) * 1.01 + 1e-30;
            if (!(Math.abs(r - x) <= tol)) fail(what + " [" + i + "]: reference " + r + " vs simd " + x + " (tolerance " + tol + ")");
        }
    }
}
