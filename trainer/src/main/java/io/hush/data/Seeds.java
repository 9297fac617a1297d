package io.hush.data;

/** Derives independent seeds from a root seed and a path of integers (epoch, sample, purpose), by SplitMix64 mixing. */
public final class Seeds {
    private Seeds() {}

    public static long derive(long seed, long... path) {
        long z = mix(seed);
        for (long p : path) z = mix(z + 0x9E3779B97F4A7C15L * (p + 1));
        return z;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
