package io.hush.denoise;

import io.hush.engine.Model;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.AveragePool2D;
import io.hush.engine.layers.Concatenate;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Cropping2D;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Elu;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.GlobalAveragePool2D;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Multiply;
import io.hush.engine.layers.Padding;
import io.hush.engine.layers.Reshape;
import io.hush.engine.layers.UpSampling2D;
import io.hush.engine.layers.ZeroPadding2D;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ReceptiveFieldTest {

    /**
     * Adds a 3x3 convolution, then {@code down}, another 3x3 convolution and {@code up}; returns the node of the first
     * convolution (for a skip connection around the rest).
     */
    static int downAndUp(Model.Builder b, Layer down, Layer up) {
        b.add(new Conv2D(4, 3, Activation.RELU));
        int skip = b.current();
        b.add(down).add(new Conv2D(4, 3, Activation.RELU)).add(up);
        return skip;
    }

    /** The radius measured on a {@code probe x probe} image, checked to lie within the bound. */
    static int measuredWithin(ModelDenoiser d, int probe, int bound) {
        int measured = d.measureRadius(probe);
        assertTrue(measured >= 0 && measured <= bound, "measured " + measured + " <= bound " + bound);
        return measured;
    }

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
        int skip = downAndUp(b, new MaxPool2D(2), new Conv2DTranspose(4, 2, 2, Padding.SAME, Activation.RELU));
        b.add(new Add(), skip, b.current()).add(new Conv2D(1, 3));
        try (Model m = b.build()) {
            ModelDenoiser d = ModelDenoiser.of(m);
            assertEquals(2, d.align());
            int bound = ReceptiveField.radius(m), measured = measuredWithin(d, 64, bound);
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

    @Test
    void kerasStyleLayersGiveABoundThatCoversTheMeasurement() {
        // AveragePool2D, UpSampling2D (nearest and bilinear), Concatenate, Multiply, ZeroPadding2D, Cropping2D, Elu
        Model.Builder b = Model.builder(32, 32, 1);
        int skip = downAndUp(b, new AveragePool2D(2), new UpSampling2D(2, 2, UpSampling2D.Interpolation.NEAREST));
        b.add(new Concatenate(2), skip, b.current());
        int cat = b.current();
        b.add(new Conv2D(8, 3, Activation.SIGMOID), cat);
        b.add(new Multiply(), cat, b.current()).add(new Elu());
        b.add(new ZeroPadding2D(2)).add(new Cropping2D(1, 1, 1, 1))
                .add(new Conv2D(4, 3, 3, 1, 1, Padding.VALID, 1, 1, true, Activation.RELU))
                .add(new AveragePool2D(2)).add(new UpSampling2D(2, 2, UpSampling2D.Interpolation.BILINEAR))
                .add(new Conv2D(1, 3));
        try (Model m = b.build()) {
            ReceptiveField.Extent e = ReceptiveField.of(m);
            assertInstanceOf(ReceptiveField.Bounded.class, e);
            int bound = ((ReceptiveField.Bounded) e).radius(), measured = measuredWithin(ModelDenoiser.of(m), 96, bound);
            assertEquals(bound, ReceptiveField.radius(m));
            assertTrue(bound <= 2 * measured, "bound " + bound + " is not loose (measured " + measured + ")");
        }
    }

    @Test
    void eachNewLayerAddsWhatItReaches() {
        // 3x3 conv (1), then: an average pool of 3 (+1 step), a 2x upsampling (+1 step of the coarse grid),
        // 2-pixel zero padding and 1-pixel cropping (the grid shifts by their largest amount)
        try (Model m = Model.builder(16, 16, 1).add(new Conv2D(2, 3)).add(new AveragePool2D(3, 3, 1, 1, Padding.SAME))
                .add(new Conv2D(2, 3)).build()) {
            assertEquals(3, ReceptiveField.radius(m));
        }
        try (Model m = Model.builder(16, 16, 1).add(new Conv2D(2, 3)).add(new AveragePool2D(2))
                .add(new UpSampling2D(2, 2, UpSampling2D.Interpolation.NEAREST)).add(new Conv2D(2, 3)).build()) {
            assertEquals(1 + 1 + 2 + 1, ReceptiveField.radius(m));
        }
        try (Model m = Model.builder(16, 16, 1).add(new ZeroPadding2D(2, 1, 0, 0)).add(new Cropping2D(0, 0, 1, 1))
                .add(new Conv2D(2, 3)).build()) {
            assertEquals(2 + 1 + 1, ReceptiveField.radius(m));
        }
    }

    @Test
    void globalPoolingIsUnboundedAndFlatLayersUnknown() {
        try (Model m = Model.builder(16, 16, 1).add(new Conv2D(4, 3)).add(new GlobalAveragePool2D(false))
                .add(new Dense(3)).build()) {
            ReceptiveField.Unbounded u = assertInstanceOf(ReceptiveField.Unbounded.class, ReceptiveField.of(m));
            assertInstanceOf(GlobalAveragePool2D.class, u.layer());
            assertEquals(-1, ReceptiveField.radius(m));
        }
        try (Model m = Model.builder(4, 4, 1).add(new Flatten()).add(new Dense(16)).add(new Reshape(4, 4, 1)).build()) {
            ReceptiveField.Unknown u = assertInstanceOf(ReceptiveField.Unknown.class, ReceptiveField.of(m));
            assertInstanceOf(Flatten.class, u.layer());
        }
        try (Model m = Model.builder(16, 16, 1).add(new TestConv(2, 3, true)).build()) {
            assertInstanceOf(TestConv.class, ((ReceptiveField.Unknown) ReceptiveField.of(m)).layer());
        }
    }
}
