package io.hush.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Softmax over the last axis (the channels of an NHWC image, the features of {@code [N,F]}), row by row: a row is the
 * {@code C} contiguous values of one pixel or sample. Forward: {@code m = max(x)}, {@code e = exp(x - m)},
 * {@code y = e / sum(e)} (the shift keeps exp from overflowing; Keras and ONNX compute the same). Backward:
 * {@code gx = y * (g - sum(g * y))}.
 *
 * <p>SIMD runs along the row with a masked tail; the sums are lanewise partial sums reduced at the end, so their
 * rounding differs from the scalar reference's left-to-right sum by a few ulp (tests compare with a tolerance).
 * {@code exp} is {@link FastMath#exp} in both, identical at every JIT tier.
 *
 * <p>Blocking: by row. A row (one pixel's or sample's {@code C} values) is read three times (max, exp-sum, scale),
 * so it stays in L1 between the passes; rows are independent, and callers split them over threads.
 */
public final class SoftmaxKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private SoftmaxKernels() {}

    /** Forward for rows {@code [rowFrom,rowTo)} of width {@code C}. */
    public static void forward(MemorySegment x, MemorySegment y, int C, long rowFrom, long rowTo) {
        if (KernelSet.SCALAR_ONLY) { forwardScalar(x, y, C, rowFrom, rowTo); return; }
        for (long r = rowFrom; r < rowTo; r++) row(x, y, r * C, C);
    }

    private static void row(MemorySegment x, MemorySegment y, long base, int C) {
        int vl = S.length();
        FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int c = 0; c < C; c += vl) {
            VectorMask<Float> m = S.indexInRange(c, C);
            FloatVector v = FloatVector.fromMemorySegment(S, x, (base + c) * 4, LE, m);
            mx = mx.blend(mx.max(v), m);
        }
        float max = mx.reduceLanes(VectorOperators.MAX);
        FloatVector sum = FloatVector.zero(S);
        for (int c = 0; c < C; c += vl) {
            VectorMask<Float> m = S.indexInRange(c, C);
            FloatVector e = FastMath.exp(FloatVector.fromMemorySegment(S, x, (base + c) * 4, LE, m).sub(max));
            e.intoMemorySegment(y, (base + c) * 4, LE, m);
            sum = sum.add(e, m);
        }
        float s = sum.reduceLanes(VectorOperators.ADD);
        for (int c = 0; c < C; c += vl) {
            VectorMask<Float> m = S.indexInRange(c, C);
            FloatVector.fromMemorySegment(S, y, (base + c) * 4, LE, m).div(s).intoMemorySegment(y, (base + c) * 4, LE, m);
        }
    }

    /** Scalar reference of {@link #forward}. */
    public static void forwardScalar(MemorySegment x, MemorySegment y, int C, long rowFrom, long rowTo) {
        for (long r = rowFrom; r < rowTo; r++) {
            long base = r * C;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < C; c++) max = Math.max(max, x.getAtIndex(F, base + c));
            float s = 0f;
            for (int c = 0; c < C; c++) {
                float e = FastMath.exp(x.getAtIndex(F, base + c) - max);
                y.setAtIndex(F, base + c, e);
                s += e;
            }
            for (int c = 0; c < C; c++) y.setAtIndex(F, base + c, y.getAtIndex(F, base + c) / s);
        }
    }

    /** Backward for rows {@code [rowFrom,rowTo)}: {@code gx = y * (gy - dot(gy, y))}; gx may be gy. */
    public static void backward(MemorySegment y, MemorySegment gy, MemorySegment gx, int C, long rowFrom, long rowTo) {
        if (KernelSet.SCALAR_ONLY) { backwardScalar(y, gy, gx, C, rowFrom, rowTo); return; }
        for (long r = rowFrom; r < rowTo; r++) backRow(y, gy, gx, r * C, C);
    }

    private static void backRow(MemorySegment y, MemorySegment gy, MemorySegment gx, long base, int C) {
        int vl = S.length();
        FloatVector acc = FloatVector.zero(S);
        for (int c = 0; c < C; c += vl) {
            VectorMask<Float> m = S.indexInRange(c, C);
            FloatVector vy = FloatVector.fromMemorySegment(S, y, (base + c) * 4, LE, m);
            FloatVector g = FloatVector.fromMemorySegment(S, gy, (base + c) * 4, LE, m);
            acc = acc.add(vy.mul(g), m);
        }
        float dot = acc.reduceLanes(VectorOperators.ADD);
        for (int c = 0; c < C; c += vl) {
            VectorMask<Float> m = S.indexInRange(c, C);
            FloatVector vy = FloatVector.fromMemorySegment(S, y, (base + c) * 4, LE, m);
            FloatVector g = FloatVector.fromMemorySegment(S, gy, (base + c) * 4, LE, m);
            vy.mul(g.sub(dot)).intoMemorySegment(gx, (base + c) * 4, LE, m);
        }
    }

    /** Scalar reference of {@link #backward}. */
    public static void backwardScalar(MemorySegment y, MemorySegment gy, MemorySegment gx, int C, long rowFrom, long rowTo) {
        for (long r = rowFrom; r < rowTo; r++) {
            long base = r * C;
            float dot = 0f;
            for (int c = 0; c < C; c++) dot += y.getAtIndex(F, base + c) * gy.getAtIndex(F, base + c);
            for (int c = 0; c < C; c++) {
                gx.setAtIndex(F, base + c, y.getAtIndex(F, base + c) * (gy.getAtIndex(F, base + c) - dot));
            }
        }
    }
}
