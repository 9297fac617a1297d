package io.hush.noise;

import java.util.random.RandomGenerator;

/** Multiplicative noise: {@code v + v * n}, n ~ N(0, sigma^2), sigma on the [0,1] scale (a relative deviation). */
public record SpeckleNoise(double sigma) implements Noise {
    public SpeckleNoise {
        if (!(sigma >= 0) || Double.isInfinite(sigma)) throw new IllegalArgumentException("speckle sigma " + sigma + " must be >= 0");
    }

    @Override
    public void apply(float[] x, int off, int len, int channels, RandomGenerator rng) {
        for (int i = off, end = off + len; i < end; i++) x[i] += (float) (x[i] * sigma * rng.nextGaussian());
    }

    @Override
    public String spec() { return "speckle:" + NoiseModel.num(sigma); }
}
