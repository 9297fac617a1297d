package io.hush.engine.golden;

import io.hush.engine.Shape;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.ConvLayer;
import io.hush.engine.layers.Padding;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Conv2D against PyTorch conv2d with Keras/TF 'same' padding emulated by F.pad (smaller half before): 3x3 same
 * (fused relu), stride 2 on even and odd sizes (asymmetric and symmetric padding), valid on a non-square input,
 * 4x4 stride 2 (even kernel, asymmetric), dilation 2, no bias with 17 -> 3 channels, valid stride 2 with tanh,
 * non-square 3x5 kernel with stride 1x2 and sigmoid, 1x1, 2x3 kernel with dilation 2x1; and explicit pads as
 * PyTorch/ONNX carry them ({@link Conv2D#withPads}): PyTorch padding=(1,2) with stride 2, asymmetric ONNX pads.
 * Tolerances: {@link Compare} with K = the length of each sum: KH*KW*Cin for y, KH*KW*Cout for grad x,
 * N*OH*OW for the kernel and bias gradients.
 */
class GoldenConvTest {
    @TestFactory
    Stream<DynamicTest> conv2d() {
        return GoldenCase.casesOf("Conv2D").stream().map(n -> DynamicTest.dynamicTest(n, () -> run(new GoldenCase(n))));
    }

    static void run(GoldenCase c) {
        int[] xs = c.shape("x"), ys = c.shape("y"), ws = c.shape("w");
        int kh = c.integer("kernel_h"), kw = c.integer("kernel_w");
        boolean bias = c.bool("bias");
        Conv2D layer = c.str("padding").equals("explicit")
                ? Conv2D.withPads(c.integer("filters"), kh, kw, c.integer("stride_h"), c.integer("stride_w"),
                        c.integer("pad_top"), c.integer("pad_bottom"), c.integer("pad_left"), c.integer("pad_right"),
                        c.integer("dilation_h"), c.integer("dilation_w"), bias, GoldenActivations.of(c))
                : new Conv2D(c.integer("filters"), kh, kw, c.integer("stride_h"), c.integer("stride_w"),
                        Padding.valueOf(c.str("padding").toUpperCase()), c.integer("dilation_h"), c.integer("dilation_w"),
                        bias, GoldenActivations.of(c));
        runAndCompare(c, layer, Layouts.convKernel(c.array("w"), ws), Layouts.convKernel(c.array("gw"), ws),
                (long) kh * kw * xs[1], (long) kh * kw * ws[0], (long) ys[0] * ys[2] * ys[3]);
    }

    /**
     * Runs a convolution layer (its kernel {@code w} and expected kernel gradient {@code gw} in Hush layout) on the
     * case's x and gy (NCHW) and compares the output shape, y, grad x, grad kernel and grad bias; {@code kY},
     * {@code kGx} and {@code kGw} are the lengths of the sums behind each (grad bias sums N*OH*OW output pixels).
     */
    static void runAndCompare(GoldenCase c, ConvLayer layer, float[] w, float[] gw, long kY, long kGx, long kGw) {
        String n = c.name;
        int[] xs = c.shape("x"), ys = c.shape("y");
        boolean bias = c.bool("bias");
        Map<String, float[]> params = new LinkedHashMap<>();
        params.put("kernel", w);
        if (bias) params.put("bias", c.array("b"));
        LayerHarness.Run r = LayerHarness.run(layer, true, new Shape[] {Shape.of(Layouts.nhwc(xs))},
                new float[][] {Layouts.nchwToNhwc(c.array("x"), xs)}, params, Layouts.nchwToNhwc(c.array("gy"), ys));
        assertEquals(Shape.of(Layouts.nhwc(ys)), r.outShape, n + " output shape");
        Compare.check(n + " y", Layouts.nchwToNhwc(c.array("y"), ys), r.y, kY);
        Compare.check(n + " grad x", Layouts.nchwToNhwc(c.array("gx"), xs), r.gx[0], kGx);
        Compare.check(n + " grad kernel", gw, r.grads.get("kernel"), kGw);
        if (bias) Compare.check(n + " grad bias", c.array("gb"), r.grads.get("bias"), (long) ys[0] * ys[2] * ys[3]);
    }
}
