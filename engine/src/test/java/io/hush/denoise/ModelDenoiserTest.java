package io.hush.denoise;

import io.hush.image.FloatImage;
import io.hush.engine.Model;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.Reshape;
import io.hush.engine.layers.Scale;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class ModelDenoiserTest {

    /** Three 3x3 convolutions (receptive-field radius 3), 1 -> 4 -> 4 -> 1 channels. */
    static Model smallConv(int c) {
        return Model.builder(32, 32, c)
                .add(new TestConv(4, 3, true))
                .add(new TestConv(4, 3, true))
                .add(new TestConv(c, 3, false))
                .seed(3)
                .build();
    }

    static FloatImage random(int w, int h, int c, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] p = new float[c][w * h];
        for (float[] q : p) for (int i = 0; i < q.length; i++) q[i] = (float) rng.nextDouble();
        return new FloatImage(w, h, p, null, 8);
    }

    @Test
    void tiledEqualsUntiledOn1024x1024() {
        try (Model m = smallConv(1)) {
            ModelDenoiser d = ModelDenoiser.of(m);
            assertTrue(d.anySize());
            assertEquals(1, d.align());
            assertEquals(3, d.receptiveRadius());
            FloatImage img = random(1024, 1024, 1, 1);
            float[] whole = d.tile(1024).denoise(img.copy()).plane(0).clone();
            long[] steps = new long[2];
            float[] tiled = d.tile(200).denoise(img.copy(), DenoiseOptions.defaults().progress((done, total) -> {
                steps[0] = done;
                steps[1] = total;
            })).plane(0);
            assertEquals(12, d.effectiveOverlap());
            assertEquals(36, steps[1], "6x6 tiles of 200 px");
            assertEquals(steps[1], steps[0]);
            float worst = 0;
            for (int i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - tiled[i]));
            assertTrue(worst <= 1f / 255, "max difference " + worst);
            assertTrue(worst < 1e-5f, "the blend mixes only exact pixels: max difference " + worst);
        }
    }

    @Test
    void engineConvolutionsTileExactlyAndInPlace() {
        try (Model m = Model.builder(16, 16, 1)
                .add(new io.hush.engine.layers.Conv2D(8, 3, io.hush.engine.kernels.Activation.RELU))
                .add(new io.hush.engine.layers.Conv2D(8, 3, io.hush.engine.kernels.Activation.RELU))
                .add(new io.hush.engine.layers.Conv2D(1, 3)).seed(11).build()) {
            ModelDenoiser d = ModelDenoiser.of(m);
            assertEquals(3, d.receptiveRadius());
            FloatImage img = random(1024, 1024, 1, 9);
            float[] whole = d.tile(1024).denoise(img.copy()).plane(0).clone();
            FloatImage tiledImg = img.copy();
            float[] plane = tiledImg.plane(0);
            FloatImage out = d.tile(256).denoise(tiledImg);
            assertSame(plane, out.plane(0), "written into the image's own plane: no second copy of a large image");
            float worst = 0;
            for (int i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - plane[i]));
            assertTrue(worst <= 1f / 255, "max difference " + worst);
        }
    }

    @Test
    void aTooSmallOverlapShowsSeamsButBlendsThem() {
        try (Model m = smallConv(1)) {
            ModelDenoiser d = ModelDenoiser.of(m);
            FloatImage img = random(300, 300, 1, 2);
            float[] whole = d.tile(300).denoise(img.copy()).plane(0).clone();
            float[] tiled = d.tile(64).overlap(4).denoise(img.copy()).plane(0);
            float worst = 0;
            for (int i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - tiled[i]));
            assertTrue(worst > 1e-4f, "overlap 4 < 4 x radius 3 cannot be exact");
        }
    }

    @Test
    void grayModelRunsOnEachChannelAndKeepsAlpha() {
        try (Model m = smallConv(1)) {
            ModelDenoiser d = ModelDenoiser.of(m).tile(64);
            FloatImage rgb = random(90, 70, 3, 4);
            float[] alpha = new float[90 * 70];
            java.util.Arrays.fill(alpha, 0.5f);
            FloatImage withAlpha = new FloatImage(90, 70, Resize.planes(rgb.copy()), alpha, 16);
            FloatImage out = d.denoise(withAlpha);
            assertSame(alpha, out.alpha());
            assertEquals(16, out.bitDepth());
            for (int c = 0; c < 3; c++) {
                FloatImage one = new FloatImage(90, 70, new float[][] {rgb.plane(c).clone()}, null, 8);
                assertArrayEquals(d.denoise(one).plane(0), out.plane(c), 1e-6f, "channel " + c);
            }
        }
    }

    @Test
    void colourModelOnAGrayImageAveragesItsChannels() {
        try (Model m = Model.builder(8, 8, 3).add(new Scale(2f)).build()) {
            ModelDenoiser d = ModelDenoiser.of(m);
            assertEquals(3, d.channels());
            FloatImage g = random(10, 10, 1, 5);
            float v = g.plane(0)[13];
            assertEquals(2 * v, d.denoise(g).plane(0)[13], 1e-6f);
        }
    }

    @Test
    void fixedSizeModelRefusesOtherSizesUnlessResized() {
        try (Model m = Model.builder(8, 8, 1).add(new Flatten()).add(new Reshape(8, 8, 1)).build()) {
            ModelDenoiser d = ModelDenoiser.of(m);
            assertFalse(d.anySize());
            FloatImage img = random(20, 12, 1, 6);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> d.denoise(img.copy()));
            assertEquals("the model takes 8x8 images only (it has a fixed-size layer) and this image is 20x12: pass"
                    + " --resize to scale it to 8x8 and back", e.getMessage());
            FloatImage out = d.denoise(img.copy(), DenoiseOptions.defaults().sizeMismatch(DenoiseOptions.SizeMismatch.RESIZE));
            assertEquals(20, out.width());
            assertEquals(12, out.height());
            FloatImage exact = random(8, 8, 1, 7);
            assertArrayEquals(exact.plane(0).clone(), d.denoise(exact).plane(0), 1e-6f);
        }
    }

    @Test
    void aModelThatPredictsTheNoiseIsSubtracted() {
        try (Model m = Model.builder(8, 8, 1).add(new Scale(0.25f)).build()) {
            m.card().extra().put("train.config", "arch = dncnn\nresidual = true\n");
            ModelDenoiser d = ModelDenoiser.of(m);
            FloatImage g = random(10, 10, 1, 8);
            float v = g.plane(0)[21];
            assertEquals(0.75f * v, d.denoise(g).plane(0)[21], 1e-6f);
        }
    }

    @Test
    void denoiseAllBatchesSmallImagesWithTheResultsOfOneByOne() {
        // a fixed-size model (Dense bottleneck) and a residual fully-convolutional one; a mix of sizes and channels
        try (Model dense = Model.builder(8, 8, 1).seed(2).add(new Flatten())
                .add(new io.hush.engine.layers.Dense(16, Activation.RELU))
                .add(new io.hush.engine.layers.Dense(64, Activation.SIGMOID)).add(new Reshape(8, 8, 1)).build();
             Model conv = smallConv(1)) {
            conv.card().extra().put("train.config", "arch = dncnn\nresidual = true\n");
            for (Model m : new Model[] {dense, conv}) {
                ModelDenoiser d = ModelDenoiser.of(m);
                java.util.List<FloatImage> imgs = new java.util.ArrayList<>();
                for (int i = 0; i < 7; i++) imgs.add(random(8, 8, 1, 20 + i));
                imgs.add(random(8, 8, 3, 30));  // RGB: one by one, per channel
                imgs.add(random(8, 8, 1, 31));
                if (m == conv) imgs.add(3, random(12, 16, 1, 32)); // another size splits the batch
                float[] sigmas = new float[imgs.size()];
                java.util.List<FloatImage> one = new java.util.ArrayList<>();
                for (FloatImage img : imgs) one.add(d.denoise(img.copy()));
                java.util.List<FloatImage> copies = new java.util.ArrayList<>();
                for (FloatImage img : imgs) copies.add(img.copy());
                java.util.List<FloatImage> all = d.denoiseAll(copies, java.util.Collections.nCopies(copies.size(), DenoiseOptions.defaults()));
                assertEquals(imgs.size(), all.size());
                for (int i = 0; i < imgs.size(); i++) {
                    assertEquals(one.get(i).width(), all.get(i).width());
                    assertEquals(one.get(i).channels(), all.get(i).channels());
                    for (int c = 0; c < one.get(i).channels(); c++) {
                        assertArrayEquals(one.get(i).plane(c), all.get(i).plane(c), 1e-5f, m.nodes().size() + " nodes, image " + i);
                    }
                }
            }
        }
    }

    @Test
    void refusesModelsThatAreNoDenoisers() {
        try (Model m = Model.builder(8, 8, 5).add(new Scale(1f)).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelDenoiser.of(m));
            assertTrue(e.getMessage().contains("takes 5 input channels"), e.getMessage());
        }
        try (Model m = Model.builder(8, 8, 1).add(new Flatten()).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelDenoiser.of(m));
            assertTrue(e.getMessage().contains("a denoiser returns an image"), e.getMessage());
        }
    }
}
