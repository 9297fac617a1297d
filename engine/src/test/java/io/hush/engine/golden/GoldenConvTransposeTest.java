package io.hush.engine.golden;

import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Padding;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * Conv2DTranspose against PyTorch with Keras semantics: the full transposed convolution cropped to
 * [padTop, padTop + out) with TensorFlow's padTop (make_golden.py cross-checks that against autograd's adjoint of
 * the Keras forward convolution). Cases: 3x3 stride 2 SAME (padTop 0 -- NOT PyTorch's padding=1,
 * output_padding=1, which is shifted by one pixel), VALID, VALID with output_padding 1, 4x4 stride 2 SAME
 * (padTop 1), 3x3 stride 1 SAME with relu, 3x5 kernel with stride 2x1, dilation 2 SAME, 2x2 stride 2 VALID without
 * bias (sigmoid); and explicit pads ({@link Conv2DTranspose#withPads}, ONNX ConvTranspose semantics), computed
 * by nn.ConvTranspose2d itself where symmetric: k3 s2 padding=1 output_padding=1, k4 s2 padding=1, asymmetric pads. Tolerances: {@link Compare}; K = Cin * ceil(K/s)^2 taps per output
 * for y, KH*KW*Cout for grad x, N*H*W (input pixels) for the kernel gradient, N*OH*OW for the bias gradient.
 */
class GoldenConvTransposeTest {
    @TestFactory
    Stream<DynamicTest> conv2dTranspose() {
        return GoldenCase.casesOf("Conv2DTranspose").stream().map(n -> DynamicTest.dynamicTest(n, () -> run(new GoldenCase(n))));
    }

    static void run(GoldenCase c) {
        int[] xs = c.shape("x"), ws = c.shape("w");
        int kh = c.integer("kernel_h"), kw = c.integer("kernel_w");
        int op = c.str("output_padding").equals("none") ? -1 : c.integer("output_padding");
        int opW = c.meta.containsKey("output_padding_w") ? c.integer("output_padding_w") : op;
        boolean bias = c.bool("bias");
        Conv2DTranspose layer = c.str("padding").equals("explicit")
                ? Conv2DTranspose.withPads(c.integer("filters"), kh, kw, c.integer("stride_h"), c.integer("stride_w"),
                        c.integer("pad_top"), c.integer("pad_bottom"), c.integer("pad_left"), c.integer("pad_right"),
                        op, opW, c.integer("dilation_h"), c.integer("dilation_w"), bias, GoldenActivations.of(c))
                : new Conv2DTranspose(c.integer("filters"), kh, kw, c.integer("stride_h"), c.integer("stride_w"),
                        Padding.valueOf(c.str("padding").toUpperCase()), op, opW, c.integer("dilation_h"),
                        c.integer("dilation_w"), bias, GoldenActivations.of(c));
        GoldenConvTest.runAndCompare(c, layer, Layouts.convTransposeKernel(c.array("w"), ws),
                Layouts.convTransposeKernel(c.array("gw"), ws), c.integer("terms"), (long) kh * kw * ws[1],
                (long) xs[0] * xs[2] * xs[3]);
    }
}
