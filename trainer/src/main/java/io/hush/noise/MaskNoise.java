package io.hush.noise;

import java.util.random.RandomGenerator;

/** Drops each pixel (all its channels together) with probability {@code fraction}, setting it to 0. */
public record MaskNoise(double fraction) implements Noise {
    public MaskNoise {
        if (!(fraction >= 0 && fraction <= 1)) throw new IllegalArgumentException("mask fraction " + fraction + " not in [0,1]");
    }

    @Override
    public void apply(float[] x, int off, int len, int channels, RandomGenerator rng) {
        for (int i = off, end = off + len; i < end; i += channels) {
            if (rng.nextDouble() < fraction) {
                for (int c = 0; c < channels; c++) x[i + c] = 0f;
            }
        }
    }

    @Override
    public String spec() { return "mask:" + NoiseModel.num(fraction); }
}
