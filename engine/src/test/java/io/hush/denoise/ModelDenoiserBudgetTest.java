package io.hush.denoise;

import io.hush.engine.Model;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Conv2D;
import io.hush.image.FloatImage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The memory-budget tiling policy: whole-image passes when they fit, few large tiles when they do not. */
class ModelDenoiserBudgetTest {

    /** 1 -> 8 -> 8 -> 1 channels, three 3x3 convolutions: receptive radius 3, overlap 12. */
    static Model threeConvs() {
        return Model.builder(16, 16, 1)
                .add(new Conv2D(8, 3, Activation.RELU))
                .add(new Conv2D(8, 3, Activation.RELU))
                .add(new Conv2D(1, 3)).seed(11).build();
    }

    @Test
    void anImageWhosePassFitsRunsWhole() {
        try (Model m = threeConvs()) {
            ModelDenoiser d = ModelDenoiser.of(m);
            assertEquals(ModelDenoiser.DEFAULT_MEMORY_BUDGET, d.memoryBudget());
            long[] steps = new long[2];
            d.denoise(ModelDenoiserTest.random(700, 500, 1, 1), DenoiseOptions.defaults().progress((done, total) -> {
                steps[0] = done;
                steps[1] = total;
            }));
            assertEquals(1, steps[1], "one pass over the whole 700x500 image");
            assertEquals(new ModelDenoiser.Layout(700, 0), d.layout(700, 500, DenoiseOptions.defaults()));
        }
    }

    @Test
    void passBytesCountsTwoLiveActivationsAndGrowsWithThePixels() {
        try (Model m = threeConvs()) {
            ModelDenoiser d = ModelDenoiser.of(m);
            long small = d.passBytes(100, 100, 100), big = d.passBytes(200, 200, 200);
            // two 8-channel activations share the plan (the third reuses the first), plus input, output and tiler
            assertTrue(small >= 2L * 100 * 100 * 8 * 4, "at least two 8-channel activations: " + small);
            assertTrue(small < 4L * 100 * 100 * 8 * 4, "activations are reused, not one per layer: " + small);
            assertTrue(big > 3.5 * small && big < 4.5 * small, "about 4x for 4x the pixels: " + small + " -> " + big);
        }
    }

    @Test
    void aSmallBudgetTilesAndStaysExact() {
        try (Model m = threeConvs()) {
            ModelDenoiser d = ModelDenoiser.of(m);
            FloatImage img = ModelDenoiserTest.random(333, 257, 1, 2);
            float[] whole = d.denoise(img.copy()).plane(0).clone();
            long budget = d.passBytes(100, 100, 333);
            d.memoryBudget(budget);
            ModelDenoiser.Layout lay = d.layout(333, 257, DenoiseOptions.defaults());
            assertTrue(lay.tile() < 257, "tiled: " + lay);
            assertTrue(d.passBytes(Math.min(lay.tile(), 257), Math.min(lay.tile(), 333), 333) <= budget, "a tile's pass fits: " + lay);
            assertEquals(12, lay.overlap());
            long[] total = new long[1];
            float[] tiled = d.denoise(img.copy(), DenoiseOptions.defaults().progress((done, n) -> total[0] = n)).plane(0);
            assertTrue(total[0] > 1);
            float worst = 0;
            for (int i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - tiled[i]));
            assertTrue(worst < 1e-5f, "overlap 4x the radius keeps tiles exact: max difference " + worst);
        }
    }

    @Test
    void theTileSideCoversTheImageWithLessWorkThanTheLargestFittingSquare() {
        try (Model m = threeConvs()) {
            ModelDenoiser d = ModelDenoiser.of(m);
            // a budget that fits a 1448-pixel square: a 3840x2160 frame would need 3 x 2 such tiles (1.5x its pixels)
            d.memoryBudget(d.passBytes(1448, 1448, 1448));
            int largest = d.effectiveTile();
            assertTrue(largest >= 1440 && largest <= 1448, "largest fitting side " + largest);
            ModelDenoiser.Layout lay = d.layout(3840, 2160, DenoiseOptions.defaults());
            assertTrue(d.passBytes(Math.min(lay.tile(), 2160), lay.tile(), 3840) <= d.memoryBudget(), "fits: " + lay);
            long work = work(3840, 2160, lay.tile(), lay.overlap());
            assertTrue(work < work(3840, 2160, largest, lay.overlap()), lay + " vs " + largest);
            assertTrue(work < 1.25 * 3840 * 2160, "less than 25% recomputed: " + lay + ", " + work + " pixels");
        }
    }

    @Test
    void explicitTilesKeepTheirMeaning() {
        try (Model m = threeConvs()) {
            ModelDenoiser d = ModelDenoiser.of(m);
            assertEquals(new ModelDenoiser.Layout(200, 12), d.layout(700, 500, DenoiseOptions.defaults().tile(200)));
            assertEquals(new ModelDenoiser.Layout(700, 0), d.layout(700, 500, DenoiseOptions.defaults().tile(700)));
            d.tile(64);
            assertEquals(new ModelDenoiser.Layout(64, 12), d.layout(700, 500, DenoiseOptions.defaults()));
        }
    }

    @Test
    void aBudgetUnderOneMebibyteIsRefused() {
        try (Model m = threeConvs()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelDenoiser.of(m).memoryBudget(1000));
            assertEquals("memory budget must be at least 1048576 bytes (1 MiB), got 1000", e.getMessage());
        }
    }

    /** Pixels computed by Tiler for a w x h image in tiles of side t overlapping ov (align 1). */
    private static long work(int w, int h, int t, int ov) {
        return (long) count(w, t, ov) * count(h, t, ov) * Math.min(t, w) * Math.min(t, h);
    }

    private static int count(int n, int t, int ov) {
        return new Tiler(n, 1, 1, 1, t, Math.min(ov, Math.min(t, n) - 1), 1).originsX().length;
    }
}
