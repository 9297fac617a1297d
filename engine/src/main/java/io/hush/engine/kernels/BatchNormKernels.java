package io.hush.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Per-channel batch-normalisation loops over {@code P} pixels of {@code C} channels ({@code [N,H,W,C]} seen as
 * {@code [P,C]}). SIMD runs over channels; per-channel vectors (mean, scale...) are {@code [C]} segments.
 *
 * <p>Deterministic reductions: the pixels are cut into fixed blocks of {@link #BLOCK} pixels, whatever the thread
 * count. Each block's per-channel sum is accumulated in float (pixel order within the block) into
 * {@code part[block][C]}, and {@link #reduce} then adds the block sums in block order in double. Threads only
 * decide who computes which block, never the order of additions, so results are bit-identical for any thread
 * count, and the double-precision outer sum keeps the error of a mean over 10^5 pixels near float rounding.
 * Every SIMD kernel has a scalar twin with the same float operations in the same order (bit-equal results).
 */
public final class BatchNormKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Pixels per partial-sum block: 64 pixels x C channels stays in L1 for C up to ~100 while the channel loop walks it. */
    public static final int BLOCK = 64;

    private BatchNormKernels() {}

    public static int blocks(long pixels) {
        return Math.toIntExact((pixels + BLOCK - 1) / BLOCK);
    }

    /*
     * WHOLE: when C is a multiple of the lane count each kernel runs a copy of its loop without masks. Masked loads
     * and stores on segments measured 4.6x slower on AVX-512 even with every lane set (backwardDx, [8,64,64,64]:
     * 3.6 ms masked, 0.78 ms not): C2 cannot prove the mask full, so each access takes the masked path.
     */
    private static VectorMask<Float> mask(int c, int C) {
        return c + S.length() <= C ? S.maskAll(true) : S.indexInRange(c, C);
    }

    /** part[b*C + c] = sum of x[p,c] over the pixels p of block b, for blocks [bFrom,bTo). */
    public static void blockSums(MemorySegment x, int C, long P, MemorySegment part, int bFrom, int bTo) {
        if (KernelSet.SCALAR_ONLY) { blockSumsScalar(x, C, P, part, bFrom, bTo); return; }
        if (C % S.length() == 0) { // whole vectors, no masks (see WHOLE)
            for (int b = bFrom; b < bTo; b++) {
                long p0 = (long) b * BLOCK, p1 = Math.min(P, p0 + BLOCK);
                for (int c = 0; c < C; c += S.length()) {
                    FloatVector acc = FloatVector.zero(S);
                    for (long p = p0; p < p1; p++) acc = acc.add(FloatVector.fromMemorySegment(S, x, (p * C + c) * 4, LE));
                    acc.intoMemorySegment(part, ((long) b * C + c) * 4, LE);
                }
            }
            return;
        }
        for (int b = bFrom; b < bTo; b++) {
            long p0 = (long) b * BLOCK, p1 = Math.min(P, p0 + BLOCK);
            for (int c = 0; c < C; c += S.length()) {
                VectorMask<Float> m = mask(c, C);
                FloatVector acc = FloatVector.zero(S);
                for (long p = p0; p < p1; p++) acc = acc.add(FloatVector.fromMemorySegment(S, x, (p * C + c) * 4, LE, m));
                acc.intoMemorySegment(part, ((long) b * C + c) * 4, LE, m);
            }
        }
    }

    public static void blockSumsScalar(MemorySegment x, int C, long P, MemorySegment part, int bFrom, int bTo) {
        for (int b = bFrom; b < bTo; b++) {
            long p0 = (long) b * BLOCK, p1 = Math.min(P, p0 + BLOCK);
            for (int c = 0; c < C; c++) {
                float acc = 0f;
                for (long p = p0; p < p1; p++) acc += x.getAtIndex(F, p * C + c);
                part.setAtIndex(F, (long) b * C + c, acc);
            }
        }
    }

    /** part[b*C + c] = sum of (x[p,c] - mean[c])^2 over block b. */
    public static void blockSqDev(MemorySegment x, MemorySegment mean, int C, long P, MemorySegment part, int bFrom, int bTo) {
        if (KernelSet.SCALAR_ONLY) { blockSqDevScalar(x, mean, C, P, part, bFrom, bTo); return; }
        if (C % S.length() == 0) { // whole vectors, no masks (see WHOLE)
            for (int b = bFrom; b < bTo; b++) {
                long p0 = (long) b * BLOCK, p1 = Math.min(P, p0 + BLOCK);
                for (int c = 0; c < C; c += S.length()) {
                    FloatVector mu = FloatVector.fromMemorySegment(S, mean, c * 4L, LE);
                    FloatVector acc = FloatVector.zero(S);
                    for (long p = p0; p < p1; p++) {
                        FloatVector d = FloatVector.fromMemorySegment(S, x, (p * C + c) * 4, LE).sub(mu);
                        acc = acc.add(d.mul(d));
                    }
                    acc.intoMemorySegment(part, ((long) b * C + c) * 4, LE);
                }
            }
            return;
        }
        for (int b = bFrom; b < bTo; b++) {
            long p0 = (long) b * BLOCK, p1 = Math.min(P, p0 + BLOCK);
            for (int c = 0; c < C; c += S.length()) {
                VectorMask<Float> m = mask(c, C);
                FloatVector mu = FloatVector.fromMemorySegment(S, mean, c * 4L, LE, m);
                FloatVector acc = FloatVector.zero(S);
                for (long p = p0; p < p1; p++) {
                    FloatVector d = FloatVector.fromMemorySegment(S, x, (p * C + c) * 4, LE, m).sub(mu);
                    acc = acc.add(d.mul(d));
                }
                acc.intoMemorySegment(part, ((long) b * C + c) * 4, LE, m);
            }
        }
    }

    public static void blockSqDevScalar(MemorySegment x, MemorySegment mean, int C, long P, MemorySegment part, int bFrom, int bTo) {
        for (int b = bFrom; b < bTo; b++) {
            long p0 = (long) b * BLOCK, p1 = Math.min(P, p0 + BLOCK);
            for (int c = 0; c < C; c++) {
                float mu = mean.getAtIndex(F, c), acc = 0f;
                for (long p = p0; p < p1; p++) {
                    float d = x.getAtIndex(F, p * C + c) - mu;
                    acc += d * d;
                }
                part.setAtIndex(F, (long) b * C + c, acc);
            }
        }
    }

    /** partG[b*C+c] = sum of g[p,c]; partGX[b*C+c] = sum of g[p,c] * (x[p,c] - mean[c]), over block b. */
    public static void blockGradSums(MemorySegment g, MemorySegment x, MemorySegment mean, int C, long P,
                                     MemorySegment partG, MemorySegment partGX, int bFrom, int bTo) {
        if (KernelSet.SCALAR_ONLY) { blockGradSumsScalar(g, x, mean, C, P, partG, partGX, bFrom, bTo); return; }
        if (C % S.length() == 0) { // whole vectors, no masks (see WHOLE)
            for (int b = bFrom; b < bTo; b++) {
                long p0 = (long) b * BLOCK, p1 = Math.min(P, p0 + BLOCK);
                for (int c = 0; c < C; c += S.length()) {
                    FloatVector mu = FloatVector.fromMemorySegment(S, mean, c * 4L, LE);
                    FloatVector sg = FloatVector.zero(S), sgx = sg;
                    for (long p = p0; p < p1; p++) {
                        long o = (p * C + c) * 4;
                        FloatVector gv = FloatVector.fromMemorySegment(S, g, o, LE);
                        sg = sg.add(gv);
                        sgx = sgx.add(gv.mul(FloatVector.fromMemorySegment(S, x, o, LE).sub(mu)));
                    }
                    sg.intoMemorySegment(partG, ((long) b * C + c) * 4, LE);
                    sgx.intoMemorySegment(partGX, ((long) b * C + c) * 4, LE);
                }
            }
            return;
        }
        for (int b = bFrom; b < bTo; b++) {
            long p0 = (long) b * BLOCK, p1 = Math.min(P, p0 + BLOCK);
            for (int c = 0; c < C; c += S.length()) {
                VectorMask<Float> m = mask(c, C);
                FloatVector mu = FloatVector.fromMemorySegment(S, mean, c * 4L, LE, m);
                FloatVector sg = FloatVector.zero(S), sgx = sg;
                for (long p = p0; p < p1; p++) {
                    long o = (p * C + c) * 4;
                    FloatVector gv = FloatVector.fromMemorySegment(S, g, o, LE, m);
                    sg = sg.add(gv);
                    sgx = sgx.add(gv.mul(FloatVector.fromMemorySegment(S, x, o, LE, m).sub(mu)));
                }
                sg.intoMemorySegment(partG, ((long) b * C + c) * 4, LE, m);
                sgx.intoMemorySegment(partGX, ((long) b * C + c) * 4, LE, m);
            }
        }
    }

    public static void blockGradSumsScalar(MemorySegment g, MemorySegment x, MemorySegment mean, int C, long P,
                                           MemorySegment partG, MemorySegment partGX, int bFrom, int bTo) {
        for (int b = bFrom; b < bTo; b++) {
            long p0 = (long) b * BLOCK, p1 = Math.min(P, p0 + BLOCK);
            for (int c = 0; c < C; c++) {
                float mu = mean.getAtIndex(F, c), sg = 0f, sgx = 0f;
                for (long p = p0; p < p1; p++) {
                    float gv = g.getAtIndex(F, p * C + c);
                    sg += gv;
                    sgx += gv * (x.getAtIndex(F, p * C + c) - mu);
                }
                partG.setAtIndex(F, (long) b * C + c, sg);
                partGX.setAtIndex(F, (long) b * C + c, sgx);
            }
        }
    }

    /** out[c] = (float) (scale * sum over blocks b in order of part[b*C + c]) in double, for c in [cFrom,cTo). */
    public static void reduce(MemorySegment part, int nBlocks, int C, double scale, MemorySegment out, int cFrom, int cTo) {
        for (int c = cFrom; c < cTo; c++) {
            double s = 0;
            for (int b = 0; b < nBlocks; b++) s += part.getAtIndex(F, (long) b * C + c);
            out.setAtIndex(F, c, (float) (s * scale));
        }
    }

    /** y[p,c] = fma(x[p,c], scale[c], shift[c]) for pixels [pFrom,pTo). */
    public static void normalize(MemorySegment x, MemorySegment y, MemorySegment scale, MemorySegment shift, int C,
                                 long pFrom, long pTo) {
        if (KernelSet.SCALAR_ONLY) { normalizeScalar(x, y, scale, shift, C, pFrom, pTo); return; }
        if (C % S.length() == 0) {
            for (int c = 0; c < C; c += S.length()) {
                FloatVector a = FloatVector.fromMemorySegment(S, scale, c * 4L, LE);
                FloatVector b = FloatVector.fromMemorySegment(S, shift, c * 4L, LE);
                for (long p = pFrom; p < pTo; p++) {
                    long o = (p * C + c) * 4;
                    FloatVector.fromMemorySegment(S, x, o, LE).fma(a, b).intoMemorySegment(y, o, LE);
                }
            }
            return;
        }
        for (int c = 0; c < C; c += S.length()) {
            VectorMask<Float> m = mask(c, C);
            FloatVector a = FloatVector.fromMemorySegment(S, scale, c * 4L, LE, m);
            FloatVector b = FloatVector.fromMemorySegment(S, shift, c * 4L, LE, m);
            for (long p = pFrom; p < pTo; p++) {
                long o = (p * C + c) * 4;
                FloatVector.fromMemorySegment(S, x, o, LE, m).fma(a, b).intoMemorySegment(y, o, LE, m);
            }
        }
    }

    public static void normalizeScalar(MemorySegment x, MemorySegment y, MemorySegment scale, MemorySegment shift, int C,
                                       long pFrom, long pTo) {
        for (long p = pFrom; p < pTo; p++) {
            for (int c = 0; c < C; c++) {
                y.setAtIndex(F, p * C + c, Math.fma(x.getAtIndex(F, p * C + c), scale.getAtIndex(F, c), shift.getAtIndex(F, c)));
            }
        }
    }

    /**
     * Backward through batch statistics: dx = a[c] * (g - mg[c] - (x - mean[c]) * q[c]) with a = gamma*invstd,
     * mg = mean of g, q = invstd^2 * mean of g*(x-mean). (With mg = q = 0 it is the inference-mode dx = a*g.)
     */
    public static void backwardDx(MemorySegment g, MemorySegment x, MemorySegment dx, MemorySegment a, MemorySegment mg,
                                  MemorySegment mean, MemorySegment q, int C, long pFrom, long pTo) {
        if (KernelSet.SCALAR_ONLY) { backwardDxScalar(g, x, dx, a, mg, mean, q, C, pFrom, pTo); return; }
        if (C % S.length() == 0) { // whole vectors, no masks (see WHOLE)
            for (int c = 0; c < C; c += S.length()) {
                FloatVector av = FloatVector.fromMemorySegment(S, a, c * 4L, LE);
                FloatVector mgv = FloatVector.fromMemorySegment(S, mg, c * 4L, LE);
                FloatVector mu = FloatVector.fromMemorySegment(S, mean, c * 4L, LE);
                FloatVector qv = FloatVector.fromMemorySegment(S, q, c * 4L, LE);
                for (long p = pFrom; p < pTo; p++) {
                    long o = (p * C + c) * 4;
                    FloatVector xv = FloatVector.fromMemorySegment(S, x, o, LE);
                    FloatVector gv = FloatVector.fromMemorySegment(S, g, o, LE);
                    av.mul(gv.sub(mgv).sub(xv.sub(mu).mul(qv))).intoMemorySegment(dx, o, LE);
                }
            }
            return;
        }
        for (int c = 0; c < C; c += S.length()) {
            VectorMask<Float> m = mask(c, C);
            FloatVector av = FloatVector.fromMemorySegment(S, a, c * 4L, LE, m);
            FloatVector mgv = FloatVector.fromMemorySegment(S, mg, c * 4L, LE, m);
            FloatVector mu = FloatVector.fromMemorySegment(S, mean, c * 4L, LE, m);
            FloatVector qv = FloatVector.fromMemorySegment(S, q, c * 4L, LE, m);
            for (long p = pFrom; p < pTo; p++) {
                long o = (p * C + c) * 4;
                FloatVector xv = FloatVector.fromMemorySegment(S, x, o, LE, m);
                FloatVector gv = FloatVector.fromMemorySegment(S, g, o, LE, m);
                av.mul(gv.sub(mgv).sub(xv.sub(mu).mul(qv))).intoMemorySegment(dx, o, LE, m);
            }
        }
    }

    public static void backwardDxScalar(MemorySegment g, MemorySegment x, MemorySegment dx, MemorySegment a, MemorySegment mg,
                                        MemorySegment mean, MemorySegment q, int C, long pFrom, long pTo) {
        for (long p = pFrom; p < pTo; p++) {
            for (int c = 0; c < C; c++) {
                long i = p * C + c;
                float v = a.getAtIndex(F, c) * ((g.getAtIndex(F, i) - mg.getAtIndex(F, c))
                        - (x.getAtIndex(F, i) - mean.getAtIndex(F, c)) * q.getAtIndex(F, c));
                dx.setAtIndex(F, i, v);
            }
        }
    }
}
