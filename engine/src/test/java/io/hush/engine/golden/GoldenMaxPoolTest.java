package io.hush.engine.golden;

import io.hush.engine.Shape;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Padding;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MaxPool2D against PyTorch max_pool2d (Keras 'same' emulated with -inf padding at the bottom/right). Output and
 * input gradient are copies of single values (K = 1), so they must agree to float32 rounding -- in practice exactly.
 * Inputs are continuous random values: no ties. Cases with overlapping windows (3x3 stride 2 same, 3x3 stride 1)
 * check that backward accumulates into cells shared by several windows; one has a 2x3 window with stride 2x1.
 * Explicit pads ({@link MaxPool2D#explicit}, note its {top, left, bottom, right} argument order): PyTorch
 * max_pool2d(3, 2, padding=1) and asymmetric ONNX pads.
 */
class GoldenMaxPoolTest {
    @TestFactory
    Stream<DynamicTest> maxPool() {
        return GoldenCase.casesOf("MaxPool2D").stream().map(n -> DynamicTest.dynamicTest(n, () -> {
            GoldenCase c = new GoldenCase(n);
            int[] s = c.shape("x");
            int[] ys = c.shape("y");
            MaxPool2D layer = c.str("padding").equals("explicit")
                    ? MaxPool2D.explicit(c.integer("pool_h"), c.integer("pool_w"), c.integer("stride_h"), c.integer("stride_w"),
                            c.integer("pad_top"), c.integer("pad_left"), c.integer("pad_bottom"), c.integer("pad_right"))
                    : new MaxPool2D(c.integer("pool_h"), c.integer("pool_w"), c.integer("stride_h"), c.integer("stride_w"),
                            Padding.valueOf(c.str("padding").toUpperCase()));
            LayerHarness.Run r = LayerHarness.run(layer, true,
                    new Shape[] {Shape.of(Layouts.nhwc(s))}, new float[][] {Layouts.nchwToNhwc(c.array("x"), s)},
                    Map.of(), Layouts.nchwToNhwc(c.array("gy"), ys));
            assertEquals(Shape.of(Layouts.nhwc(ys)), r.outShape, n + " output shape");
            Compare.check(n + " y", Layouts.nchwToNhwc(c.array("y"), ys), r.y, 1);
            Compare.check(n + " grad x", Layouts.nchwToNhwc(c.array("gx"), s), r.gx[0], 1);
        }));
    }
}
