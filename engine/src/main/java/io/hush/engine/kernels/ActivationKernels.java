package io.hush.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Pointwise activation kernels over float index ranges {@code [from, to)} of MemorySegments, used by
 * {@code ActivationLayer} and fused into Dense/Conv2D epilogues. Forward: {@code y = f(x)}; backward:
 * {@code gx = gy * f'(x)} with the derivative taken from the <em>output</em> y (see {@link Activation}), so a
 * layer with a fused activation needs only its output in backward. Sources and destinations may be the same
 * segment (in-place).
 *
 * <p>Every kernel equals its scalar reference ({@link Activation#apply}, {@link Activation#derivFromOutput}) bit for
 * bit, at every lane count and JIT tier: sigmoid and tanh use {@link FastMath}'s float-FMA forms, which run the same
 * correctly rounded operations in the vector and the scalar form (not the Vector API's lanewise EXP/TANH, whose SVML
 * intrinsics under C2 differ from their fallbacks by an ulp). Tails shorter than a vector run the same vector code
 * under a mask.
 *
 * <p>Blocking: none. Each element is read and written once, so these loops are memory-bound and there is no reuse
 * for blocking to exploit; callers split the range into {@link Elementwise#BLOCK}-float chunks over threads.
 */
public final class ActivationKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ActivationKernels() {}

    /** {@code y[i] = f(x[i])} for i in [from,to); x and y may be the same segment. */
    public static void apply(Activation a, MemorySegment x, MemorySegment y, long from, long to) {
        if (KernelSet.SCALAR_ONLY) { applyScalar(a, x, y, from, to); return; }
        switch (a.kind()) {
            case LINEAR -> copy(x, y, from, to);
            case RELU -> leaky(x, y, from, to, 0f);
            case LEAKY_RELU -> leaky(x, y, from, to, a.alpha());
            case SIGMOID -> sigmoid(x, y, from, to);
            case TANH -> tanh(x, y, from, to);
        }
    }

    /** In place: {@code y[i] = f(y[i])}. */
    public static void apply(Activation a, MemorySegment y, long from, long to) {
        if (a.kind() == Activation.Kind.LINEAR) return;
        apply(a, y, y, from, to);
    }

    /** Scalar reference of {@link #apply(Activation, MemorySegment, MemorySegment, long, long)}. */
    public static void applyScalar(Activation a, MemorySegment x, MemorySegment y, long from, long to) {
        for (long i = from; i < to; i++) y.setAtIndex(F, i, a.apply(x.getAtIndex(F, i)));
    }

    /**
     * {@code gx[i] = gy[i] * f'(y[i])} with f' computed from the output y; gx may be gy (in place).
     * For LINEAR this is a copy (or nothing when in place).
     */
    public static void mulDerivFromOutput(Activation a, MemorySegment y, MemorySegment gy, MemorySegment gx,
                                          long from, long to) {
        if (KernelSet.SCALAR_ONLY) { mulDerivFromOutputScalar(a, y, gy, gx, from, to); return; }
        switch (a.kind()) {
            case LINEAR -> copy(gy, gx, from, to);
            case RELU -> leakyDeriv(y, gy, gx, from, to, 0f);
            case LEAKY_RELU -> leakyDeriv(y, gy, gx, from, to, a.alpha());
            case SIGMOID -> smoothDeriv(y, gy, gx, from, to, false);
            case TANH -> smoothDeriv(y, gy, gx, from, to, true);
        }
    }

    /** Scalar reference of {@link #mulDerivFromOutput}. */
    public static void mulDerivFromOutputScalar(Activation a, MemorySegment y, MemorySegment gy, MemorySegment gx,
                                                long from, long to) {
        for (long i = from; i < to; i++) {
            gx.setAtIndex(F, i, gy.getAtIndex(F, i) * a.derivFromOutput(y.getAtIndex(F, i)));
        }
    }

    private static void copy(MemorySegment x, MemorySegment y, long from, long to) {
        if (x.address() == y.address() && x.isNative() && y.isNative()) return;
        MemorySegment.copy(x, from * 4, y, from * 4, (to - from) * 4);
    }

    // ---- forward ----

    /**
     * ReLU (alpha 0) and LeakyReLU, written as the scalar form {@code x > 0 ? x : alpha*x} (ReLU: 0) rather than
     * max(), so signed zeros and NaN come out exactly as in {@link Activation#apply}.
     */
    private static void leaky(MemorySegment x, MemorySegment y, long from, long to, float alpha) {
        long i = from;
        int vl = S.length();
        // The vector body is written here rather than in a helper, and the tail is scalar: inlined into apply(), a
        // helper taking vectors was left out of line (C2's node-count cutoff, masked AVX2 tails being large) and
        // every vector it received was boxed.
        for (; i + vl <= to; i += vl) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, i * 4, LE);
            FloatVector neg = alpha == 0f ? FloatVector.zero(S) : v.mul(alpha);
            v.blend(neg, v.compare(VectorOperators.GT, 0f).not()).intoMemorySegment(y, i * 4, LE);
        }
        for (; i < to; i++) y.setAtIndex(F, i, rectify(x.getAtIndex(F, i), alpha));
    }

    /**
     * The activation a convolution applies as it stores its results ({@link ConvKernels#forward}), for the channels
     * its vector code does not cover: {@code x > 0 ? x : slope*x} as {@link Activation#apply} (ReLU: slope 0, giving
     * +0), and x itself for slope 1 (no activation). The vector code writes the same out inline (as {@link #leaky}
     * does), since a vector passed to a method C2 does not inline is boxed.
     */
    static float rectify(float x, float slope) {
        return slope == 1f || x > 0f ? x : slope == 0f ? 0f : slope * x;
    }

    // Kept apart from tanh: one FastMath polynomial per loop; merged under a flag, speed would hang on C2 unswitching.
    private static void sigmoid(MemorySegment x, MemorySegment y, long from, long to) {
        long i = from;
        int vl = S.length();
        for (; i + vl <= to; i += vl) {
            FastMath.sigmoid(FloatVector.fromMemorySegment(S, x, i * 4, LE)).intoMemorySegment(y, i * 4, LE);
        }
        for (; i < to; i++) y.setAtIndex(F, i, FastMath.sigmoid(x.getAtIndex(F, i)));
    }

    private static void tanh(MemorySegment x, MemorySegment y, long from, long to) {
        long i = from;
        int vl = S.length();
        for (; i + vl <= to; i += vl) {
            FastMath.tanh(FloatVector.fromMemorySegment(S, x, i * 4, LE)).intoMemorySegment(y, i * 4, LE);
        }
        for (; i < to; i++) y.setAtIndex(F, i, FastMath.tanh(x.getAtIndex(F, i)));
    }

    // ---- backward (derivative from output) ----

    private static void leakyDeriv(MemorySegment y, MemorySegment gy, MemorySegment gx, long from, long to, float alpha) {
        long i = from;
        int vl = S.length();
        for (; i + vl <= to; i += vl) {
            FloatVector vy = FloatVector.fromMemorySegment(S, y, i * 4, LE);
            FloatVector g = FloatVector.fromMemorySegment(S, gy, i * 4, LE);
            // alpha == 0: g * 0 keeps the scalar reference's signed zero / NaN behaviour
            g.blend(g.mul(alpha), vy.compare(VectorOperators.GT, 0f).not()).intoMemorySegment(gx, i * 4, LE);
        }
        for (; i < to; i++) {
            float g = gy.getAtIndex(F, i);
            gx.setAtIndex(F, i, g * (y.getAtIndex(F, i) > 0f ? 1f : alpha));
        }
    }

    /**
     * Sigmoid ({@code y*(1-y)}) and tanh ({@code 1-y*y}) derivatives from the output, times the gradient: one loop, the
     * choice a loop-invariant branch (C2 unswitches it).
     */
    private static void smoothDeriv(MemorySegment y, MemorySegment gy, MemorySegment gx, long from, long to, boolean tanh) {
        long i = from;
        int vl = S.length();
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i + vl <= to; i += vl) {
            FloatVector vy = FloatVector.fromMemorySegment(S, y, i * 4, LE);
            FloatVector g = FloatVector.fromMemorySegment(S, gy, i * 4, LE);
            g.mul(tanh ? one.sub(vy.mul(vy)) : vy.mul(one.sub(vy))).intoMemorySegment(gx, i * 4, LE);
        }
        for (; i < to; i++) {
            float v = y.getAtIndex(F, i);
            gx.setAtIndex(F, i, gy.getAtIndex(F, i) * (tanh ? 1f - v * v : v * (1f - v)));
        }
    }
}
