package io.hush.noise;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Statistics are checked with tolerances of 6 standard errors for the sample size used (false alarm ~1e-9). */
class NoiseModelTest {
    static final int N = 1 << 19;

    static float[] constant(int n, float v) {
        float[] x = new float[n];
        Arrays.fill(x, v);
        return x;
    }

    static double mean(float[] x) {
        double s = 0;
        for (float v : x) s += v;
        return s / x.length;
    }

    static double var(float[] x) {
        double m = mean(x), s = 0;
        for (float v : x) s += (v - m) * (v - m);
        return s / x.length;
    }

    @Test
    void gaussianHasTheStatedSigmaOnThe255Scale() {
        float[] y = NoiseModel.parse("gaussian:25").apply(constant(N, 0.5f), 1, 42);
        double sigma = 25 / 255.0, v = sigma * sigma;
        assertEquals(0.5, mean(y), 6 * sigma / Math.sqrt(N));
        assertEquals(v, var(y), 6 * v * Math.sqrt(2.0 / N));
        // Unclipped: values leave [0,1] at sigma ~0.1 around 0.5? Only rarely; at 0.98 they do often.
        float[] z = NoiseModel.parse("gaussian:25").apply(constant(1000, 0.98f), 1, 1);
        assertTrue(Arrays.stream(toDouble(z)).anyMatch(t -> t > 1));
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    @Test
    void blindGaussianDrawsSigmaPerImageFromTheRange() {
        NoiseModel m = NoiseModel.parse("gaussian:0-55");
        int images = 400, per = 4096;
        float[] batch = constant(images * per, 0.5f);
        m.applyBatch(batch, images, 1, 7);
        double lo = 1e9, hi = -1, sum = 0;
        for (int i = 0; i < images; i++) {
            float[] img = Arrays.copyOfRange(batch, i * per, (i + 1) * per);
            double s = Math.sqrt(var(img)) * 255;
            lo = Math.min(lo, s);
            hi = Math.max(hi, s);
            sum += s;
        }
        // Per-image sigma estimates: relative error ~ 1/sqrt(2*4096) ~ 1.1%, so at most ~0.6 on the 255 scale at 55.
        assertTrue(lo >= 0 && lo < 3, "smallest per-image sigma " + lo);
        assertTrue(hi > 52 && hi < 55 * 1.05, "largest per-image sigma " + hi);
        // Mean of U(0,55) is 27.5, sd of the mean 55/sqrt(12*400) ~ 0.8.
        assertEquals(27.5, sum / images, 6 * 55 / Math.sqrt(12.0 * images));
    }

    @Test
    void mixtureGivesEachImageOneAlternativeChosenUniformly() {
        NoiseModel m = NoiseModel.parse("gaussian:10|saltpepper:0.5+clip");
        assertEquals("gaussian:10|saltpepper:0.5+clip", m.toString());
        assertEquals(m, NoiseModel.parse(m.toString()));
        int images = 2000, per = 256, gaussian = 0;
        float[] batch = constant(images * per, 0.5f);
        m.applyBatch(batch, images, 1, 11);
        for (int i = 0; i < images; i++) {
            int extreme = 0;
            for (int j = i * per; j < (i + 1) * per; j++) if (batch[j] == 0f || batch[j] == 1f) extreme++;
            // Gaussian sigma 10/255 never reaches 0 or 1 from 0.5; salt-and-pepper 0.5 hits ~128 of 256.
            if (extreme == 0) gaussian++;
            else assertTrue(extreme > 64, "image " + i + " mixes both alternatives: " + extreme + " extreme values");
        }
        assertEquals(0.5, gaussian / (double) images, 6 * Math.sqrt(0.25 / images));
        // Same seed, same choices and noise.
        float[] again = constant(images * per, 0.5f);
        m.applyBatch(again, images, 1, 11);
        assertArrayEquals(batch, again);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NoiseModel.parse("gaussian:10|"));
        assertTrue(e.getMessage().contains("empty alternative"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NoiseModel.parse("gaussian:10|bogus:1"));
    }

    @Test
    void saltAndPepperCorruptsTheStatedFraction() {
        float[] y = NoiseModel.parse("saltpepper:0.05,0.3").apply(constant(N, 0.5f), 1, 3);
        int salt = 0, pepper = 0;
        for (float v : y) {
            if (v == 1f) salt++;
            else if (v == 0f) pepper++;
            else assertEquals(0.5f, v);
        }
        double p = 0.05;
        assertEquals(p, (salt + pepper) / (double) N, 6 * Math.sqrt(p * (1 - p) / N));
        int k = salt + pepper;
        assertEquals(0.3, salt / (double) k, 6 * Math.sqrt(0.3 * 0.7 / k));
    }

    @Test
    void poissonHasMeanAndVarianceOfTheCount() {
        for (double peak : new double[] {4, 30, 1000}) { // 4*0.5 and 30*0.5 below/above the PTRS switch at 10
            float[] y = NoiseModel.of(new PoissonNoise(peak)).apply(constant(N, 0.5f), 1, 5);
            double lam = 0.5 * peak;
            double m = mean(y) * peak, v = var(y) * peak * peak;
            assertEquals(lam, m, 6 * Math.sqrt(lam / N), "peak " + peak);
            // var of the sample variance of Poisson: (mu4 - sigma^4)/N = (lam + 2 lam^2)/N
            assertEquals(lam, v, 6 * Math.sqrt((lam + 2 * lam * lam) / N), "peak " + peak);
            for (float t : y) assertEquals(Math.rint(t * peak), t * peak, 1e-3 * Math.max(1, t * peak), "integer counts");
        }
    }

    @Test
    void poissonPmfMatchesForMeanAboveTheSwitch() {
        // P(K = 15) for lambda 15 is 0.10244, checked against the frequency of 15s in the PTRS branch.
        SplittableRandom r = new SplittableRandom(9);
        int hits = 0;
        for (int i = 0; i < N; i++) if (PoissonNoise.sample(r, 15) == 15) hits++;
        double p = Math.exp(-15 + 15 * Math.log(15) - PoissonNoise.logFactorial(15));
        assertEquals(0.10244, p, 1e-5);
        assertEquals(p, hits / (double) N, 6 * Math.sqrt(p * (1 - p) / N));
        assertEquals(Math.log(2.0) + Math.log(3) + Math.log(4), PoissonNoise.logFactorial(4), 1e-12);
        double s = 0;
        for (int k = 1; k <= 300; k++) s += Math.log(k);
        assertEquals(s, PoissonNoise.logFactorial(300), 1e-9);
    }

    @Test
    void speckleIsMultiplicative() {
        float[] y = NoiseModel.parse("speckle:0.2").apply(constant(N, 0.4f), 1, 11);
        double sd = 0.4 * 0.2;
        assertEquals(0.4, mean(y), 6 * sd / Math.sqrt(N));
        assertEquals(sd * sd, var(y), 6 * sd * sd * Math.sqrt(2.0 / N));
        assertArrayEquals(new float[100], NoiseModel.parse("speckle:0.2").apply(new float[100], 1, 1), "zero stays zero");
    }

    @Test
    void maskDropsWholePixels() {
        int pixels = N / 4;
        float[] y = NoiseModel.parse("mask:0.2").apply(constant(pixels * 3, 0.7f), 3, 13);
        int dropped = 0;
        for (int p = 0; p < pixels; p++) {
            boolean z0 = y[3 * p] == 0f, z1 = y[3 * p + 1] == 0f, z2 = y[3 * p + 2] == 0f;
            assertTrue(z0 == z1 && z1 == z2, "all channels of a pixel dropped together");
            if (z0) dropped++;
        }
        assertEquals(0.2, dropped / (double) pixels, 6 * Math.sqrt(0.2 * 0.8 / pixels));
    }

    @Test
    void sameSeedSameNoiseNewSeedFreshNoise() {
        NoiseModel m = NoiseModel.parse("gaussian:0-55+saltpepper:0.02+poisson:30");
        float[] clean = constant(4096, 0.3f);
        assertArrayEquals(m.apply(clean, 1, 5), m.apply(clean, 1, 5));
        assertFalse(Arrays.equals(m.apply(clean, 1, 5), m.apply(clean, 1, 6)));
        float[] b1 = constant(8 * 64, 0.3f), b2 = constant(8 * 64, 0.3f);
        m.applyBatch(b1, 8, 1, 99);
        m.applyBatch(b2, 8, 1, 99);
        assertArrayEquals(b1, b2);
        assertFalse(Arrays.equals(Arrays.copyOfRange(b1, 0, 64), Arrays.copyOfRange(b1, 64, 128)), "images differ");
        assertArrayEquals(Arrays.copyOfRange(b1, 64, 128), m.apply(constant(64, 0.3f), 1, NoiseModel.imageSeed(99, 1)));
        assertEquals(0.3f, clean[0], "input untouched");
    }

    @Test
    void clipAndQuantize() {
        float[] y = NoiseModel.parse("gaussian:50+clip").apply(constant(10000, 0.95f), 1, 1);
        for (float v : y) assertTrue(v >= 0 && v <= 1);
        assertTrue(Arrays.stream(toDouble(y)).anyMatch(t -> t == 1.0));
        float[] q = NoiseModel.parse("gaussian:10+q8").apply(constant(10000, 0.5f), 1, 1);
        for (float v : q) {
            assertTrue(v >= 0 && v <= 1);
            assertEquals(Math.round(v * 255f), v * 255f, 1e-4f);
        }
        assertTrue(NoiseModel.parse("gaussian:10+q8").clips());
    }

    @Test
    void parsesSpecsAndRoundTripsThem() {
        for (String s : new String[] {"gaussian:25", "gaussian:0-55", "saltpepper:0.05", "saltpepper:0.05,0.3", "poisson:30",
                "speckle:0.1", "mask:0.2", "gaussian:25+saltpepper:0.02", "gaussian:15+clip", "poisson:8.5+q8", "none"}) {
            NoiseModel m = NoiseModel.parse(s);
            assertEquals(s, m.toString());
            assertEquals(m, NoiseModel.parse(m.toString()));
        }
        assertEquals(new GaussianNoise(0, 55), NoiseModel.parse(" Gaussian:0-55 ").stages().get(0));
        assertEquals(2, NoiseModel.parse("gaussian:25+saltpepper:0.02").stages().size());
        assertTrue(NoiseModel.parse("none").stages().isEmpty());
    }

    @Test
    void badSpecsNameTheProblem() {
        String[][] cases = {
                {"gaussian:abc", "'abc' is not a number"}, {"gaussian", "missing ':<value>'"}, {"blur:3", "unknown noise 'blur'"},
                {"gaussian:25+", "empty stage"}, {"saltpepper:1.5", "not in [0,1]"}, {"gaussian:30-10", "lo <= hi"},
                {"poisson:0", "must be > 0"}, {"mask:-0.1", "not in [0,1]"}, {"gaussian:nan", "not a number"}, {"", "empty noise spec"}};
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NoiseModel.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            if (!c[0].isEmpty()) assertTrue(e.getMessage().contains("'" + c[0] + "'"), e.getMessage());
        }
    }
}
