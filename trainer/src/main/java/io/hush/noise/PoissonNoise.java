package io.hush.noise;

import java.util.random.RandomGenerator;

/**
 * Shot noise: a value v in [0,1] becomes {@code Poisson(v * peak) / peak}, so {@code peak} is the photon count of a
 * full-white pixel (smaller peak, more noise; the variance at v is v / peak). Negative inputs count as 0.
 * Sampling is exact: multiplication of uniforms for small means, Hörmann's PTRS rejection (1993) from 10 up.
 */
public record PoissonNoise(double peak) implements Noise {
    public PoissonNoise {
        if (!(peak > 0) || Double.isInfinite(peak)) throw new IllegalArgumentException("poisson peak " + peak + " must be > 0");
    }

    @Override
    public void apply(float[] x, int off, int len, int channels, RandomGenerator rng) {
        for (int i = off, end = off + len; i < end; i++) {
            double lam = Math.max(0.0, x[i]) * peak;
            x[i] = (float) (sample(rng, lam) / peak);
        }
    }

    @Override
    public String spec() { return "poisson:" + NoiseModel.num(peak); }

    /** One Poisson(lambda) draw. */
    static long sample(RandomGenerator rng, double lam) {
        if (lam <= 0) return 0;
        if (lam < 10) {
            double limit = Math.exp(-lam), p = rng.nextDouble();
            long k = 0;
            while (p > limit) {
                p *= rng.nextDouble();
                k++;
            }
            return k;
        }
        // PTRS: transformed rejection with squeeze (W. Hörmann, "The transformed rejection method for generating
        // Poisson random variables", 1993).
        double slam = Math.sqrt(lam), loglam = Math.log(lam);
        double b = 0.931 + 2.53 * slam;
        double a = -0.059 + 0.02483 * b;
        double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true) {
            double u = rng.nextDouble() - 0.5, v = rng.nextDouble();
            double us = 0.5 - Math.abs(u);
            long k = (long) Math.floor((2 * a / us + b) * u + lam + 0.43);
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lam + k * loglam - logFactorial(k)) {
                return k;
            }
        }
    }

    private static final double[] LOG_FACT = new double[256];

    static {
        for (int k = 1; k < LOG_FACT.length; k++) LOG_FACT[k] = LOG_FACT[k - 1] + Math.log(k);
    }

    /** ln(k!): a table below 256, Stirling's series above (error below 1e-15 relative there). */
    static double logFactorial(long k) {
        if (k < LOG_FACT.length) return LOG_FACT[(int) k];
        double n = k, r = 1.0 / n, r2 = r * r;
        return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + r * (1.0 / 12 - r2 * (1.0 / 360 - r2 / 1260));
    }
}
