package io.hush.denoise;

import io.hush.engine.Model;
import io.hush.engine.layers.Scale;
import io.hush.image.FloatImage;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class NoiseLevelDenoiserTest {
    /** A smooth RGB ramp {@code [3][64*64]} in [0.2, 0.8] plus white Gaussian noise of {@code sigma} (0..255 scale). */
    static FloatImage noisyRamp(double sigma, long seed) {
        int w = 64, h = 64;
        SplittableRandom r = new SplittableRandom(seed);
        float[][] p = new float[3][w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double g = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
                    p[c][y * w + x] = (float) (0.2 + 0.6 * (x + y + 10 * c) / (w + h + 30) + g * sigma / 255);
                }
            }
        }
        return new FloatImage(w, h, p, null, 8);
    }

    @Test
    void estimatedSigmaReadsWhiteNoise() {
        assertEquals(0, NoiseLevelDenoiser.estimatedSigma(noisyRamp(0, 1)), 0.05, "a smooth ramp has no finest-band energy");
        for (double sigma : new double[] {5, 15, 40}) {
            double est = NoiseLevelDenoiser.estimatedSigma(noisyRamp(sigma, 2));
            assertEquals(sigma, est, 0.12 * sigma, "white noise of sigma " + sigma);
        }
    }

    @Test
    void quietImagesGoToTheLowModelAndNoisyOnesToTheHighModel() {
        try (Model lo = Model.builder(8, 8, 3).add(new Scale(0.5f)).build();
             Model hi = Model.builder(8, 8, 3).add(new Scale(0.25f)).build();
             NoiseLevelDenoiser d = NoiseLevelDenoiser.of(ModelDenoiser.of(lo).name("lo"), ModelDenoiser.of(hi).name("hi"), 10)) {
            FloatImage quiet = noisyRamp(3, 3), noisy = noisyRamp(25, 4);
            assertEquals("lo", d.forImage(quiet).name());
            assertEquals("hi", d.forImage(noisy).name());
            assertEquals(quiet.plane(1)[77] * 0.5f, d.denoise(quiet.copy()).plane(1)[77], 1e-6f);
            assertEquals(noisy.plane(1)[77] * 0.25f, d.denoise(noisy.copy()).plane(1)[77], 1e-6f);
            // a mixed list keeps its order, each image through the model the single call chose
            List<FloatImage> mixed = List.of(noisy.copy(), quiet.copy(), quiet.copy(), noisy.copy());
            List<FloatImage> out = d.denoiseAll(mixed, Collections.nCopies(4, DenoiseOptions.defaults()));
            float[] scale = {0.25f, 0.5f, 0.5f, 0.25f};
            for (int i = 0; i < 4; i++) {
                FloatImage src = i == 0 || i == 3 ? noisy : quiet;
                assertEquals(src.plane(2)[100] * scale[i], out.get(i).plane(2)[100], 1e-6f, "image " + i);
            }
            assertThrows(IllegalArgumentException.class, () -> d.denoiseAll(List.of(quiet), List.of()));
        }
    }

    @Test
    void thresholdMustBeAPositiveSigma() {
        try (Model m = Model.builder(8, 8, 3).add(new Scale(1f)).build()) {
            ModelDenoiser md = ModelDenoiser.of(m);
            for (double t : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NoiseLevelDenoiser.of(md, md, t));
                assertTrue(e.getMessage().contains("threshold"), e.getMessage());
            }
        }
    }

    /** auto's composition: gray images to gray, colour ones by noise level; absent parts drop out. */
    @Test
    void autoComposesTheZooAndDropsAbsentParts() {
        try (Model g = Model.builder(8, 8, 1).add(new Scale(0.5f)).build();
             Model b = Model.builder(8, 8, 3).add(new Scale(0.25f)).build();
             Model c = Model.builder(8, 8, 3).add(new Scale(0.125f)).build()) {
            Denoiser gray = ModelDenoiser.of(g).name("gray"), blind = ModelDenoiser.of(b).name("blind"), camera = ModelDenoiser.of(c).name("camera");
            FloatImage quiet = noisyRamp(3, 3), noisy = noisyRamp(25, 4), grayImg = new FloatImage(64, 64, new float[][] {quiet.plane(0)}, null, 8);
            assertSame(gray, Denoiser.auto(gray, null, null));
            Denoiser all = Denoiser.auto(gray, blind, camera);
            assertEquals(List.of("gray", "camera", "blind"), List.of(all.forImage(grayImg).name(), all.forImage(quiet).name(),
                    all.forImage(noisy).name()));
            Denoiser noBlind = Denoiser.auto(gray, null, camera);
            assertEquals(List.of("camera", "gray"), List.of(noBlind.forImage(quiet).name(), noBlind.forImage(noisy).name()));
            Denoiser noCamera = Denoiser.auto(gray, blind, null);
            assertEquals(List.of("blind", "blind", "gray"), List.of(noCamera.forImage(quiet).name(), noCamera.forImage(noisy).name(),
                    noCamera.forImage(grayImg).name()));
        }
    }
}
