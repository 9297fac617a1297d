package io.hush.noise;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A mixture: each image gets exactly one of the alternatives, chosen uniformly from the image's own random stream.
 * Spec {@code gaussian:0-25|gaussian:0-55} puts more training images at low sigma than {@code gaussian:0-55} alone
 * while still covering the whole range; {@code gaussian:25|saltpepper:0.05} trains one model for two kinds of noise.
 */
public record MixtureNoise(List<Noise> alternatives) implements Noise {
    public MixtureNoise {
        alternatives = List.copyOf(alternatives);
        if (alternatives.size() < 2) throw new IllegalArgumentException("a mixture needs at least two alternatives");
    }

    @Override
    public void apply(float[] x, int off, int len, int channels, RandomGenerator rng) {
        alternatives.get(rng.nextInt(alternatives.size())).apply(x, off, len, channels, rng);
    }

    @Override
    public String spec() {
        StringBuilder s = new StringBuilder();
        for (Noise n : alternatives) s.append(s.isEmpty() ? "" : "|").append(n.spec());
        return s.toString();
    }
}
