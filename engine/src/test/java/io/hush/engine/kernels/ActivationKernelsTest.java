package io.hush.engine.kernels;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class ActivationKernelsTest {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final Activation[] ALL = {Activation.LINEAR, Activation.RELU, Activation.leakyRelu(0.3f),
            Activation.SIGMOID, Activation.TANH};

    static MemorySegment random(Arena a, int n, long seed, float scale) {
        MemorySegment s = a.allocate(n * 4L + 4, 64).asSlice(4); // misaligned on purpose
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) s.setAtIndex(F, i, (float) ((r.nextDouble() * 2 - 1) * scale));
        return s;
    }

    @Test
    void simdMatchesScalarOnAwkwardSizes() {
        for (int n : new int[] {1, 3, 17, 33, 100}) {
            for (Activation act : ALL) {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment x = random(a, n, n, 12f);
                    x.setAtIndex(F, 0, -0f);
                    MemorySegment y1 = a.allocate(n * 4L), y2 = a.allocate(n * 4L);
                    // offset range [1, n) exercises a non-zero start
                    int from = n > 1 ? 1 : 0;
                    ActivationKernels.apply(act, x, y1, from, n);
                    ActivationKernels.applyScalar(act, x, y2, from, n);
                    for (int i = from; i < n; i++) {
                        float p = y1.getAtIndex(F, i), q = y2.getAtIndex(F, i);
                        boolean exact = act.kind() != Activation.Kind.SIGMOID && act.kind() != Activation.Kind.TANH;
                        if (exact) assertEquals(Float.floatToRawIntBits(q), Float.floatToRawIntBits(p), act + " n=" + n + " i=" + i);
                        else assertEquals(q, p, 3e-7f + 3e-7f * Math.abs(q), act + " n=" + n + " i=" + i);
                    }
                    MemorySegment gy = random(a, n, n + 1, 1f);
                    MemorySegment g1 = a.allocate(n * 4L), g2 = a.allocate(n * 4L);
                    ActivationKernels.mulDerivFromOutput(act, y2, gy, g1, from, n);
                    ActivationKernels.mulDerivFromOutputScalar(act, y2, gy, g2, from, n);
                    for (int i = from; i < n; i++) {
                        assertEquals(Float.floatToRawIntBits(g2.getAtIndex(F, i)), Float.floatToRawIntBits(g1.getAtIndex(F, i)),
                                act + " deriv n=" + n + " i=" + i);
                    }
                    // in place
                    ActivationKernels.apply(act, x, from, n);
                    for (int i = from; i < n; i++) assertEquals(y1.getAtIndex(F, i), x.getAtIndex(F, i));
                }
            }
        }
    }

    @Test
    void elementwiseSimdMatchesScalar() {
        for (int n : new int[] {1, 3, 17, 33}) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment x = random(a, n, 1, 3f), y = random(a, n, 2, 3f);
                MemorySegment o1 = a.allocate(n * 4L), o2 = a.allocate(n * 4L);
                Elementwise.add(x, y, o1, 0, n);
                Elementwise.addScalar(x, y, o2, 0, n);
                assertEquals(-1, o1.mismatch(o2));
                Elementwise.sub(x, y, o1, 0, n);
                Elementwise.subScalar(x, y, o2, 0, n);
                assertEquals(-1, o1.mismatch(o2));
                Elementwise.mul(x, y, o1, 0, n);
                Elementwise.mulScalar(x, y, o2, 0, n);
                assertEquals(-1, o1.mismatch(o2));
                Elementwise.scaleShift(x, 0.3f, -1.7f, o1, 0, n);
                Elementwise.scaleShiftScalar(x, 0.3f, -1.7f, o2, 0, n);
                assertEquals(-1, o1.mismatch(o2));
            }
        }
    }
}
