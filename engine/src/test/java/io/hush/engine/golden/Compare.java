package io.hush.engine.golden;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Element-wise comparison of Hush output with a golden reference.
 *
 * <p>Tolerance. The references are computed in float64 from the same float32 inputs and rounded once, so they are
 * exact to 2^-24 relative; all the error is Hush's float32 arithmetic. An output that is a sum of K float32 products
 * accumulates one rounding (<= 2^-24 ~ 6e-8 relative to the running partial sum) per term; with blocked / SIMD
 * partial sums the errors behave like a random walk, ~sqrt(K) * 6e-8 * (size of the partial sums). Partial sums can
 * be much larger than the final value when terms cancel, so the bound is anchored to the largest reference value in
 * the tensor rather than to each element:
 * <pre>  |hush - ref| <= 1e-5 * |ref| + 2e-6 * sqrt(K) * max|ref|</pre>
 * 2e-6 = ~30 x 6e-8 leaves room for partial sums a few times max|ref| and for transcendental activations (Java's
 * exp/tanh in float). A layout or indexing bug gives errors of order max|ref| -- thousands of times this bound.
 */
public final class Compare {
    private Compare() {}

    public static double check(String what, float[] ref, float[] got, long terms) {
        return check(what, ref, got, terms, 1e-5, 2e-6);
    }

    /** Returns the worst |hush - ref| / allowed (< 1 passes) and prints the worst differences for the record. */
    public static double check(String what, float[] ref, float[] got, long terms, double rtol, double atolPerSqrtK) {
        assertEquals(ref.length, got.length, what + ": number of values");
        double max = 0;
        for (float v : ref) max = Math.max(max, Math.abs(v));
        double atol = atolPerSqrtK * Math.sqrt(Math.max(terms, 1)) * max + 1e-30;
        double worstDiff = 0, worstRatio = 0;
        int worstAt = -1;
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs((double) got[i] - ref[i]);
            if (!(d == d)) d = Double.POSITIVE_INFINITY; // NaN
            double ratio = d / (rtol * Math.abs(ref[i]) + atol);
            if (d > worstDiff) worstDiff = d;
            if (ratio > worstRatio || worstAt < 0) {
                worstRatio = ratio;
                worstAt = i;
            }
        }
        System.out.println(String.format(Locale.ROOT,
                "golden %-44s n=%-6d K=%-5d max|ref|=%.3g  max|diff|=%.3g  (%.2g of max|ref|, %.1f%% of tolerance)",
                what, ref.length, terms, max, worstDiff, max == 0 ? 0 : worstDiff / max, 100 * worstRatio));
        if (worstRatio > 1) {
            fail(String.format(Locale.ROOT, "%s: element %d is %.8g, reference %.8g (|diff| %.3g > allowed %.3g; "
                            + "max|ref| %.4g, K=%d)", what, worstAt, got[worstAt], ref[worstAt],
                    Math.abs(got[worstAt] - ref[worstAt]), rtol * Math.abs(ref[worstAt]) + atol, max, terms));
        }
        return worstRatio;
    }
}
