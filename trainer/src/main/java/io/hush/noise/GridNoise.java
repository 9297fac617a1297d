package io.hush.noise;

import java.util.random.RandomGenerator;

/**
 * A noise that needs the pixel grid, not just the flat values: one whose result at a pixel depends on its neighbours
 * (a Bayer mosaic and its demosaicing, JPEG blocks). {@link Noise#apply(float[], int, int, int, RandomGenerator)}
 * alone cannot tell a 64x64 patch from a 32x128 one, so implementations take the grid from
 * {@link NoiseModel#applyInPlace(float[], int, int, int, int, long)}; called without it they may assume a square
 * image and must refuse, with a clear message, any other size.
 */
public interface GridNoise extends Noise {
    /** Corrupts one image {@code x[off, off + height*width*channels)}, laid out {@code [height, width, channels]}. */
    void apply(float[] x, int off, int height, int width, int channels, RandomGenerator rng);

    /** This noise bound to one grid: a plain {@link Noise} (same spec) that always applies it as {@code [height, width]}. */
    default Noise onGrid(int height, int width) {
        GridNoise self = this;
        return new Noise() {
            @Override
            public void apply(float[] x, int off, int len, int channels, RandomGenerator rng) {
                if ((long) height * width * channels != len) {
                    throw new IllegalArgumentException(self.spec() + ": " + len + " values are not an image of " + height + "x"
                            + width + "x" + channels);
                }
                self.apply(x, off, height, width, channels, rng);
            }

            @Override
            public String spec() { return self.spec(); }
        };
    }
}
