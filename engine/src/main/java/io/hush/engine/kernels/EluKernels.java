package io.hush.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * ELU over float index ranges {@code [from,to)}: {@code y = x > 0 ? x : alpha * (exp(x) - 1)} (Keras {@code ELU},
 * {@code activation='elu'}; ONNX {@code Elu}). The derivative is taken from the output, {@code y > 0 ? 1 : y + alpha},
 * so backward needs only the output (valid for {@code alpha >= 0}). {@code exp} is {@link FastMath#exp}: the same bits
 * at every JIT tier and in the scalar and the vector form, so the SIMD kernels equal their scalar references bit for
 * bit.
 *
 * <p>Blocking: none (one pass, memory-bound, as {@link ActivationKernels}); callers split ranges over threads.
 */
public final class EluKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private EluKernels() {}

    /** {@code y[i] = elu(x[i])}; x and y may be the same segment. */
    public static void forward(MemorySegment x, MemorySegment y, float alpha, long from, long to) {
        if (KernelSet.SCALAR_ONLY) { forwardScalar(x, y, alpha, from, to); return; }
        long i = from;
        int vl = S.length();
        for (; i + vl <= to; i += vl) {
            eluVec(FloatVector.fromMemorySegment(S, x, i * 4, LE), alpha).intoMemorySegment(y, i * 4, LE);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            eluVec(FloatVector.fromMemorySegment(S, x, i * 4, LE, m), alpha).intoMemorySegment(y, i * 4, LE, m);
        }
    }

    private static FloatVector eluVec(FloatVector v, float alpha) {
        FloatVector neg = FastMath.exp(v).sub(1f).mul(alpha);
        return neg.blend(v, v.compare(VectorOperators.GT, 0f));
    }

    /** Scalar reference of {@link #forward}. */
    public static void forwardScalar(MemorySegment x, MemorySegment y, float alpha, long from, long to) {
        for (long i = from; i < to; i++) y.setAtIndex(F, i, elu(x.getAtIndex(F, i), alpha));
    }

    /** Scalar ELU. */
    public static float elu(float x, float alpha) {
        return x > 0f ? x : alpha * (FastMath.exp(x) - 1f);
    }

    /** {@code gx[i] = gy[i] * (y[i] > 0 ? 1 : y[i] + alpha)}; gx may be gy. */
    public static void backward(MemorySegment y, MemorySegment gy, MemorySegment gx, float alpha, long from, long to) {
        if (KernelSet.SCALAR_ONLY) { backwardScalar(y, gy, gx, alpha, from, to); return; }
        long i = from;
        int vl = S.length();
        for (; i + vl <= to; i += vl) {
            FloatVector vy = FloatVector.fromMemorySegment(S, y, i * 4, LE);
            FloatVector g = FloatVector.fromMemorySegment(S, gy, i * 4, LE);
            g.mul(vy.add(alpha)).blend(g, vy.compare(VectorOperators.GT, 0f)).intoMemorySegment(gx, i * 4, LE);
        }
        for (; i < to; i++) {
            float v = y.getAtIndex(F, i), g = gy.getAtIndex(F, i);
            gx.setAtIndex(F, i, v > 0f ? g : g * (v + alpha));
        }
    }

    /** Scalar reference of {@link #backward}. */
    public static void backwardScalar(MemorySegment y, MemorySegment gy, MemorySegment gx, float alpha, long from, long to) {
        for (long i = from; i < to; i++) {
            float v = y.getAtIndex(F, i), g = gy.getAtIndex(F, i);
            gx.setAtIndex(F, i, v > 0f ? g : g * (v + alpha));
        }
    }
}
