package io.hush.train.optim;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Optimiser update loops over element ranges {@code [from,to)} of off-heap parameter, gradient and state buffers.
 * They are memory-bound (Adam reads 16 and writes 12 bytes per parameter), so one vector pass over the range with
 * no temporaries is all that matters; the scalar tails and the {@code *Scalar} references use the very same
 * operation sequence (no FMA on either side), so vector and scalar results are bit-identical and a range may be
 * split anywhere between threads.
 */
public final class UpdateKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private UpdateKernels() {}

    /**
     * Adam/AdamW (PyTorch's formulation): w *= decayMul; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
     * w -= stepSize * m / (sqrt(v) / sqrtBc2 + eps), with stepSize = lr / (1 - b1^t) and sqrtBc2 = sqrt(1 - b2^t).
     * ob1 = 1-b1 and ob2 = 1-b2 come from the caller, computed in double from the double betas as PyTorch does
     * (1f - 0.999f is not the float nearest 0.001).
     */
    public static void adam(MemorySegment w, MemorySegment g, MemorySegment m, MemorySegment v, long from, long to,
                            float b1, float ob1, float b2, float ob2, float stepSize, float sqrtBc2, float eps, float decayMul) {
        long i = from;
        long bound = from + S.loopBound(to - from);
        for (; i < bound; i += S.length()) {
            long o = i * 4;
            FloatVector vg = FloatVector.fromMemorySegment(S, g, o, LE);
            FloatVector vm = FloatVector.fromMemorySegment(S, m, o, LE).mul(b1).add(vg.mul(ob1));
            FloatVector vv = FloatVector.fromMemorySegment(S, v, o, LE).mul(b2).add(vg.mul(vg).mul(ob2));
            FloatVector vw = FloatVector.fromMemorySegment(S, w, o, LE).mul(decayMul);
            FloatVector denom = vv.lanewise(VectorOperators.SQRT).div(sqrtBc2).add(eps);
            vw = vw.sub(vm.mul(stepSize).div(denom));
            vm.intoMemorySegment(m, o, LE);
            vv.intoMemorySegment(v, o, LE);
            vw.intoMemorySegment(w, o, LE);
        }
        adamScalar(w, g, m, v, i, to, b1, ob1, b2, ob2, stepSize, sqrtBc2, eps, decayMul);
    }

    /** Scalar reference of {@link #adam} (also its tail). */
    public static void adamScalar(MemorySegment w, MemorySegment g, MemorySegment m, MemorySegment v, long from, long to,
                                  float b1, float ob1, float b2, float ob2, float stepSize, float sqrtBc2, float eps, float decayMul) {
        for (long i = from; i < to; i++) {
            float gi = g.getAtIndex(F, i);
            float mi = m.getAtIndex(F, i) * b1 + gi * ob1;
            float vi = v.getAtIndex(F, i) * b2 + gi * gi * ob2;
            float wi = w.getAtIndex(F, i) * decayMul;
            float denom = (float) Math.sqrt(vi) / sqrtBc2 + eps;
            wi = wi - mi * stepSize / denom;
            m.setAtIndex(F, i, mi);
            v.setAtIndex(F, i, vi);
            w.setAtIndex(F, i, wi);
        }
    }

    /** Plain SGD: w -= lr g. */
    public static void sgd(MemorySegment w, MemorySegment g, long from, long to, float lr) {
        long i = from;
        long bound = from + S.loopBound(to - from);
        for (; i < bound; i += S.length()) {
            long o = i * 4;
            FloatVector vw = FloatVector.fromMemorySegment(S, w, o, LE);
            vw.sub(FloatVector.fromMemorySegment(S, g, o, LE).mul(lr)).intoMemorySegment(w, o, LE);
        }
        sgdScalar(w, g, i, to, lr);
    }

    public static void sgdScalar(MemorySegment w, MemorySegment g, long from, long to, float lr) {
        for (long i = from; i < to; i++) w.setAtIndex(F, i, w.getAtIndex(F, i) - g.getAtIndex(F, i) * lr);
    }

    /**
     * SGD with momentum (PyTorch's form, no dampening): b = mu b + g; d = nesterov ? g + mu b : b; w -= lr d.
     * For a constant learning rate this is the same trajectory as Keras' v = mu v - lr g; w += v.
     */
    public static void momentum(MemorySegment w, MemorySegment g, MemorySegment b, long from, long to,
                                float lr, float mu, boolean nesterov) {
        long i = from;
        long bound = from + S.loopBound(to - from);
        for (; i < bound; i += S.length()) {
            long o = i * 4;
            FloatVector vg = FloatVector.fromMemorySegment(S, g, o, LE);
            FloatVector vb = FloatVector.fromMemorySegment(S, b, o, LE).mul(mu).add(vg);
            FloatVector d = nesterov ? vg.add(vb.mul(mu)) : vb;
            vb.intoMemorySegment(b, o, LE);
            FloatVector.fromMemorySegment(S, w, o, LE).sub(d.mul(lr)).intoMemorySegment(w, o, LE);
        }
        momentumScalar(w, g, b, i, to, lr, mu, nesterov);
    }

    public static void momentumScalar(MemorySegment w, MemorySegment g, MemorySegment b, long from, long to,
                                      float lr, float mu, boolean nesterov) {
        for (long i = from; i < to; i++) {
            float gi = g.getAtIndex(F, i);
            float bi = b.getAtIndex(F, i) * mu + gi;
            float d = nesterov ? gi + bi * mu : bi;
            b.setAtIndex(F, i, bi);
            w.setAtIndex(F, i, w.getAtIndex(F, i) - d * lr);
        }
    }

    /**
     * Sum of squares of {@code g[from,to)} in double. Lanes are summed in lane order from an array, not with
     * {@code reduceLanes(ADD)}, whose order is unspecified and differs between the interpreter and C2: a norm that
     * changes as the JIT warms up would break bit-exact runs (clipping scales every gradient by it).
     */
    public static double sumSquares(MemorySegment g, long from, long to) {
        long i = from;
        long bound = from + S.loopBound(to - from);
        // float lanes per block of 1024 elements, widened to double per block: exact enough and still vectorised
        double total = 0;
        float[] lanes = new float[S.length()];
        while (i < bound) {
            long end = Math.min(bound, i + 1024);
            FloatVector acc = FloatVector.zero(S);
            for (; i < end; i += S.length()) {
                FloatVector vg = FloatVector.fromMemorySegment(S, g, i * 4, LE);
                acc = acc.add(vg.mul(vg));
            }
            acc.intoArray(lanes, 0);
            for (float l : lanes) total += l;
        }
        for (; i < to; i++) {
            double x = g.getAtIndex(F, i);
            total += x * x;
        }
        return total;
    }

    /** g *= s. */
    public static void scale(MemorySegment g, long from, long to, float s) {
        long i = from;
        long bound = from + S.loopBound(to - from);
        for (; i < bound; i += S.length()) {
            long o = i * 4;
            FloatVector.fromMemorySegment(S, g, o, LE).mul(s).intoMemorySegment(g, o, LE);
        }
        for (; i < to; i++) g.setAtIndex(F, i, g.getAtIndex(F, i) * s);
    }
}
