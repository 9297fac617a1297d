package io.hush.engine.golden;

import io.hush.engine.Shape;
import io.hush.engine.layers.ActivationLayer;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.Reshape;
import io.hush.engine.layers.Subtract;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Parameter-free layers against PyTorch: Add, Subtract, Flatten (channels_last order), Reshape, standalone
 * activations. Each output element is one operation (K = 1): Add/Subtract/Flatten/Reshape must be exact up to one
 * float32 rounding; activations get the K=1 tolerance of {@link Compare} (Java float exp/tanh vs float64).
 */
class GoldenElementwiseTest {

    @TestFactory
    Stream<DynamicTest> addAndSubtract() {
        return Stream.of("Add", "Subtract").flatMap(t -> GoldenCase.casesOf(t).stream()).map(n -> DynamicTest.dynamicTest(n, () -> {
            GoldenCase c = new GoldenCase(n);
            Layer layer = c.str("layer").equals("Add") ? new Add() : new Subtract();
            int[] s = c.shape("x");
            Shape in = Shape.of(Layouts.nhwc(s));
            LayerHarness.Run r = LayerHarness.run(layer, true, new Shape[] {in, in},
                    new float[][] {Layouts.nchwToNhwc(c.array("x"), s), Layouts.nchwToNhwc(c.array("x2"), s)},
                    Map.of(), Layouts.nchwToNhwc(c.array("gy"), s));
            assertEquals(in, r.outShape);
            Compare.check(n + " y", Layouts.nchwToNhwc(c.array("y"), s), r.y, 1);
            Compare.check(n + " grad a", Layouts.nchwToNhwc(c.array("gx"), s), r.gx[0], 1);
            Compare.check(n + " grad b", Layouts.nchwToNhwc(c.array("gx2"), s), r.gx[1], 1);
        }));
    }

    @TestFactory
    Stream<DynamicTest> flatten() {
        return GoldenCase.casesOf("Flatten").stream().map(n -> DynamicTest.dynamicTest(n, () -> {
            GoldenCase c = new GoldenCase(n);
            int[] s = c.shape("x");
            LayerHarness.Run r = LayerHarness.run(new Flatten(), true, new Shape[] {Shape.of(Layouts.nhwc(s))},
                    new float[][] {Layouts.nchwToNhwc(c.array("x"), s)}, Map.of(), c.array("gy"));
            assertEquals(Shape.of(c.shape("y")), r.outShape);
            assertArrayEquals(c.array("y"), r.y, n + " y: Flatten must produce Keras channels_last order");
            assertArrayEquals(Layouts.nchwToNhwc(c.array("gx"), s), r.gx[0], n + " grad x");
        }));
    }

    @TestFactory
    Stream<DynamicTest> reshape() {
        return GoldenCase.casesOf("Reshape").stream().map(n -> DynamicTest.dynamicTest(n, () -> {
            GoldenCase c = new GoldenCase(n);
            int[] ys = c.shape("y");
            Layer layer = new Reshape(c.integer("h"), c.integer("w"), c.integer("c"));
            LayerHarness.Run r = LayerHarness.run(layer, true, new Shape[] {Shape.of(c.shape("x"))},
                    new float[][] {c.array("x")}, Map.of(), Layouts.nchwToNhwc(c.array("gy"), ys));
            assertEquals(Shape.of(Layouts.nhwc(ys)), r.outShape);
            assertArrayEquals(Layouts.nchwToNhwc(c.array("y"), ys), r.y, n + " y");
            assertArrayEquals(c.array("gx"), r.gx[0], n + " grad x");
        }));
    }

    @TestFactory
    Stream<DynamicTest> activations() {
        return GoldenCase.casesOf("Activation").stream().map(n -> DynamicTest.dynamicTest(n, () -> {
            GoldenCase c = new GoldenCase(n);
            int[] s = c.shape("x");
            LayerHarness.Run r = LayerHarness.run(new ActivationLayer(GoldenActivations.of(c)), true,
                    new Shape[] {Shape.of(Layouts.nhwc(s))}, new float[][] {Layouts.nchwToNhwc(c.array("x"), s)},
                    Map.of(), Layouts.nchwToNhwc(c.array("gy"), s));
            Compare.check(n + " y", Layouts.nchwToNhwc(c.array("y"), s), r.y, 1);
            Compare.check(n + " grad x", Layouts.nchwToNhwc(c.array("gx"), s), r.gx[0], 1);
        }));
    }
}
