package io.hush.engine.golden;

import io.hush.engine.Shape;
import io.hush.engine.layers.Dense;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Dense against PyTorch F.linear + activation (linear, relu, leaky_relu 0.2, sigmoid, tanh), 17 -> 9, batch 3.
 * Linear weight [Out,In] is transposed to Hush's [In,Out]. Tolerances: {@link Compare} with K = In for y,
 * Out for grad x, N for the kernel and bias gradients.
 */
class GoldenDenseTest {
    @TestFactory
    Stream<DynamicTest> dense() {
        return GoldenCase.casesOf("Dense").stream().map(n -> DynamicTest.dynamicTest(n, () -> {
            GoldenCase c = new GoldenCase(n);
            int[] xs = c.shape("x"), ys = c.shape("y"), ws = c.shape("w");
            LayerHarness.Run r = LayerHarness.run(new Dense(c.integer("units"), GoldenActivations.of(c)), true,
                    new Shape[] {Shape.of(xs)}, new float[][] {c.array("x")},
                    Map.of("kernel", Layouts.linearKernel(c.array("w"), ws), "bias", c.array("b")), c.array("gy"));
            assertEquals(Shape.of(ys), r.outShape, n + " output shape");
            Compare.check(n + " y", c.array("y"), r.y, xs[1]);
            Compare.check(n + " grad x", c.array("gx"), r.gx[0], ys[1]);
            Compare.check(n + " grad kernel", Layouts.linearKernel(c.array("gw"), ws), r.grads.get("kernel"), xs[0]);
            Compare.check(n + " grad bias", c.array("gb"), r.grads.get("bias"), xs[0]);
        }));
    }
}
