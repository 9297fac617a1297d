package io.hush.engine.layers;

import io.hush.engine.kernels.Activation;

import io.hush.engine.GradCheck;
import io.hush.engine.Shape;
import io.hush.engine.ShapeException;
import io.hush.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class DenseTest {

    @Test
    void gradientsForEveryActivation() {
        for (Activation a : new Activation[] {Activation.LINEAR, Activation.RELU, Activation.leakyRelu(0.1f),
                Activation.SIGMOID, Activation.TANH}) {
            GradCheck gc = new GradCheck();
            // ReLU: a kink crossed by a +-eps step gives a wrong numeric slope; small weights keep pre-activations
            // spread, and the check's tolerance copes with the rare sample near 0 only for smooth activations
            gc.seed = 5;
            gc.check(new Dense(7, a, true), new Shape[] {Shape.of(3, 11)});
        }
        new GradCheck().check(new Dense(5, Activation.LINEAR, false), new Shape[] {Shape.of(1, 4)});
        // batch >= 4 and several panels: the blocked GEMM path in all three products
        GradCheck big = new GradCheck();
        big.maxPerTensor = 25;
        big.check(new Dense(37, Activation.TANH, true), new Shape[] {Shape.of(6, 41)});
    }

    /** Allocates the layer's parameters in {@code a} for a per-sample input shape and initialises them from a seed. */
    static void built(Dense d, Arena a, Shape in, long seed) {
        d.createParams(new Shape[] {in}, a);
        d.initialize(new SplittableRandom(seed));
    }

    @Test
    void forwardMatchesDirectSum() {
        Dense d = new Dense(5, Activation.SIGMOID, true);
        try (Arena a = Arena.ofShared()) {
            built(d, a, Shape.of(3), 1);
            d.bias().value.copyFrom(new float[] {0.1f, -0.2f, 0.3f, 0f, 1f});
            try (LayerRunner r = new LayerRunner(d, 1, false, Shape.of(2, 3)).fillRandom(2)) {
                float[] x = r.in[0].toArray(), y = r.forward(), w = d.kernel().value.toArray(), b = d.bias().value.toArray();
                for (int n = 0; n < 2; n++) {
                    for (int o = 0; o < 5; o++) {
                        double s = b[o];
                        for (int i = 0; i < 3; i++) s += x[n * 3 + i] * w[i * 5 + o];
                        assertEquals(1 / (1 + Math.exp(-s)), y[n * 5 + o], 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void glorotInitAndSettings() {
        Dense d = new Dense(100, Activation.RELU, false);
        try (Arena a = Arena.ofShared()) {
            built(d, a, Shape.of(50), 3);
            float[] w = d.kernel().value.toArray();
            double limit = Math.sqrt(6.0 / 150), sq = 0;
            for (float v : w) {
                assertTrue(Math.abs(v) <= limit);
                sq += v * v;
            }
            assertEquals(limit * limit / 3, sq / w.length, 0.1 * limit * limit / 3); // variance of U(-l,l)
            assertEquals(Shape.of(50, 100), d.kernel().value.shape());
            assertNull(d.bias());
            assertEquals(1, d.params().size());
            assertEquals(100, d.units());
            assertFalse(d.useBias());
            assertEquals(Activation.RELU, d.activation());
            assertEquals(java.util.OptionalInt.of(50), d.inputFeatures());
            assertEquals(2L * 50 * 100, d.flops(new Shape[] {Shape.of(50)}, Shape.of(100)));
        }
    }

    @Test
    void shapeErrors() {
        ShapeException e = assertThrows(ShapeException.class, () -> new Dense(10).name("fc").outputShape(Shape.of(7, 7, 64)));
        assertTrue(e.getMessage().contains("Dense 'fc'") && e.getMessage().contains("[7,7,64]")
                && e.getMessage().contains("Flatten"), e.getMessage());
        Dense d = new Dense(4);
        try (Arena a = Arena.ofShared()) {
            d.createParams(new Shape[] {Shape.of(8)}, a);
            e = assertThrows(ShapeException.class, () -> d.outputShape(Shape.of(9)));
            assertTrue(e.getMessage().contains("8") && e.getMessage().contains("[9]"), e.getMessage());
        }
        IllegalArgumentException ie = assertThrows(IllegalArgumentException.class, () -> new Dense(0));
        assertTrue(ie.getMessage().contains("units"));
    }

    @Test
    void gradientsIdenticalForOneAndTwoThreads() {
        Shape in = Shape.of(5, 70);
        float[][] res = new float[4][];
        for (int t = 1; t <= 2; t++) {
            Dense d = new Dense(90, Activation.TANH, true);
            try (Arena a = Arena.ofShared()) {
                built(d, a, in.dropBatch(), 4);
                try (LayerRunner r = new LayerRunner(d, t, true, in).fillRandom(6)) {
                    float[] y = r.forward();
                    float[] gx = r.backward(LayerRunner.random(y.length, 8))[0];
                    float[] all = new float[y.length + gx.length];
                    System.arraycopy(y, 0, all, 0, y.length);
                    System.arraycopy(gx, 0, all, y.length, gx.length);
                    res[(t - 1) * 2] = all;
                    Tensor kg = d.kernel().grad;
                    float[] pg = new float[(int) kg.size() + 90];
                    System.arraycopy(kg.toArray(), 0, pg, 0, (int) kg.size());
                    System.arraycopy(d.bias().grad.toArray(), 0, pg, (int) kg.size(), 90);
                    res[(t - 1) * 2 + 1] = pg;
                }
            }
        }
        assertArrayEquals(res[0], res[2]);
        assertArrayEquals(res[1], res[3]);
    }
}
