package io.hush.noise;

import java.util.random.RandomGenerator;

/**
 * Additive white Gaussian noise. Sigma is given on the 0..255 scale (the convention of the denoising literature:
 * {@code gaussian:25} adds noise of standard deviation 25/255 to values in [0,1]). With a range {@code lo-hi} each
 * image draws its own sigma uniformly from [lo, hi] (blind denoising, as DnCNN-B's 0-55).
 */
public record GaussianNoise(double sigmaLo255, double sigmaHi255) implements Noise {
    public GaussianNoise {
        if (!(sigmaLo255 >= 0) || !(sigmaHi255 >= sigmaLo255) || Double.isInfinite(sigmaHi255)) {
            throw new IllegalArgumentException("gaussian sigma range " + sigmaLo255 + "-" + sigmaHi255
                    + ": need 0 <= lo <= hi (0..255 scale)");
        }
    }

    /** Fixed sigma on the 0..255 scale. */
    public static GaussianNoise of(double sigma255) { return new GaussianNoise(sigma255, sigma255); }

    @Override
    public void apply(float[] x, int off, int len, int channels, RandomGenerator rng) {
        double s255 = sigmaLo255 == sigmaHi255 ? sigmaLo255 : sigmaLo255 + (sigmaHi255 - sigmaLo255) * rng.nextDouble();
        double sigma = s255 / 255.0;
        for (int i = off, end = off + len; i < end; i++) x[i] += (float) (sigma * rng.nextGaussian());
    }

    @Override
    public String spec() {
        return "gaussian:" + NoiseModel.num(sigmaLo255) + (sigmaLo255 == sigmaHi255 ? "" : "-" + NoiseModel.num(sigmaHi255));
    }
}
