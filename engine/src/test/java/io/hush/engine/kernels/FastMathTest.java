package io.hush.engine.kernels;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

/**
 * FastMath's exp, sigmoid and tanh: SIMD equals scalar bit for bit (every lane count, awkward lengths, special
 * values), and each is within its ulp bound of the double-precision function rounded to float, over a sweep of
 * float bit patterns covering the whole range (an exhaustive run over all 2^32 floats measured max 1 ulp for exp and
 * tanh, 2 for sigmoid).
 */
class FastMathTest {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final float[] SPECIAL = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
            88.72283f, 88.72284f, 88.7f, 89f, 89.1f, -87.33654f, -87.4f, -100f, -103.27893f, -103.97208f, -104f, -104.1f,
            0.75f, Math.nextDown(0.75f), -0.75f, Math.nextUp(-0.75f), 0.34657359f, -0.34657359f, 1e-7f, -1e-7f,
            1e-30f, 1e-40f, 20f, -20f, 44.36142f, -44.36142f, 9f, -9f, 16.635532f, -16.635532f};

    /** Distance in representable floats (0 for two NaNs; a NaN against a number is infinitely far). */
    static long ulps(float a, float b) {
        if (Float.isNaN(a) || Float.isNaN(b)) return Float.isNaN(a) && Float.isNaN(b) ? 0 : Long.MAX_VALUE;
        return Math.abs(ordinal(a) - ordinal(b));
    }

    private static long ordinal(float v) {
        int i = Float.floatToRawIntBits(v);
        return i < 0 ? -(long) (i & 0x7fff_ffff) : i;
    }

    enum Fn {
        EXP(Math::exp, 1), SIGMOID(x -> 1 / (1 + Math.exp(-x)), 2), TANH(Math::tanh, 1);

        final DoubleUnaryOperator ref;
        final int maxUlps;

        Fn(DoubleUnaryOperator ref, int maxUlps) {
            this.ref = ref;
            this.maxUlps = maxUlps;
        }

        float scalar(float x) {
            return switch (this) {
                case EXP -> FastMath.exp(x);
                case SIGMOID -> FastMath.sigmoid(x);
                case TANH -> FastMath.tanh(x);
            };
        }

        FloatVector vector(FloatVector x) {
            return switch (this) {
                case EXP -> FastMath.exp(x);
                case SIGMOID -> FastMath.sigmoid(x);
                case TANH -> FastMath.tanh(x);
            };
        }
    }

    @Test
    void accurateOverTheWholeFloatRange() {
        for (Fn f : Fn.values()) {
            long worst = 0;
            float at = 0;
            // every 997th bit pattern (prime stride: all exponents, varied mantissas), plus the special values
            for (long bits = 0; bits <= 0xffff_ffffL; bits += 997) {
                float x = Float.intBitsToFloat((int) bits);
                long u = ulps(f.scalar(x), (float) f.ref.applyAsDouble(x));
                if (u > worst) {
                    worst = u;
                    at = x;
                }
            }
            for (float x : SPECIAL) {
                long u = ulps(f.scalar(x), (float) f.ref.applyAsDouble(x));
                if (u > worst) {
                    worst = u;
                    at = x;
                }
            }
            assertTrue(worst <= f.maxUlps, f + " is " + worst + " ulp off at x = " + at + ": " + f.scalar(at)
                    + " vs " + (float) f.ref.applyAsDouble(at));
        }
    }

    @Test
    void specialValues() {
        assertEquals(1f, FastMath.exp(0f));
        assertEquals(1f, FastMath.exp(-0f));
        assertEquals(Float.POSITIVE_INFINITY, FastMath.exp(89f));
        assertEquals(Float.POSITIVE_INFINITY, FastMath.exp(Float.POSITIVE_INFINITY));
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(FastMath.exp(Float.NEGATIVE_INFINITY)));
        assertEquals(0f, FastMath.exp(-104f));
        assertEquals(Float.MIN_VALUE, FastMath.exp(-103.27893f)); // rounds to the smallest subnormal
        assertTrue(ulps(FastMath.exp(88.72283f), (float) Math.exp(88.72283f)) <= 1); // just below Float.MAX_VALUE
        assertEquals(Float.POSITIVE_INFINITY, FastMath.exp(88.72284f));
        assertTrue(Float.isNaN(FastMath.exp(Float.NaN)));
        assertTrue(Float.isNaN(FastMath.sigmoid(Float.NaN)));
        assertTrue(Float.isNaN(FastMath.tanh(Float.NaN)));
        assertEquals(0.5f, FastMath.sigmoid(0f));
        assertEquals(1f, FastMath.sigmoid(Float.POSITIVE_INFINITY));
        assertEquals(0f, FastMath.sigmoid(Float.NEGATIVE_INFINITY));
        float s = FastMath.sigmoid(-100f); // subnormal, not flushed to 0
        assertTrue(s > 0f && ulps(s, (float) (1 / (1 + Math.exp(100)))) <= 1, "sigmoid(-100) = " + s);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(FastMath.tanh(-0f)));
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(FastMath.tanh(0f)));
        assertEquals(1f, FastMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, FastMath.tanh(Float.NEGATIVE_INFINITY));
        assertEquals(1e-30f, FastMath.tanh(1e-30f));
        assertEquals(-1f, FastMath.tanh(-9.1f));
    }

    @Test
    void vectorEqualsScalarOnEveryLane() {
        int vl = FastMath.S.length();
        float[] xs = new float[SPECIAL.length + 4000];
        System.arraycopy(SPECIAL, 0, xs, 0, SPECIAL.length);
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = SPECIAL.length; i < xs.length; i++) {
            xs[i] = i % 2 == 0 ? (float) ((r.nextDouble() * 2 - 1) * 120) : Float.intBitsToFloat(r.nextInt());
        }
        float[] lanes = new float[vl], out = new float[vl];
        for (Fn f : Fn.values()) {
            for (int i = 0; i + vl <= xs.length; i += vl) {
                System.arraycopy(xs, i, lanes, 0, vl);
                f.vector(FloatVector.fromArray(FastMath.S, lanes, 0)).intoArray(out, 0);
                for (int l = 0; l < vl; l++) {
                    assertEquals(Float.floatToIntBits(f.scalar(lanes[l])), Float.floatToIntBits(out[l]),
                            f + "(" + lanes[l] + ") lane " + l);
                }
            }
        }
    }

    /** The activation kernels (vector body and masked tail) equal Activation.apply bit for bit. */
    @Test
    void activationKernelsEqualTheScalarReference() {
        for (Activation act : new Activation[] {Activation.SIGMOID, Activation.TANH}) {
            for (int n : new int[] {1, 3, 7, 8, 9, 17, 33, 100}) {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment x = a.allocate(n * 4L + 4, 64).asSlice(4); // misaligned on purpose
                    java.util.SplittableRandom r = new java.util.SplittableRandom(n);
                    for (int i = 0; i < n; i++) {
                        x.setAtIndex(F, i, i < SPECIAL.length && i % 3 == 0 ? SPECIAL[i] : (float) ((r.nextDouble() * 2 - 1) * 30));
                    }
                    MemorySegment y1 = a.allocate(n * 4L), y2 = a.allocate(n * 4L);
                    int from = n > 2 ? 2 : 0;
                    ActivationKernels.apply(act, x, y1, from, n);
                    ActivationKernels.applyScalar(act, x, y2, from, n);
                    for (int i = from; i < n; i++) {
                        assertEquals(Float.floatToIntBits(y2.getAtIndex(F, i)), Float.floatToIntBits(y1.getAtIndex(F, i)),
                                act + " n=" + n + " i=" + i + " x=" + x.getAtIndex(F, i));
                    }
                }
            }
        }
    }
}
