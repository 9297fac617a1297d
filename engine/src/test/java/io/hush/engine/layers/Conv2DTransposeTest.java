package io.hush.engine.layers;

import io.hush.engine.kernels.Activation;

import io.hush.engine.Shape;
import io.hush.engine.ShapeException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static io.hush.engine.layers.Conv2DTest.grad;
import static io.hush.engine.layers.Conv2DTest.in;
import static io.hush.engine.layers.Conv2DTest.nearKink;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Conv2DTransposeTest {

    @Test
    void gradientsSeedSettingStride2Same() {
        grad(new Conv2DTranspose(3, 3, 2, Padding.SAME, Activation.LINEAR), 1, 2, 3, 4, 17);
    }

    @Test
    void gradientsValidStride2NoBiasSigmoidTwoThreads() {
        grad(new Conv2DTranspose(17, 3, 3, 2, 2, Padding.VALID, -1, -1, 1, 1, false, Activation.SIGMOID), 2, 1, 3, 3, 3);
    }

    @Test
    void gradientsEvenKernelOutputPaddingTanhCin1() {
        grad(new Conv2DTranspose(2, 4, 2, 2, 3, Padding.SAME, 1, 2, 1, 1, true, Activation.TANH), 1, 1, 3, 3, 1);
    }

    @Test
    void gradientsPytorchPadsAndDilationCout1() {
        // ConvTranspose2d(k=3, s=2, p=1, output_padding=1, dilation=2)
        grad(Conv2DTranspose.withPads(1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2, 2, true, Activation.LINEAR), 1, 2, 3, 4, 3);
    }

    @Test
    void gradientsKernelSmallerThanStride() {
        grad(new Conv2DTranspose(3, 2, 2, 3, 3, Padding.VALID, -1, -1, 1, 1, true, Activation.LINEAR), 1, 1, 3, 2, 2);
    }

    /** eps=1e-3 keeps the central difference off ReLU's kink for this small layer (see Conv2DTest). */
    @Test
    void gradientsReluAndLeaky() {
        for (Activation a : new Activation[]{Activation.RELU, Activation.leakyRelu(0.3f)}) {
            nearKink().check(new Conv2DTranspose(3, 3, 2, Padding.SAME, a), in(1, 3, 3, 2));
        }
    }

    /**
     * The definition, as an independent scatter loop: every input pixel adds {@code x * kernel[i,j,ci,co]} at
     * {@code (iy*s - padTop + i*d, ix*s - padLeft + j*d)}; outputs outside the (cropped) image are dropped.
     */
    @Test
    void forwardMatchesScatterDefinition() {
        Conv2DTranspose[] layers = {
                new Conv2DTranspose(5, 3, 2, Padding.SAME, Activation.LINEAR),
                new Conv2DTranspose(3, 4, 3, 2, 1, Padding.VALID, -1, -1, 1, 2, true, Activation.LINEAR),
                Conv2DTranspose.withPads(4, 3, 3, 3, 2, 2, 0, 1, 2, 2, 1, 1, 1, true, Activation.LINEAR),
        };
        for (Conv2DTranspose l : layers) {
            Shape x = Shape.of(2, 4, 3, 3);
            try (LayerRunner r = new LayerRunner(l, 2, false, x).fillRandom(5)) {
                for (long i = 0; i < l.bias().value.size(); i++) l.bias().value.set(i, 0.25f * i);
                float[] y = r.forward();
                float[] xs = r.in[0].toArray(), k = l.kernel().value.toArray(), bias = l.bias().value.toArray();
                Shape o = r.out.shape();
                int oh = o.dim(1), ow = o.dim(2), co = o.dim(3), cin = 3, kh = l.kernelH(), kw = l.kernelW();
                int[] p = l.cropsFor(4, 3);
                double[] want = new double[y.length];
                for (int i = 0; i < want.length; i++) want[i] = bias[i % co];
                for (int n = 0; n < 2; n++)
                    for (int iy = 0; iy < 4; iy++)
                        for (int ix = 0; ix < 3; ix++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++) {
                                    int yy = iy * l.strideH() - p[0] + i * l.dilationH(), xx = ix * l.strideW() - p[2] + j * l.dilationW();
                                    if (yy < 0 || yy >= oh || xx < 0 || xx >= ow) continue;
                                    for (int ci = 0; ci < cin; ci++)
                                        for (int c = 0; c < co; c++) {
                                            want[((n * oh + yy) * ow + xx) * co + c] += xs[((n * 4 + iy) * 3 + ix) * cin + ci]
                                                    * k[((i * kw + j) * cin + ci) * co + c];
                                        }
                                }
                for (int i = 0; i < y.length; i++) assertEquals(want[i], y[i], 1e-5, l + " output " + i);
            }
        }
    }

    @Test
    void outputShapesMatchKerasAndPytorch() {
        // Keras, output_padding=None: VALID in*s + max(k-s, 0); SAME in*s
        assertEquals(Shape.of(14, 14, 64), new Conv2DTranspose(64, 3, 2, Padding.SAME, Activation.RELU).outputShape(Shape.of(7, 7, 64)));
        assertEquals(Shape.of(15, 15, 8), new Conv2DTranspose(8, 3, 2, Padding.VALID, Activation.RELU).outputShape(Shape.of(7, 7, 4)));
        assertEquals(Shape.of(21, 21, 8), new Conv2DTranspose(8, 2, 3, Padding.VALID, Activation.RELU).outputShape(Shape.of(7, 7, 4)));
        // Keras with output_padding: (in-1)*s + k - 2*pad + op, pad = k//2 (SAME) or 0 (VALID)
        assertEquals(Shape.of(14, 13, 2), new Conv2DTranspose(2, 3, 3, 2, 2, Padding.SAME, 1, 0, 1, 1, true, Activation.LINEAR)
                .outputShape(Shape.of(7, 7, 1)));
        assertEquals(Shape.of(16, 16, 2), new Conv2DTranspose(2, 3, 3, 2, 2, Padding.VALID, 1, 1, 1, 1, true, Activation.LINEAR)
                .outputShape(Shape.of(7, 7, 1)));
        // dilation: effective kernel (k-1)*d + 1 = 5
        assertEquals(Shape.of(17, 17, 2), new Conv2DTranspose(2, 3, 3, 2, 2, Padding.VALID, -1, -1, 2, 2, true, Activation.LINEAR)
                .outputShape(Shape.of(7, 7, 1)));
        // PyTorch: (in-1)*s - 2p + d(k-1) + op + 1
        assertEquals(Shape.of(14, 14, 32), Conv2DTranspose.withPads(32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, true, Activation.LINEAR)
                .outputShape(Shape.of(7, 7, 64)));
        assertEquals(Shape.of(16, 13, 3), Conv2DTranspose.withPads(3, 4, 3, 2, 2, 1, 1, 0, 2, 0, 0, 1, 1, true, Activation.LINEAR)
                .outputShape(Shape.of(8, 7, 5)));
        assertEquals(Shape.of(12, 12, 3), Conv2DTranspose.withPads(3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 2, 2, true, Activation.LINEAR)
                .outputShape(Shape.of(6, 6, 5))); // (6-1)*2 - 2*2 + 2*(3-1) + 1 + 1
    }

    @Test
    void kerasSamePaddingCropsLikeTensorflow() {
        // SAME, k=3, s=2: full output (in-1)*2+3 = 2*in+1, cropped to 2*in: top 0, one extra row at the bottom
        assertArrayEquals(new int[]{0, 1, 0, 1}, new Conv2DTranspose(4, 3, 2, Padding.SAME, Activation.LINEAR).cropsFor(7, 7));
        // SAME, k=4, s=2: full 2*in+2, crop 1 and 1
        assertArrayEquals(new int[]{1, 1, 1, 1}, new Conv2DTranspose(4, 4, 2, Padding.SAME, Activation.LINEAR).cropsFor(7, 7));
        // VALID, k=2 < s=3: 3*in, i.e. one extra zero column beyond the full output (negative crop)
        assertArrayEquals(new int[]{0, -1, 0, -1}, new Conv2DTranspose(4, 2, 3, Padding.VALID, Activation.LINEAR).cropsFor(5, 5));
        // explicit with output padding: bottom/right crop reduced by op
        assertArrayEquals(new int[]{1, 0, 1, 0},
                Conv2DTranspose.withPads(4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, true, Activation.LINEAR).cropsFor(7, 7));
    }

    @Test
    void gettersInitAndErrors() {
        Conv2DTranspose t = Conv2DTranspose.withPads(6, 3, 4, 2, 3, 1, 2, 0, 1, 1, 2, 1, 1, false, Activation.TANH);
        t.name("up1");
        assertEquals(6, t.filters());
        assertEquals(3, t.kernelH());
        assertEquals(4, t.kernelW());
        assertEquals(2, t.strideH());
        assertEquals(3, t.strideW());
        assertEquals(Pad.explicit(1, 2, 0, 1), t.pad());
        assertEquals(java.util.OptionalInt.of(1), t.outputPaddingH());
        assertEquals(java.util.OptionalInt.of(2), t.outputPaddingW());
        assertTrue(new Conv2DTranspose(2, 3, 2, Padding.SAME, Activation.LINEAR).outputPaddingH().isEmpty());
        assertEquals(false, t.useBias());
        assertEquals(Activation.TANH, t.activation());
        try (Arena a = Arena.ofShared()) {
            t.createParams(new Shape[]{Shape.of(5, 5, 3)}, a);
            t.initialize(new java.util.SplittableRandom(1));
            assertEquals(Shape.of(3, 4, 3, 6), t.kernel().value.shape());
            assertNull(t.bias());
            double limit = Math.sqrt(6.0 / (12 * (3 + 6)));
            for (float v : t.kernel().value.toArray()) assertTrue(Math.abs(v) <= limit);
            ShapeException ch = assertThrows(ShapeException.class, () -> t.outputShape(Shape.of(5, 5, 4)));
            assertTrue(ch.getMessage().contains("Conv2DTranspose 'up1'") && ch.getMessage().contains("[5,5,4]"), ch.getMessage());
        }
        ShapeException r = assertThrows(ShapeException.class,
                () -> new Conv2DTranspose(2, 3, 2, Padding.SAME, Activation.LINEAR).outputShape(Shape.of(9)));
        assertTrue(r.getMessage().contains("Conv2DTranspose") && r.getMessage().contains("[9]"), r.getMessage());
        ShapeException neg = assertThrows(ShapeException.class,
                () -> Conv2DTranspose.withPads(2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, true, Activation.LINEAR).outputShape(Shape.of(1, 3, 2)));
        assertTrue(neg.getMessage().contains("[1,3,2]"), neg.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv2DTranspose(0, 3, 2, Padding.SAME, Activation.LINEAR));
        assertThrows(IllegalArgumentException.class, () -> new Conv2DTranspose(2, 3, 0, Padding.SAME, Activation.LINEAR));
        IllegalArgumentException op = assertThrows(IllegalArgumentException.class,
                () -> new Conv2DTranspose(2, 3, 3, 2, 2, Padding.SAME, 2, 0, 1, 1, true, Activation.LINEAR));
        assertTrue(op.getMessage().contains("output padding"), op.getMessage());
    }
}
