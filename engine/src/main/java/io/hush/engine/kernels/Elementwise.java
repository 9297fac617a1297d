package io.hush.engine.kernels;

import io.hush.engine.Tensor;
import io.hush.engine.ThreadPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Elementwise loops over whole tensors, and over float index ranges {@code [from,to)} of segments (layers split
 * a tensor into {@link #BLOCK}-sized chunks over threads: {@link #inBlocks}). Every SIMD loop has a scalar reference
 * ({@code ...Scalar}) computing the same float operations in the same order, so they agree bit for bit; it runs
 * instead under {@code -Dhush.kernels=scalar} ({@link KernelSet}).
 *
 * <p>Blocking: none inside a chunk (one pass, one vector at a time: these loops are memory-bound, so there is no
 * reuse for blocking to exploit); {@link #BLOCK}-float chunks (64 KB) only amortise the hand-off to a thread.
 */
public final class Elementwise {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();

    private Elementwise() {}

    /** a += b, over a.size() elements. */
    public static void addInPlace(Tensor a, Tensor b) {
        addInPlace(a.data(), b.data(), a.size());
    }

    public static void addInPlace(MemorySegment a, MemorySegment b, long n) {
        long i = 0;
        long bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector va = FloatVector.fromMemorySegment(S, a, i * 4, LE);
            FloatVector vb = FloatVector.fromMemorySegment(S, b, i * 4, LE);
            va.add(vb).intoMemorySegment(a, i * 4, LE);
        }
        for (; i < n; i++) {
            a.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i,
                    a.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i)
                            + b.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i));
        }
    }

    /** Chunk size (floats) layers use to split elementwise work over threads: 64 KB, big enough to amortise a hand-off. */
    public static final int BLOCK = 1 << 14;

    /** Number of {@link #BLOCK}-sized chunks covering n floats. */
    public static int blocks(long n) {
        return Math.toIntExact((n + BLOCK - 1) / BLOCK);
    }

    /** A kernel over the float index range {@code [from,to)} of its segments. */
    @FunctionalInterface
    public interface Range {
        /** Runs over {@code [from,to)}. */
        void run(long from, long to);
    }

    /**
     * Runs {@code kernel} over {@code [0,n)} in {@link #BLOCK}-float chunks split over the pool's threads. The chunks do
     * not depend on the thread count, so neither do the results of a pointwise kernel.
     */
    public static void inBlocks(ThreadPool pool, long n, Range kernel) {
        pool.parallelFor(blocks(n), (lo, hi, t) -> kernel.run((long) lo * BLOCK, Math.min((long) hi * BLOCK, n)));
    }

    private static final java.lang.foreign.ValueLayout.OfFloat F = java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

    // add/sub/mul kept apart: lanewise(op, v) with op passed in is intrinsified only where C2 inlines op to a constant.
    /** out = a + b over [from,to). */
    public static void add(MemorySegment a, MemorySegment b, MemorySegment out, long from, long to) {
        if (KernelSet.SCALAR_ONLY) { addScalar(a, b, out, from, to); return; }
        long i = from;
        for (; i + S.length() <= to; i += S.length()) {
            FloatVector.fromMemorySegment(S, a, i * 4, LE).add(FloatVector.fromMemorySegment(S, b, i * 4, LE))
                    .intoMemorySegment(out, i * 4, LE);
        }
        for (; i < to; i++) out.setAtIndex(F, i, a.getAtIndex(F, i) + b.getAtIndex(F, i));
    }

    public static void addScalar(MemorySegment a, MemorySegment b, MemorySegment out, long from, long to) {
        for (long i = from; i < to; i++) out.setAtIndex(F, i, a.getAtIndex(F, i) + b.getAtIndex(F, i));
    }

    /** out = a - b over [from,to). */
    public static void sub(MemorySegment a, MemorySegment b, MemorySegment out, long from, long to) {
        if (KernelSet.SCALAR_ONLY) { subScalar(a, b, out, from, to); return; }
        long i = from;
        for (; i + S.length() <= to; i += S.length()) {
            FloatVector.fromMemorySegment(S, a, i * 4, LE).sub(FloatVector.fromMemorySegment(S, b, i * 4, LE))
                    .intoMemorySegment(out, i * 4, LE);
        }
        for (; i < to; i++) out.setAtIndex(F, i, a.getAtIndex(F, i) - b.getAtIndex(F, i));
    }

    public static void subScalar(MemorySegment a, MemorySegment b, MemorySegment out, long from, long to) {
        for (long i = from; i < to; i++) out.setAtIndex(F, i, a.getAtIndex(F, i) - b.getAtIndex(F, i));
    }

    /** out = a * b (elementwise) over [from,to). */
    public static void mul(MemorySegment a, MemorySegment b, MemorySegment out, long from, long to) {
        if (KernelSet.SCALAR_ONLY) { mulScalar(a, b, out, from, to); return; }
        long i = from;
        for (; i + S.length() <= to; i += S.length()) {
            FloatVector.fromMemorySegment(S, a, i * 4, LE).mul(FloatVector.fromMemorySegment(S, b, i * 4, LE))
                    .intoMemorySegment(out, i * 4, LE);
        }
        for (; i < to; i++) out.setAtIndex(F, i, a.getAtIndex(F, i) * b.getAtIndex(F, i));
    }

    public static void mulScalar(MemorySegment a, MemorySegment b, MemorySegment out, long from, long to) {
        for (long i = from; i < to; i++) out.setAtIndex(F, i, a.getAtIndex(F, i) * b.getAtIndex(F, i));
    }

    /**
     * out = x * mul + add over [from,to), as two roundings (multiply, then add; no FMA) so it matches the scalar
     * form and ONNX's separate Mul and Add nodes. {@code add == 0} skips the addition; {@code mul == -1, add == 0}
     * is negation.
     */
    public static void scaleShift(MemorySegment x, float mul, float add, MemorySegment out, long from, long to) {
        if (KernelSet.SCALAR_ONLY) { scaleShiftScalar(x, mul, add, out, from, to); return; }
        long i = from;
        for (; i + S.length() <= to; i += S.length()) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, i * 4, LE).mul(mul);
            if (add != 0f) v = v.add(add);
            v.intoMemorySegment(out, i * 4, LE);
        }
        for (; i < to; i++) {
            float v = x.getAtIndex(F, i) * mul;
            if (add != 0f) v += add;
            out.setAtIndex(F, i, v);
        }
    }

    public static void scaleShiftScalar(MemorySegment x, float mul, float add, MemorySegment out, long from, long to) {
        for (long i = from; i < to; i++) {
            float v = x.getAtIndex(F, i) * mul;
            if (add != 0f) v += add;
            out.setAtIndex(F, i, v);
        }
    }

    /** out = x over [from,to) (a plain copy; x and out must not partially overlap). */
    public static void copy(MemorySegment x, MemorySegment out, long from, long to) {
        if (x.isNative() && out.isNative() && x.address() == out.address()) return;
        MemorySegment.copy(x, from * 4, out, from * 4, (to - from) * 4);
    }
}
