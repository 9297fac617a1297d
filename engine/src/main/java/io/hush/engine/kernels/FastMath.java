package io.hush.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code exp}, {@code sigmoid} and {@code tanh} on floats, written in plain float arithmetic (multiplies, adds,
 * FMAs, one division, integer bit operations), each in a scalar and a vector form that run the very same sequence
 * of correctly rounded operations.
 *
 * <p><b>Why not {@code Math.exp} or the Vector API's lanewise {@code EXP}/{@code TANH}:</b> lanewise EXP/TANH run
 * SVML intrinsics once C2 compiles a kernel and Java fallbacks before, about 1 ulp apart, so the same model gave
 * different outputs depending on how warm the JIT was (a training test that compared two runs flaked), and the
 * vector kernel could not equal its scalar reference. Every operation used here (add, multiply, divide, FMA,
 * min/max, bit casts) is exactly rounded by IEEE 754 in the interpreter, C1 and C2 alike, so the result is the
 * same bit pattern at every JIT tier, on every lane count, and for the scalar and the vector form.
 *
 * <p><b>exp</b>: {@code x = k*ln2 + r} with {@code k = round(x/ln2)} (by the add-1.5*2^23 trick inside an FMA, which
 * also yields k as the low bits of the float), {@code |r| <= ln2/2} by Cody-Waite reduction (the FMA makes
 * {@code x - k*LN2_HI} exact); {@code exp(r) = 1 + (r + r^2*Q(r))} with Q a degree-4 polynomial fitted for relative
 * error (3e-9, well under half an ulp; fit in {@code tools/fit_fastmath.py}); then the result is scaled by
 * {@code 2^k} as two exactly representable factors {@code 2^(k/2)} and {@code 2^(k - k/2)}, so subnormal results
 * are rounded once and overflow gives infinity without any branch. Inputs are clamped to [-104, 89] first (outside,
 * the float result is 0 or infinity anyway); NaN stays NaN. Measured over every float: within 1 ulp of
 * {@code (float) Math.exp(x)}.
 *
 * <p><b>sigmoid</b>: {@code e = exp(-|x|)}, then {@code 1/(1+e)} for {@code x >= 0} and {@code e/(1+e)} below, so
 * neither side overflows or cancels (sigmoid(-100) is a correct subnormal, not 0). Measured over every float:
 * within 2 ulp of {@code 1/(1+Math.exp(-x))} in double, rounded.
 *
 * <p><b>tanh</b> of {@code a = |x|}, then given the sign of x (so it is exactly odd and keeps the sign of zero):
 * for {@code a < 0.75} the odd polynomial {@code a + a^3*R(a^2)} (R of degree 5, relative error 8e-9), so tiny
 * inputs keep full precision; above, {@code 1 - 2/(exp(2a) + 1)}, where {@code 2/(e+1) <= 0.37} keeps the
 * subtraction's cancellation mild. Measured over every float: within 1 ulp of {@code (float) Math.tanh(x)}.
 *
 * <p>The vector forms take and return vectors: they are small enough for C2 to inline into the calling loop,
 * which keeps the vectors in registers.
 */
public final class FastMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** 1/ln 2, rounded to float. */
    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding it to |v| < 2^22 rounds v to an integer, which lands in the low mantissa bits. */
    private static final float ROUNDER = 0x1.8p23f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    /** ln 2 = LN2_HI + LN2_LO; LN2_HI is ln 2 rounded to float, LN2_LO the (double) remainder rounded to float. */
    private static final float LN2_HI = (float) 0.6931471805599453;
    private static final float LN2_LO = (float) (0.6931471805599453 - (double) LN2_HI);
    /** Below: exp rounds to +0 (exp(-104) < 2^-150); above: to infinity (exp(89) > Float.MAX_VALUE). */
    private static final float EXP_LO = -104f, EXP_HI = 89f;

    /** exp(r) = 1 + r + r^2 * (E2 + E3 r + E4 r^2 + E5 r^3 + E6 r^4) on |r| <= ln2/2 (least-squares/Lawson fit). */
    private static final float E2 = 0.49999994f, E3 = 0.16666521f, E4 = 0.041668389f, E5 = 0.0083687063f,
            E6 = 0.0013814552f;

    /** |x| below this: tanh by the odd polynomial. */
    private static final float TANH_POLY = 0.75f;
    /** tanh(x) = x + x^3 * (T0 + T1 u + ... + T5 u^5), u = x^2, on |x| <= 0.75 (fit for relative error). */
    private static final float T0 = -0.33333316f, T1 = 0.13332695f, T2 = -0.053892724f, T3 = 0.021452036f,
            T4 = -0.0076572588f, T5 = 0.0017369379f;
    private static final int SIGN = 0x8000_0000;

    private FastMath() {}

    // ---- scalar ----

    /** e^x, within 1 ulp of {@code Math.exp}; bit-identical to {@link #exp(FloatVector)} on every lane. */
    public static float exp(float x) {
        float c = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(c, LOG2E, ROUNDER);                  // ROUNDER + round(c / ln2)
        float k = t - ROUNDER;                                  // exact
        float r = Math.fma(k, -LN2_HI, c);                      // exact (see class comment)
        r = Math.fma(k, -LN2_LO, r);
        float q = Math.fma(Math.fma(Math.fma(Math.fma(E6, r, E5), r, E4), r, E3), r, E2);
        float p = 1f + Math.fma(q, r * r, r);
        int ki = Float.floatToRawIntBits(t) - ROUNDER_BITS;     // k as an int, in [-150, 128]
        int k1 = ki >> 1, k2 = ki - k1;
        return p * Float.intBitsToFloat((k1 + 127) << 23) * Float.intBitsToFloat((k2 + 127) << 23);
    }

    /** 1/(1+e^-x), within 2 ulp; bit-identical to {@link #sigmoid(FloatVector)}. */
    public static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        float d = 1f + e;
        return (x < 0f ? e : 1f) / d;
    }

    /** tanh(x), within 1 ulp of {@code Math.tanh}; bit-identical to {@link #tanh(FloatVector)}. */
    public static float tanh(float x) {
        float a = Math.abs(x);
        float e = exp(a + a);
        float big = 1f - 2f / (e + 1f);
        float u = a * a;
        float q = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(T5, u, T4), u, T3), u, T2), u, T1), u, T0);
        float small = Math.fma(a * u, q, a);
        float r = a < TANH_POLY ? small : big;
        return Float.intBitsToFloat(Float.floatToRawIntBits(r) | (Float.floatToRawIntBits(x) & SIGN)); // odd
    }

    // ---- vector: the same operations lane by lane ----

    /** Lanewise {@link #exp(float)}. */
    public static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = c.fma(LOG2E, ROUNDER);
        FloatVector k = t.sub(ROUNDER);
        FloatVector r = k.fma(FloatVector.broadcast(S, -LN2_HI), c);
        r = k.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector q = r.fma(E6, E5).fma(r, FloatVector.broadcast(S, E4));
        q = q.fma(r, FloatVector.broadcast(S, E3)).fma(r, FloatVector.broadcast(S, E2));
        FloatVector p = q.fma(r.mul(r), r).add(1f);
        IntVector ki = t.reinterpretAsInts().sub(ROUNDER_BITS);
        IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1), k2 = ki.sub(k1);
        FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }

    /** Lanewise {@link #sigmoid(float)}. */
    public static FloatVector sigmoid(FloatVector x) {
        FloatVector e = exp(x.abs().neg());
        FloatVector d = e.add(1f);
        VectorMask<Float> neg = x.compare(VectorOperators.LT, 0f);
        return FloatVector.broadcast(S, 1f).blend(e, neg).div(d);
    }

    /** Lanewise {@link #tanh(float)}. */
    public static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector e = exp(a.add(a));
        FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(e.add(1f)));
        FloatVector u = a.mul(a);
        FloatVector q = u.fma(T5, T4).fma(u, FloatVector.broadcast(S, T3));
        q = q.fma(u, FloatVector.broadcast(S, T2)).fma(u, FloatVector.broadcast(S, T1)).fma(u, FloatVector.broadcast(S, T0));
        FloatVector small = a.mul(u).fma(q, a);
        FloatVector r = big.blend(small, a.compare(VectorOperators.LT, TANH_POLY));
        return r.reinterpretAsInts().or(x.reinterpretAsInts().and(SIGN)).reinterpretAsFloats();
    }
}
