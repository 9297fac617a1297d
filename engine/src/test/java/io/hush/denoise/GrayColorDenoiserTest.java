package io.hush.denoise;

import io.hush.engine.Model;
import io.hush.engine.layers.Scale;
import io.hush.image.FloatImage;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class GrayColorDenoiserTest {
    static FloatImage img(int channels, float v) {
        float[][] p = new float[channels][16 * 16];
        for (float[] plane : p) java.util.Arrays.fill(plane, v);
        return new FloatImage(16, 16, p, null, 8);
    }

    @Test
    void grayImagesGoToTheGrayModelAndColourOnesToTheColourModel() {
        try (Model g = Model.builder(8, 8, 1).add(new Scale(0.5f)).build();
             Model c = Model.builder(8, 8, 3).add(new Scale(0.25f)).build();
             GrayColorDenoiser d = GrayColorDenoiser.of(ModelDenoiser.of(g).name("g"), ModelDenoiser.of(c).name("c"))) {
            FloatImage gray = img(1, 0.8f), rgb = img(3, 0.8f);
            assertEquals("g", d.forImage(gray).name());
            assertEquals("c", d.forImage(rgb).name());
            assertEquals(0.4f, d.denoise(gray.copy()).plane(0)[5], 1e-6f);
            assertEquals(0.2f, d.denoise(rgb.copy()).plane(2)[5], 1e-6f);
            // a mixed list keeps its order, each image with its own model
            List<FloatImage> mixed = List.of(rgb.copy(), gray.copy(), gray.copy(), rgb.copy());
            List<FloatImage> out = d.denoiseAll(mixed, Collections.nCopies(4, DenoiseOptions.defaults()));
            assertEquals(List.of(3, 1, 1, 3), out.stream().map(FloatImage::channels).toList());
            assertEquals(0.2f, out.get(0).plane(0)[0], 1e-6f);
            assertEquals(0.4f, out.get(1).plane(0)[0], 1e-6f);
        }
    }

    @Test
    void optionsMustMatchTheImages() {
        try (Model g = Model.builder(8, 8, 1).add(new Scale(1f)).build();
             Model c = Model.builder(8, 8, 3).add(new Scale(1f)).build()) {
            GrayColorDenoiser d = GrayColorDenoiser.of(ModelDenoiser.of(g), ModelDenoiser.of(c));
            assertThrows(IllegalArgumentException.class, () -> d.denoiseAll(List.of(img(1, 0f)), List.of()));
        }
    }
}
