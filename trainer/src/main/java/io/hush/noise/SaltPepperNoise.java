package io.hush.noise;

import java.util.random.RandomGenerator;

/**
 * Impulse noise: each value independently, with probability {@code amount}, becomes 1 (salt, with probability
 * {@code saltRatio}) or 0 (pepper). Per value, so in colour images channels are hit independently.
 */
public record SaltPepperNoise(double amount, double saltRatio) implements Noise {
    public SaltPepperNoise {
        if (!(amount >= 0 && amount <= 1)) throw new IllegalArgumentException("saltpepper amount " + amount + " not in [0,1]");
        if (!(saltRatio >= 0 && saltRatio <= 1)) throw new IllegalArgumentException("saltpepper salt ratio " + saltRatio + " not in [0,1]");
    }

    @Override
    public void apply(float[] x, int off, int len, int channels, RandomGenerator rng) {
        for (int i = off, end = off + len; i < end; i++) {
            if (rng.nextDouble() < amount) x[i] = rng.nextDouble() < saltRatio ? 1f : 0f;
        }
    }

    @Override
    public String spec() {
        return "saltpepper:" + NoiseModel.num(amount) + (saltRatio == 0.5 ? "" : "," + NoiseModel.num(saltRatio));
    }
}
