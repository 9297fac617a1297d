package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every implementation of every kernel family against the naive (scalar) one, on awkward sizes (1, 3, 17, 33; channel
 * counts that are not multiples of the lane count): each path a dispatcher can pick ({@link ConvKernels}' forward,
 * backward-data and weight-gradient paths, {@link Gemm.Path} for float and int8 GEMM), run by force on every geometry
 * it supports, not only where the dispatcher would pick it; and the SIMD entry point of each single-path family
 * (pooling and upsampling, activations, softmax, batch normalisation, elementwise) against its {@code ...Scalar} twin.
 * Sums of many products are compared with ConvKernelsTest's bound (2 K 2^-24 sum|a_i b_i|, widened for the Winograd
 * transforms); kernels documented as bit-identical to their twin must be.
 */
class KernelPathsTest extends TwoPools {
    static final int[] SIZES = {1, 3, 17, 33};
    static ThreadPool pool;

    @BeforeAll static void start() {
        pool = new ThreadPool(2);
    }

    @AfterAll static void stop() {
        pool.close();
    }

    @Test
    void thisJvmRunsTheSimdSetAndTheSwitchNamesBadValues() {
        assertEquals(KernelSet.SIMD, KernelSet.ACTIVE, "the tests run without -Dhush.kernels");
        assertEquals(KernelSet.SCALAR, KernelSet.parse(" Scalar "));
        assertEquals(KernelSet.SIMD, KernelSet.parse(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelSet.parse("avx"));
        assertEquals("-Dhush.kernels=avx: expected simd or scalar", e.getMessage());
    }

    /** Geometries for the convolution paths: 3x3 stride 1 (every Winograd case) and others, awkward channel counts. */
    static ConvGeom[] convCases() {
        java.util.List<ConvGeom> gs = new java.util.ArrayList<>();
        for (int c : SIZES) {
            gs.add(ConvKernelsTest.geom(1, 5, 7, c, 35 - c, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1));        // SAME 3x3
            gs.add(ConvKernelsTest.geom(2, 3, c + 2, 33 - c / 2, c, 3, 3, 1, 1, 1, 1, 0, 0, 2, 0)); // VALID rows, pads 2 left
        }
        gs.add(ConvKernelsTest.geom(1, 17, 3, 17, 1, 3, 3, 1, 1, 1, 1, 2, 2, 1, 1));      // one output channel
        gs.add(ConvKernelsTest.geom(1, 9, 10, 3, 17, 3, 3, 2, 2, 2, 1, 2, 2, 1, 1));      // stride 2, dilation 2 rows
        gs.add(ConvKernelsTest.geom(1, 7, 9, 5, 3, 2, 3, 2, 1, 1, 2, 0, 1, 1, 1));        // dilation 2 along W
        gs.add(ConvKernelsTest.geom(1, 1, 1, 33, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0));       // 1x1 on one pixel
        return gs.toArray(ConvGeom[]::new);
    }

    @Test
    void everyConvolutionPathMatchesTheScalarReference() {
        SplittableRandom rng = new SplittableRandom(41);
        int[] ran = new int[3];
        for (ConvGeom g : convCases()) {
            try (Arena a = Arena.ofShared()) {
                long ni = g.inSize(), no = g.outSize(), nk = g.kernelSize();
                MemorySegment in = ConvKernelsTest.rand(a, ni, rng), w = ConvKernelsTest.rand(a, nk, rng);
                MemorySegment gout = ConvKernelsTest.rand(a, no, rng);
                MemorySegment bo = ConvKernelsTest.rand(a, g.cout(), rng), bi = ConvKernelsTest.rand(a, g.cin(), rng);
                MemorySegment wT = a.allocate(nk * 4, 64);
                ConvSimd.transposeTaps(w, g.taps(), g.cin(), g.cout(), wT);
                MemorySegment absIn = ConvKernelsTest.abs(a, in, ni), absW = ConvKernelsTest.abs(a, w, nk);
                MemorySegment absGout = ConvKernelsTest.abs(a, gout, no);

                MemorySegment ref = a.allocate(no * 4, 64), bound = a.allocate(no * 4, 64), got = a.allocate(no * 4, 64);
                ConvScalar.forward(g, in, w, bo, ref);
                ConvScalar.forward(g, absIn, absW, ConvKernelsTest.abs(a, bo, g.cout()), bound);
                for (ConvKernels.Forward p : ConvKernels.Forward.values()) {
                    if (!p.supports(g)) {
                        MemorySegment o = got;
                        assertThrows(IllegalArgumentException.class, () -> ConvKernels.forward(p, pool, g, in, w, false, bo, o));
                        continue;
                    }
                    for (boolean oi : new boolean[] {false, true}) {
                        got.fill((byte) 0x7f);
                        ConvKernels.forward(p, pool, g, in, oi ? wT : w, oi, bo, got);
                        ConvKernelsTest.compare("forward " + p + (oi ? " OI " : " ") + g, ref, got, bound, no,
                                widen(p == ConvKernels.Forward.WINOGRAD_4X4, p == ConvKernels.Forward.WINOGRAD_2X2,
                                        g.taps() * g.cin() + 1));
                    }
                    ran[0]++;
                }

                MemorySegment rb = a.allocate(ni * 4, 64), bb = a.allocate(ni * 4, 64), gb = a.allocate(ni * 4, 64);
                ConvScalar.backwardData(g, gout, w, bi, rb);
                ConvScalar.backwardData(g, absGout, absW, ConvKernelsTest.abs(a, bi, g.cin()), bb);
                for (ConvKernels.BackwardData p : ConvKernels.BackwardData.values()) {
                    if (!p.supports(g)) continue;
                    for (boolean oi : new boolean[] {false, true}) {
                        gb.fill((byte) 0x7f);
                        ConvKernels.backwardData(p, pool, g, gout, oi ? wT : w, oi, bi, gb);
                        ConvKernelsTest.compare("backwardData " + p + (oi ? " OI " : " ") + g, rb, gb, bb, ni,
                                widen(false, p == ConvKernels.BackwardData.WINOGRAD_2X2, g.taps() * g.cout() + 1));
                    }
                    ran[1]++;
                }

                MemorySegment rw = a.allocate(nk * 4, 64), bw = a.allocate(nk * 4, 64), gw = a.allocate(nk * 4, 64);
                MemorySegment rwT = a.allocate(nk * 4, 64), bwT = a.allocate(nk * 4, 64);
                MemorySegment scratch = a.allocate(ConvKernels.weightGradScratch(g, pool.threads()) * 4 + 64, 64);
                ConvScalar.weightGrad(g, in, gout, rw);
                ConvScalar.weightGrad(g, absIn, absGout, bw);
                ConvSimd.transposeTaps(rw, g.taps(), g.cin(), g.cout(), rwT);
                ConvSimd.transposeTaps(bw, g.taps(), g.cin(), g.cout(), bwT);
                for (ConvKernels.WeightGrad p : ConvKernels.WeightGrad.values()) {
                    for (boolean oi : new boolean[] {false, true}) {
                        gw.fill((byte) 0x7f);
                        ConvKernels.weightGrad(p, pool, g, in, gout, gw, oi, scratch);
                        ConvKernelsTest.compare("weightGrad " + p + (oi ? " OI " : " ") + g, oi ? rwT : rw, gw,
                                oi ? bwT : bw, nk, g.n() * g.oh() * g.ow());
                    }
                    ran[2]++;
                }

                MemorySegment rdb = a.allocate(g.cout() * 4L), db = a.allocate(g.cout() * 4L), bdb = a.allocate(g.cout() * 4L);
                long pixels = (long) g.n() * g.oh() * g.ow();
                ConvScalar.biasGrad(gout, pixels, g.cout(), rdb);
                ConvScalar.biasGrad(absGout, pixels, g.cout(), bdb);
                ConvSimd.biasGrad(pool, gout, pixels, g.cout(), db);
                ConvKernelsTest.compare("biasGrad " + g, rdb, db, bdb, g.cout(), pixels);
            }
        }
        // every path ran somewhere: 5 forward paths on some geometry each, etc.
        assertTrue(ran[0] > 3 * convCases().length && ran[1] > convCases().length, "paths run: " + ran[0] + ", " + ran[1]);
    }

    /**
     * K of the error bound: the Winograd transforms add and scale before and after the products, so their rounding
     * grows with the transforms' norms (F(2x2): entries up to 1, F(4x4): up to 8 and 1/4); the bound keeps its
     * direct-summation form with K scaled by 4 and 64, and a floor for tiny K (one channel, where the transform terms
     * dominate the few products).
     */
    static long widen(boolean f4, boolean winograd, long k) {
        if (f4) return Math.max(k, 64) * 64;
        return winograd ? Math.max(k, 16) * 4 : k;
    }

    @Test
    void everyGemmPathMatchesTheScalarReference() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int k : new int[] {1, 17, Gemm.KC + 5}) {
                    for (int tr = 0; tr < 4; tr++) {
                        boolean ta = (tr & 1) != 0, tb = (tr & 2) != 0;
                        long aRs = ta ? 1 : k, aCs = ta ? m : 1, bRs = tb ? 1 : n, bCs = tb ? k : 1;
                        Activation act = tr == 2 ? Activation.SIGMOID : Activation.RELU;
                        try (Arena a = Arena.ofShared()) {
                            MemorySegment x = ConvKernelsTest.rand(a, (long) m * k, rng), y = ConvKernelsTest.rand(a, (long) k * n, rng);
                            MemorySegment bias = tr == 1 ? MemorySegment.NULL : ConvKernelsTest.rand(a, n, rng);
                            MemorySegment ref = a.allocate((long) m * n * 4), got = a.allocate((long) m * n * 4);
                            GemmScalar.gemm(m, n, k, x, aRs, aCs, y, bRs, bCs, ref, bias, act);
                            for (Gemm.Path p : Gemm.Path.values()) {
                                if (!p.supports(aCs, bRs, bCs)) continue;
                                got.fill((byte) 0x7f);
                                Gemm.gemm(p, pool, m, n, k, x, aRs, aCs, y, bRs, bCs, got, bias, act);
                                near(p + " m=" + m + " n=" + n + " k=" + k + " tr=" + tr, ref, got, (long) m * n,
                                        1e-5f * (1 + (float) Math.sqrt(k)));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyInt8GemmPathMatchesItsScalarReference() {
        SplittableRandom rng = new SplittableRandom(8);
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int k : new int[] {1, 17, 33}) {
                    try (Arena a = Arena.ofShared()) {
                        MemorySegment x = ConvKernelsTest.rand(a, (long) m * k, rng), codes = a.allocate((long) k * n + 64);
                        for (long i = 0; i < (long) k * n; i++) codes.set(ValueLayout.JAVA_BYTE, i, (byte) (rng.nextInt(255) - 127));
                        MemorySegment scales = ConvKernelsTest.abs(a, ConvKernelsTest.rand(a, n, rng), n);
                        MemorySegment bias = ConvKernelsTest.rand(a, n, rng);
                        MemorySegment ref = a.allocate((long) m * n * 4), got = a.allocate((long) m * n * 4);
                        Int8Kernels.gemmScalar(m, n, k, x, k, 1, codes, scales, ref, bias, Activation.TANH);
                        for (Gemm.Path p : Gemm.Path.values()) {
                            if (p == Gemm.Path.GEMV_DOTS) continue;
                            got.fill((byte) 0x7f);
                            Int8Kernels.gemm(p, pool, m, n, k, x, k, 1, codes, scales, got, bias, Activation.TANH);
                            near("int8 " + p + " m=" + m + " n=" + n + " k=" + k, ref, got, (long) m * n, 1e-5f * k);
                        }
                    }
                }
            }
        }
    }

    @Test
    void poolingAndUpsamplingMatchTheirScalarTwinsBitForBit() {
        SplittableRandom rng = new SplittableRandom(12);
        for (int c : SIZES) {
            for (int hw : new int[] {1, 3, 10}) {
                try (Arena a = Arena.ofShared()) {
                    int n = 2, h = hw, w = hw + 2;
                    MemorySegment x = ConvKernelsTest.rand(a, (long) n * h * w * c, rng);
                    // 3x3 windows, stride 2, one row and column of padding before: windows cut by both borders
                    int oh = (h + 1 - 1) / 2 + 1, ow = (w + 1 - 1) / 2 + 1;
                    PoolKernels.Geometry g = new PoolKernels.Geometry(h, w, c, oh, ow, 3, 3, 2, 2, 1, 1);
                    long ny = (long) n * oh * ow * c, nx = (long) n * h * w * c;
                    MemorySegment y1 = a.allocate(ny * 4), y2 = a.allocate(ny * 4), r1 = a.allocate(ny * 4), r2 = a.allocate(ny * 4);
                    PoolKernels.maxPool(g, x, y1, r1, true, 0, n * oh);
                    PoolKernels.maxPoolScalar(g, x, y2, r2, true, 0, n * oh);
                    bits("maxPool c=" + c + " hw=" + hw, y2, y1, ny);
                    bits("maxPool argmax c=" + c + " hw=" + hw, r2, r1, ny);
                    AveragePoolKernels.averagePool(g, x, y1, 0, n * oh);
                    AveragePoolKernels.averagePoolScalar(g, x, y2, 0, n * oh);
                    bits("averagePool c=" + c + " hw=" + hw, y2, y1, ny);
                    MemorySegment gy = ConvKernelsTest.rand(a, ny, rng), g1 = a.allocate(nx * 4), g2 = a.allocate(nx * 4);
                    int units = n * ((c + 16 - 1) / 16);
                    AveragePoolKernels.averagePoolBackward(g, gy, g1, 16, 0, units);
                    AveragePoolKernels.averagePoolBackwardScalar(g, gy, g2, 16, 0, units);
                    bits("averagePoolBackward c=" + c + " hw=" + hw, g2, g1, nx);
                    AveragePoolKernels.globalAverage(x, y1, h, w, c, 0, n);
                    AveragePoolKernels.globalAverageScalar(x, y2, h, w, c, 0, n);
                    bits("globalAverage c=" + c + " hw=" + hw, y2, y1, (long) n * c);
                    AveragePoolKernels.globalAverageBackward(gy, g1, h, w, c, 0, n);
                    AveragePoolKernels.globalAverageBackwardScalar(gy, g2, h, w, c, 0, n);
                    bits("globalAverageBackward c=" + c + " hw=" + hw, g2, g1, nx);

                    long nu = nx * 6;  // upsampling by 2 x 3
                    MemorySegment u1 = a.allocate(nu * 4), u2 = a.allocate(nu * 4), gu = ConvKernelsTest.rand(a, nu, rng);
                    UpSamplingKernels.nearest(x, u1, h, w, c, 2, 3, 0, n * h);
                    UpSamplingKernels.nearestScalar(x, u2, h, w, c, 2, 3, 0, n * h);
                    bits("nearest c=" + c + " hw=" + hw, u2, u1, nu);
                    UpSamplingKernels.nearestBackward(gu, g1, h, w, c, 2, 3, 0, n * h);
                    UpSamplingKernels.nearestBackwardScalar(gu, g2, h, w, c, 2, 3, 0, n * h);
                    bits("nearestBackward c=" + c + " hw=" + hw, g2, g1, nx);
                    UpSamplingKernels.Axis ay = UpSamplingKernels.Axis.halfPixel(h, 2), ax = UpSamplingKernels.Axis.halfPixel(w, 3);
                    UpSamplingKernels.bilinear(x, u1, h, w, c, ay, ax, 0, n * h * 2);
                    UpSamplingKernels.bilinearScalar(x, u2, h, w, c, ay, ax, 0, n * h * 2);
                    bits("bilinear c=" + c + " hw=" + hw, u2, u1, nu);
                    UpSamplingKernels.bilinearBackward(gu, g1, h, w, c, ay, ax, 16, 0, units);
                    UpSamplingKernels.bilinearBackwardScalar(gu, g2, h, w, c, ay, ax, 16, 0, units);
                    bits("bilinearBackward c=" + c + " hw=" + hw, g2, g1, nx);
                }
            }
        }
    }

    @Test
    void pointwiseFamiliesMatchTheirScalarTwins() {
        SplittableRandom rng = new SplittableRandom(21);
        Activation[] acts = {Activation.LINEAR, Activation.RELU, Activation.leakyRelu(0.1f), Activation.SIGMOID, Activation.TANH};
        for (int size : SIZES) {
            for (int from : new int[] {0, 1}) {
                long n = size + from + 2L;
                try (Arena a = Arena.ofShared()) {
                    MemorySegment x = scaled(ConvKernelsTest.rand(a, n, rng), n, 6f), g = ConvKernelsTest.rand(a, n, rng);
                    MemorySegment y1 = a.allocate(n * 4), y2 = a.allocate(n * 4);
                    String at = " size=" + size + " from=" + from;
                    long to = from + size;
                    for (Activation act : acts) {
                        ActivationKernels.apply(act, x, y1, from, to);
                        ActivationKernels.applyScalar(act, x, y2, from, to);
                        bitsRange(act.kind() + at, y2, y1, from, to);
                        ActivationKernels.mulDerivFromOutput(act, y2, g, y1, from, to);
                        MemorySegment d2 = a.allocate(n * 4);
                        ActivationKernels.mulDerivFromOutputScalar(act, y2, g, d2, from, to);
                        bitsRange(act.kind() + " derivative" + at, d2, y1, from, to);
                    }
                    EluKernels.forward(x, y1, 0.7f, from, to);
                    EluKernels.forwardScalar(x, y2, 0.7f, from, to);
                    bitsRange("elu" + at, y2, y1, from, to);
                    MemorySegment e1 = a.allocate(n * 4), e2 = a.allocate(n * 4);
                    EluKernels.backward(y2, g, e1, 0.7f, from, to);
                    EluKernels.backwardScalar(y2, g, e2, 0.7f, from, to);
                    bitsRange("elu backward" + at, e2, e1, from, to);
                    for (int op = 0; op < 4; op++) {
                        switch (op) {
                            case 0 -> { Elementwise.add(x, g, y1, from, to); Elementwise.addScalar(x, g, y2, from, to); }
                            case 1 -> { Elementwise.sub(x, g, y1, from, to); Elementwise.subScalar(x, g, y2, from, to); }
                            case 2 -> { Elementwise.mul(x, g, y1, from, to); Elementwise.mulScalar(x, g, y2, from, to); }
                            default -> {
                                Elementwise.scaleShift(x, 0.3f, -1.25f, y1, from, to);
                                Elementwise.scaleShiftScalar(x, 0.3f, -1.25f, y2, from, to);
                            }
                        }
                        bitsRange("elementwise op " + op + at, y2, y1, from, to);
                    }
                }
            }
            // softmax rows of `size` channels (lanewise partial sums: a few ulp from the scalar sum)
            try (Arena a = Arena.ofShared()) {
                long n = 3L * size;
                MemorySegment x = scaled(ConvKernelsTest.rand(a, n, rng), n, 8f), g = ConvKernelsTest.rand(a, n, rng);
                MemorySegment y1 = a.allocate(n * 4), y2 = a.allocate(n * 4), g1 = a.allocate(n * 4), g2 = a.allocate(n * 4);
                SoftmaxKernels.forward(x, y1, size, 0, 3);
                SoftmaxKernels.forwardScalar(x, y2, size, 0, 3);
                near("softmax C=" + size, y2, y1, n, 1e-6f);
                SoftmaxKernels.backward(y2, g, g1, size, 0, 3);
                SoftmaxKernels.backwardScalar(y2, g, g2, size, 0, 3);
                near("softmax backward C=" + size, g2, g1, n, 1e-6f);
            }
        }
    }

    @Test
    void batchNormAndDequantizeMatchTheirScalarTwins() {
        SplittableRandom rng = new SplittableRandom(30);
        for (int c : SIZES) {
            for (long pixels : new long[] {1, 3, 2 * BatchNormKernels.BLOCK + 17}) {
                try (Arena a = Arena.ofShared()) {
                    long n = pixels * c;
                    int blocks = BatchNormKernels.blocks(pixels);
                    MemorySegment x = ConvKernelsTest.rand(a, n, rng), g = ConvKernelsTest.rand(a, n, rng);
                    MemorySegment s = ConvKernelsTest.rand(a, c, rng), t = ConvKernelsTest.rand(a, c, rng);
                    MemorySegment q = ConvKernelsTest.rand(a, c, rng), mg = ConvKernelsTest.rand(a, c, rng);
                    MemorySegment y1 = a.allocate(n * 4), y2 = a.allocate(n * 4);
                    MemorySegment p1 = a.allocate((long) blocks * c * 4), p2 = a.allocate((long) blocks * c * 4);
                    MemorySegment p3 = a.allocate((long) blocks * c * 4), p4 = a.allocate((long) blocks * c * 4);
                    String at = " C=" + c + " pixels=" + pixels;
                    BatchNormKernels.normalize(x, y1, s, t, c, 0, pixels);
                    BatchNormKernels.normalizeScalar(x, y2, s, t, c, 0, pixels);
                    bits("normalize" + at, y2, y1, n);
                    BatchNormKernels.blockSums(x, c, pixels, p1, 0, blocks);
                    BatchNormKernels.blockSumsScalar(x, c, pixels, p2, 0, blocks);
                    bits("blockSums" + at, p2, p1, (long) blocks * c);
                    BatchNormKernels.blockSqDev(x, t, c, pixels, p1, 0, blocks);
                    BatchNormKernels.blockSqDevScalar(x, t, c, pixels, p2, 0, blocks);
                    bits("blockSqDev" + at, p2, p1, (long) blocks * c);
                    BatchNormKernels.blockGradSums(g, x, t, c, pixels, p1, p3, 0, blocks);
                    BatchNormKernels.blockGradSumsScalar(g, x, t, c, pixels, p2, p4, 0, blocks);
                    bits("blockGradSums g" + at, p2, p1, (long) blocks * c);
                    bits("blockGradSums gx" + at, p4, p3, (long) blocks * c);
                    BatchNormKernels.backwardDx(g, x, y1, s, mg, t, q, c, 0, pixels);
                    BatchNormKernels.backwardDxScalar(g, x, y2, s, mg, t, q, c, 0, pixels);
                    bits("backwardDx" + at, y2, y1, n);

                    MemorySegment codes = a.allocate(n);
                    for (long i = 0; i < n; i++) codes.set(ValueLayout.JAVA_BYTE, i, (byte) (rng.nextInt(255) - 127));
                    Int8Kernels.dequantize(codes, s, c, n, y1);
                    Int8Kernels.dequantizeScalar(codes, s, c, n, y2);
                    bits("dequantize" + at, y2, y1, n);
                }
            }
        }
    }

    static MemorySegment scaled(MemorySegment m, long n, float by) {
        for (long i = 0; i < n; i++) m.setAtIndex(F, i, m.getAtIndex(F, i) * by);
        return m;
    }

    static void bits(String what, MemorySegment ref, MemorySegment got, long n) {
        bitsRange(what, ref, got, 0, n);
    }

    static void bitsRange(String what, MemorySegment ref, MemorySegment got, long from, long to) {
        for (long i = from; i < to; i++) {
            int r = Float.floatToIntBits(ref.getAtIndex(F, i)), x = Float.floatToIntBits(got.getAtIndex(F, i));
            if (r != x) fail(what + " [" + i + "]: scalar " + ref.getAtIndex(F, i) + " vs simd " + got.getAtIndex(F, i));
        }
    }

    static void near(String what, MemorySegment ref, MemorySegment got, long n, float tol) {
        for (long i = 0; i < n; i++) {
            float r = ref.getAtIndex(F, i), x = got.getAtIndex(F, i);
            if (!(Math.abs(r - x) <= tol * (1 + Math.abs(r)))) fail(what + " [" + i + "]: scalar " + r + " vs simd " + x);
        }
    }
}
