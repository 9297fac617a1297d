package io.hush.denoise;

import io.hush.engine.Model;
import io.hush.engine.layers.Activation;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Padding;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ReceptiveFieldTest {

    @Test
    void plainConvolutionsAddTheirHalfWidths() {
        try (Model m = Model.builder(16, 16, 1)
                .add(new Conv2D(4, 3, Activation.RELU))
                .add(new Conv2D(4, 5, Activation.RELU))
                .add(new Conv2D(1, 3)).build()) {
            assertEquals(1 + 2 + 1, ReceptiveField.radius(m));
            assertEquals(4, ModelDenoiser.of(m).measureRadius(32), "the measurement agrees");
        }
    }

    @Test
    void poolingAndUpsamplingAreAnUpperBoundOfTheMeasurement() {
        Model.Builder b = Model.builder(32, 32, 1);
        b.add(new Conv2D(4, 3, Activation.RELU));
        int skip = b.current();
        b.add(new MaxPool2D(2)).add(new Conv2D(4, 3, Activation.RELU))
                .add(new Conv2DTranspose(4, 2, 2, Padding.SAME, Activation.RELU));
        b.add(new Add(), skip, b.current()).add(new Conv2D(1, 3));
        try (Model m = b.build()) {
            ModelDenoiser d = ModelDenoiser.of(m);
            assertEquals(2, d.align());
            int bound = ReceptiveField.radius(m), measured = d.measureRadius(64);
            assertTrue(measured >= 0 && measured <= bound, "measured " + measured + " <= bound " + bound);
            assertTrue(bound <= measured + 4, "bound " + bound + " is not loose (measured " + measured + ")");
        }
    }

    @Test
    void unknownLayersAreMeasured() {
        try (Model m = Model.builder(16, 16, 1).add(new TestConv(2, 3, true)).add(new TestConv(1, 5, false)).build()) {
            assertEquals(-1, ReceptiveField.radius(m));
            assertEquals(3, ModelDenoiser.of(m).receptiveRadius());
        }
    }
}
