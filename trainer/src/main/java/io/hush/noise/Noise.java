package io.hush.noise;

import java.util.random.RandomGenerator;

/**
 * One kind of synthetic corruption, applied in place to one image of values in [0,1]. Implementations hold only their
 * parameters; every bit of randomness comes from the generator passed in, so the same seed gives the same noise and
 * a new seed gives fresh noise. Combine them (and clipping, quantisation) with {@link NoiseModel}.
 */
public interface Noise {
    /**
     * Corrupts {@code x[off, off + len)} in place: one image {@code [H, W, channels]} flattened, so
     * {@code len % channels == 0}.
     */
    void apply(float[] x, int off, int len, int channels, RandomGenerator rng);

    /** The spec this noise parses from, e.g. {@code gaussian:25}. */
    String spec();
}
