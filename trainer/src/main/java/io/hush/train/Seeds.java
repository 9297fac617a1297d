package io.hush.train;

/**
 * Derived seeds: every random stream of a run (data order, noise, dropout) is a pure function of the run seed and
 * where in the run it is used (epoch, batch), so nothing random has hidden state and a run resumes exactly.
 */
public final class Seeds {
    private Seeds() {}

    /** SplitMix64-style mixing of a seed with a purpose tag and up to two counters. */
    public static long of(long seed, long tag, long a) { return of(seed, tag, a, 0); }

    public static long of(long seed, long tag, long a, long b) {
        long z = mix(seed ^ mix(tag));
        z = mix(z + 0x9E3779B97F4A7C15L * (a + 1));
        return mix(z + 0xD1B54A32D192ED03L * (b + 1));
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
