package io.hush.engine.layers;

import io.hush.engine.kernels.Activation;

import io.hush.engine.GradCheck;
import io.hush.engine.Shape;
import io.hush.engine.ShapeException;
import io.hush.engine.Tensor;
import io.hush.engine.ThreadPool;
import io.hush.engine.kernels.ConvGeom;
import io.hush.engine.kernels.ConvScalar;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Conv2DTest {

    static Shape[] in(int... nhwc) { return new Shape[]{Shape.of(nhwc)}; }

    /** Gradient check of a convolution layer on a batched input {@code [N,H,W,C]} (also used by Conv2DTransposeTest). */
    static void grad(Layer l, int threads, int... nhwc) {
        GradCheck gc = new GradCheck();
        gc.threads = threads;
        gc.maxPerTensor = 40;
        gc.check(l, in(nhwc));
    }

    /** A gradient check with a step small enough to stay off ReLU's kink on a small layer (see gradientsReluAndLeaky). */
    static GradCheck nearKink() {
        GradCheck gc = new GradCheck();
        gc.eps = 1e-3;
        gc.atol = 3e-3;
        gc.seed = 4;
        return gc;
    }

    @Test
    void gradientsSameStride1BiasLinear() {
        grad(new Conv2D(17, 3, 3, 1, 1, Padding.SAME, 1, 1, true, Activation.LINEAR), 1, 2, 5, 6, 3);
    }

    @Test
    void gradientsValidStride2NoBiasTanhCin1() {
        grad(new Conv2D(3, 3, 3, 2, 2, Padding.VALID, 1, 1, false, Activation.TANH), 2, 2, 7, 6, 1);
    }

    @Test
    void gradientsEvenKernelAsymmetricSameSigmoidCout1() {
        grad(new Conv2D(1, 2, 2, 1, 1, Padding.SAME, 1, 1, true, Activation.SIGMOID), 1, 1, 5, 5, 17);
    }

    @Test
    void gradientsDilation2Tanh() {
        grad(new Conv2D(3, 3, 3, 1, 1, Padding.SAME, 2, 2, true, Activation.TANH), 1, 1, 7, 7, 3);
    }

    @Test
    void gradientsKernel4Stride2TwoThreads() {
        grad(new Conv2D(5, 4, 4, 2, 2, Padding.SAME, 1, 1, true, Activation.LINEAR), 2, 2, 6, 7, 3);
    }

    /**
     * ReLU/LeakyReLU have a kink at 0 that a central difference with eps=1e-2 straddles for some outputs, so these
     * checks use eps=1e-3 on a small layer (few outputs near 0; the numeric noise ~6e-8 * sum|y*r| / 2e-3 stays
     * below 1e-3 here). The exact masking is also checked bit for bit in {@link #fusedActivationBackwardIsMaskedLinear}.
     */
    @Test
    void gradientsReluAndLeaky() {
        for (Activation a : new Activation[]{Activation.RELU, Activation.leakyRelu(0.2f)}) {
            GradCheck gc = nearKink();
            gc.check(new Conv2D(3, 3, 3, 1, 1, Padding.SAME, 2, 2, true, a), in(1, 5, 5, 2));
            gc.check(new Conv2D(4, 4, 4, 2, 2, Padding.SAME, 1, 1, true, a), in(1, 6, 5, 3));
        }
    }

    @Test
    void fusedActivationBackwardIsMaskedLinear() {
        Activation act = Activation.leakyRelu(0.1f);
        Conv2D fused = new Conv2D(6, 3, 3, 2, 2, Padding.SAME, 1, 1, true, act);
        Conv2D lin = new Conv2D(6, 3, 3, 2, 2, Padding.SAME, 1, 1, true, Activation.LINEAR);
        Shape x = Shape.of(2, 7, 6, 5);
        try (LayerRunner rf = new LayerRunner(fused, 2, true, x).fillRandom(8);
             LayerRunner rl = new LayerRunner(lin, 2, true, x).fillRandom(8)) {
            rl.layer.params().get(0).value.copyFrom(fused.kernel().value);
            float[] y = rf.forward();
            float[] gy = new float[y.length];
            float[] masked = new float[y.length];
            SplittableRandom r = new SplittableRandom(2);
            for (int i = 0; i < y.length; i++) {
                gy[i] = (float) (r.nextDouble() * 2 - 1);
                masked[i] = gy[i] * act.derivFromOutput(y[i]);
            }
            float[] gxF = rf.backward(gy)[0];
            rl.forward();
            float[] gxL = rl.backward(masked)[0];
            assertArrayEquals(gxL, gxF);
            assertArrayEquals(lin.kernel().grad.toArray(), fused.kernel().grad.toArray());
            assertArrayEquals(lin.bias().grad.toArray(), fused.bias().grad.toArray());
        }
    }

    @Test
    void gradientsExplicitPads() {
        grad(Conv2D.withPads(4, 3, 2, 2, 1, 1, 2, 0, 1, 1, 1, true, Activation.LINEAR), 1, 1, 6, 5, 2);
    }

    @Test
    void outputShapesFollowKerasAndExplicitRules() {
        // Keras: SAME -> ceil(in/s); VALID -> floor((in - eff)/s) + 1
        assertEquals(Shape.of(28, 28, 32), new Conv2D(32, 3, Activation.RELU).outputShape(Shape.of(28, 28, 1)));
        assertEquals(Shape.of(14, 14, 64), new Conv2D(64, 3, 2, Padding.SAME, Activation.RELU).outputShape(Shape.of(28, 28, 32)));
        assertEquals(Shape.of(4, 4, 8), new Conv2D(8, 3, 2, Padding.SAME, Activation.LINEAR).outputShape(Shape.of(7, 7, 3)));
        assertEquals(Shape.of(3, 3, 8), new Conv2D(8, 3, 2, Padding.VALID, Activation.LINEAR).outputShape(Shape.of(7, 7, 3)));
        assertEquals(Shape.of(3, 2, 8), new Conv2D(8, 3, 3, 1, 1, Padding.VALID, 2, 3, true, Activation.LINEAR)
                .outputShape(Shape.of(7, 8, 3))); // eff 5x7
        // PyTorch: floor((in + pt + pb - d(k-1) - 1)/s) + 1
        assertEquals(Shape.of(4, 7, 6), Conv2D.withPads(6, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, true, Activation.LINEAR)
                .outputShape(Shape.of(8, 7, 3)));
    }

    @Test
    void sameSplitsOddPaddingWithMoreAtBottomRight() {
        Conv2D even = new Conv2D(2, 2, 2, 1, 1, Padding.SAME, 1, 1, true, Activation.LINEAR);
        assertEquals(Pad.explicit(0, 1, 0, 1), even.padsFor(5, 5));
        Conv2D s2 = new Conv2D(2, 3, 3, 2, 2, Padding.SAME, 1, 1, true, Activation.LINEAR);
        assertEquals(Pad.explicit(0, 1, 0, 1), s2.padsFor(6, 6)); // total = (3-1)*2 + 3 - 6 = 1
        assertEquals(Pad.explicit(1, 1, 1, 1), s2.padsFor(7, 7)); // total = 2
        assertEquals(Pad.explicit(0, 0, 0, 0), new Conv2D(2, 3, 1, Padding.VALID, Activation.LINEAR).padsFor(9, 9));
    }

    @Test
    void forwardMatchesReferenceAndThreadCountsAgree() {
        Conv2D l = new Conv2D(19, 3, 3, 2, 1, Padding.SAME, 1, 2, true, Activation.TANH);
        Shape x = Shape.of(2, 9, 11, 5);
        try (LayerRunner r1 = new LayerRunner(l, 1, false, x).fillRandom(3);
             LayerRunner r2 = new LayerRunner(l, 2, false, x).fillRandom(3)) {
            for (long i = 0; i < l.bias().value.size(); i++) l.bias().value.set(i, 0.1f * i - 0.5f);
            float[] y1 = r1.forward(), y2 = r2.forward();
            assertArrayEquals(y1, y2, "1 vs 2 threads");
            ConvGeom g = l.geometry(x);
            try (Arena a = Arena.ofShared()) {
                MemorySegment ref = a.allocate(g.outSize() * 4);
                ConvScalar.forward(g, r1.in[0].data(), l.kernel().value.data(), l.bias().value.data(), ref);
                for (int i = 0; i < y1.length; i++) {
                    float want = (float) Math.tanh(ref.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i));
                    assertEquals(want, y1[i], 2e-5f, "output " + i);
                }
            }
        }
    }

    @Test
    void skipsInputGradientWhenNull() {
        Conv2D l = new Conv2D(4, 3, Activation.LINEAR);
        try (Arena a = Arena.ofShared(); ThreadPool pool = new ThreadPool(2)) {
            Shape x = Shape.of(1, 5, 5, 2);
            l.createParams(new Shape[]{x.dropBatch()}, a);
            l.initialize(new SplittableRandom(1));
            Tensor in = Tensor.allocate(a, x), out = Tensor.allocate(a, Shape.of(1, 5, 5, 4)), g = Tensor.allocate(a, Shape.of(1, 5, 5, 4));
            in.fill(1f);
            g.fill(1f);
            Exec ex = new Exec(pool, true);
            ex.scratch = a.allocate(Math.max(4, l.scratchFloats(new Shape[]{x}, out.shape(), 2)) * 4, 64);
            l.forward(new Tensor[]{in}, out, ex);
            l.backward(new Tensor[]{in}, out, g, new Tensor[]{null}, ex);
            // bias gradient = number of output pixels; kernel gradient of the centre tap = sum over all pixels = 25
            assertEquals(25f, l.bias().grad.get(0));
            assertEquals(25f, l.kernel().grad.get((4L * 2) * 4));
        }
    }

    @Test
    void glorotUniformInitAndParams() {
        Conv2D l = new Conv2D(8, 3, Activation.RELU);
        try (Arena a = Arena.ofShared()) {
            l.createParams(new Shape[]{Shape.of(6, 6, 4)}, a);
            l.initialize(new SplittableRandom(9));
            assertEquals(Shape.of(3, 3, 4, 8), l.kernel().value.shape());
            assertEquals("kernel", l.kernel().name);
            assertEquals("bias", l.bias().name);
            double limit = Math.sqrt(6.0 / (9 * 4 + 9 * 8));
            double max = 0, sumSq = 0;
            for (float v : l.kernel().value.toArray()) {
                max = Math.max(max, Math.abs(v));
                sumSq += v * v;
            }
            assertTrue(max <= limit && max > 0.9 * limit, "max " + max + " limit " + limit);
            double var = sumSq / l.kernel().value.size();
            assertEquals(limit * limit / 3, var, limit * limit / 3 * 0.25, "uniform variance");
            for (float v : l.bias().value.toArray()) assertEquals(0f, v);
        }
        Conv2D nb = new Conv2D(2, 1, 1, 1, 1, Padding.VALID, 1, 1, false, Activation.LINEAR);
        try (Arena a = Arena.ofShared()) {
            nb.createParams(new Shape[]{Shape.of(2, 2, 1)}, a);
            assertNull(nb.bias());
            assertEquals(1, nb.params().size());
        }
    }

    @Test
    void gettersReportSettings() {
        Conv2D c = new Conv2D(7, 3, 5, 2, 1, Padding.VALID, 1, 2, false, Activation.SIGMOID);
        assertEquals(7, c.filters());
        assertEquals(3, c.kernelH());
        assertEquals(5, c.kernelW());
        assertEquals(2, c.strideH());
        assertEquals(1, c.strideW());
        assertEquals(1, c.dilationH());
        assertEquals(2, c.dilationW());
        assertEquals(Pad.VALID, c.pad());
        assertEquals(new Window2D(3, 5, 2, 1, 1, 2), c.window());
        assertEquals(false, c.useBias());
        assertEquals(Activation.SIGMOID, c.activation());
        Conv2D e = Conv2D.withPads(3, 3, 3, 1, 1, 1, 2, 3, 4, 1, 1, true, Activation.LINEAR);
        assertEquals(Pad.explicit(1, 2, 3, 4), e.pad());
        assertEquals(Pad.explicit(1, 2, 3, 4), e.padsFor(10, 10));
    }

    @Test
    void flopsCountsMultiplyAdds() {
        Conv2D c = new Conv2D(64, 3, Activation.LINEAR);
        Shape out = c.outputShape(Shape.of(64, 64, 64));
        assertEquals(2L * 64 * 64 * 64 * 9 * 64 + 64 * 64 * 64, c.flops(new Shape[]{Shape.of(64, 64, 64)}, out));
    }

    @Test
    void badShapesAndSettingsThrowNamingLayerAndShapes() {
        Conv2D c = new Conv2D(4, 3, Activation.LINEAR);
        c.name("enc1");
        ShapeException e = assertThrows(ShapeException.class, () -> c.outputShape(Shape.of(28, 28)));
        assertTrue(e.getMessage().contains("Conv2D 'enc1'") && e.getMessage().contains("[28,28]"), e.getMessage());
        ShapeException v = assertThrows(ShapeException.class,
                () -> new Conv2D(4, 5, 1, Padding.VALID, Activation.LINEAR).outputShape(Shape.of(4, 9, 3)));
        assertTrue(v.getMessage().contains("Conv2D") && v.getMessage().contains("[4,9,3]") && v.getMessage().contains("larger"),
                v.getMessage());
        try (Arena a = Arena.ofShared()) {
            c.createParams(new Shape[]{Shape.of(8, 8, 3)}, a);
            ShapeException ch = assertThrows(ShapeException.class, () -> c.outputShape(Shape.of(8, 8, 5)));
            assertTrue(ch.getMessage().contains("'enc1'") && ch.getMessage().contains("3 input channels")
                    && ch.getMessage().contains("[8,8,5]"), ch.getMessage());
        }
        IllegalArgumentException z = assertThrows(IllegalArgumentException.class, () -> new Conv2D(0, 3, Activation.RELU));
        assertTrue(z.getMessage().contains("Conv2D: filters must be >= 1, got 0"), z.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv2D(4, -1, Activation.RELU));
        assertThrows(IllegalArgumentException.class, () -> new Conv2D(4, 3, 0, Padding.SAME, Activation.RELU));
        assertThrows(IllegalArgumentException.class,
                () -> new Conv2D(4, 3, 3, 1, 1, Padding.SAME, 0, 1, true, Activation.RELU));
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> Conv2D.withPads(4, 3, 3, 1, 1, -1, 0, 0, 0, 1, 1, true, Activation.RELU));
        assertTrue(p.getMessage().contains("pads must be >= 0, got top -1"), p.getMessage());
    }
}
