package io.hush.engine.layers;

import io.hush.engine.kernels.Activation;

import io.hush.engine.GradCheck;
import io.hush.engine.Shape;
import io.hush.engine.ShapeException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SimpleLayersTest {
    private static Shape[] s(Shape... x) { return x; }

    @Test
    void addAndSubtractGradients() {
        Shape sh = Shape.of(2, 3, 5, 7);
        new GradCheck().check(new Add(), s(sh, sh));
        new GradCheck().check(new Subtract(), s(sh, sh));
    }

    @Test
    void addSubtractValues() {
        Shape sh = Shape.of(3, 33);
        try (LayerRunner a = new LayerRunner(new Add(), 2, false, sh, sh).fillRandom(1);
             LayerRunner b = new LayerRunner(new Subtract(), 2, false, sh, sh).fillRandom(1)) {
            float[] x = a.in[0].toArray(), y = a.in[1].toArray();
            float[] sum = a.forward(), diff = b.forward();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i] + y[i], sum[i]);
                assertEquals(x[i] - y[i], diff[i]);
            }
        }
    }

    @Test
    void addShapeMismatchNamesBothShapes() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> new Add().name("skip").outputShape(Shape.of(4, 4, 8), Shape.of(4, 4, 16)));
        assertTrue(e.getMessage().contains("Add 'skip'"), e.getMessage());
        assertTrue(e.getMessage().contains("[4,4,8]") && e.getMessage().contains("[4,4,16]"), e.getMessage());
        assertThrows(ShapeException.class, () -> new Subtract().outputShape(Shape.of(3), Shape.of(4)));
    }

    @Test
    void scaleGradientAndValues() {
        new GradCheck().check(new Scale(-2.5f, 0.75f), s(Shape.of(2, 17)));
        try (LayerRunner r = new LayerRunner(new Scale(1f / 255f, -0.5f), 1, false, Shape.of(1, 19)).fillRandom(3)) {
            float[] x = r.in[0].toArray(), y = r.forward();
            for (int i = 0; i < x.length; i++) assertEquals(x[i] * (1f / 255f) + -0.5f, y[i]);
        }
        assertThrows(IllegalArgumentException.class, () -> new Scale(Float.NaN));
        assertEquals(2f, new Scale(2f, 3f).multiplier());
        assertEquals(3f, new Scale(2f, 3f).offset());
    }

    @Test
    void flattenKeepsNhwcOrder() {
        Flatten f = new Flatten();
        assertEquals(Shape.of(4 * 5 * 3), f.outputShape(Shape.of(4, 5, 3)));
        try (LayerRunner r = new LayerRunner(f, 1, true, Shape.of(2, 4, 5, 3)).fillRandom(4)) {
            assertArrayEquals(r.in[0].toArray(), r.forward());
        }
        new GradCheck().check(new Flatten(), s(Shape.of(2, 3, 3, 2)));
    }

    @Test
    void reshapeInfersAndValidates() {
        assertEquals(Shape.of(7, 7, 64), new Reshape(7, 7, -1).outputShape(Shape.of(3136)));
        assertEquals(Shape.of(2, 6), new Reshape(2, 6).outputShape(Shape.of(3, 4)));
        ShapeException e = assertThrows(ShapeException.class, () -> new Reshape(5, -1).name("r").outputShape(Shape.of(12)));
        assertTrue(e.getMessage().contains("Reshape 'r'") && e.getMessage().contains("[12]"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> new Reshape(5, 2).outputShape(Shape.of(12)));
        assertTrue(e.getMessage().contains("[5, 2]"), e.getMessage());
        IllegalArgumentException ie = assertThrows(IllegalArgumentException.class, () -> new Reshape(-1, -1));
        assertTrue(ie.getMessage().contains("more than one -1"));
        assertThrows(IllegalArgumentException.class, () -> new Reshape(0, 3));
        new GradCheck().check(new Reshape(3, -1), s(Shape.of(2, 2, 3, 2)));
        assertArrayEquals(new int[] {3, -1}, new Reshape(3, -1).target());
    }

    @Test
    void activationLayerGradients() {
        // ReLU kinks at 0: inputs in [-1,1] drawn at random stay > eps from 0 with this seed's few samples
        float[] away = LayerRunner.random(2 * 3 * 3 * 5, 11);
        for (int i = 0; i < away.length; i++) if (Math.abs(away[i]) < 0.05f) away[i] = 0.3f;
        for (Activation a : new Activation[] {Activation.LINEAR, Activation.RELU, Activation.leakyRelu(0.2f),
                Activation.SIGMOID, Activation.TANH}) {
            new GradCheck().check(new ActivationLayer(a), s(Shape.of(2, 3, 3, 5)), away);
        }
        assertEquals(Activation.TANH, new ActivationLayer(Activation.TANH).activation());
        assertThrows(IllegalArgumentException.class, () -> new ActivationLayer(null));
    }

    @Test
    void dropoutTrainingAndInference() {
        Dropout d = new Dropout(0.25f);
        d.name("drop");
        Shape sh = Shape.of(4, 1000);
        try (LayerRunner r = new LayerRunner(d, 2, true, sh).fillRandom(5)) {
            r.ex.step = 9;
            float[] x = r.in[0].toArray(), y = r.forward();
            int zeros = 0;
            for (int i = 0; i < x.length; i++) {
                if (y[i] == 0f) zeros++;
                else assertEquals(x[i] / 0.75f, y[i], 1e-6f);
            }
            assertEquals(0.25, zeros / (double) x.length, 0.03);
            // same step -> same mask; another step -> another mask
            assertArrayEquals(y, r.forward());
            r.ex.step = 10;
            assertFalse(java.util.Arrays.equals(y, r.forward()));
            // one thread gives the same mask
            try (LayerRunner one = new LayerRunner(d, 1, true, sh)) {
                one.in[0].copyFrom(x);
                one.ex.step = 9;
                r.ex.step = 9;
                assertArrayEquals(r.forward(), one.forward());
            }
            r.ex.training = false;
            assertArrayEquals(x, r.forward());
        }
        GradCheck gc = new GradCheck();
        gc.check(new Dropout(0.5f).name("d2"), s(Shape.of(2, 40)));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1f));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1f));
        assertEquals(0.25f, d.rate());
    }
}
