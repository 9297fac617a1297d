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
 * Inputs are continuous random values: no ties.
 */
class GoldenMaxPoolTest {
    @TestFactory
    Stream<DynamicTest> maxPool() {
        return GoldenCase.casesOf("MaxPool2D").stream().map(n -> DynamicTest.dynamicTest(n, () -> {
            GoldenCase c = new GoldenCase(n);
            int[] s = c.shape("x");
            int[] ys = c.shape("y");
            int p = c.integer("pool"), st = c.integer("stride");
            Padding pad = Padding.valueOf(c.str("padding").toUpperCase());
            LayerHarness.Run r = LayerHarness.run(new MaxPool2D(p, p, st, st, pad), true,
                    new Shape[] {Shape.of(Layouts.nhwc(s))}, new float[][] {Layouts.nchwToNhwc(c.array("x"), s)},
                    Map.of(), Layouts.nchwToNhwc(c.array("gy"), ys));
            assertEquals(Shape.of(Layouts.nhwc(ys)), r.outShape, n + " output shape");
            Compare.check(n + " y", Layouts.nchwToNhwc(c.array("y"), ys), r.y, 1);
            Compare.check(n + " grad x", Layouts.nchwToNhwc(c.array("gx"), s), r.gx[0], 1);
        }));
    }
}
