package io.hush.engine.layers;

import io.hush.engine.GradCheck;
import io.hush.engine.Shape;
import io.hush.engine.ShapeException;
import io.hush.engine.kernels.AveragePoolKernels;
import io.hush.engine.kernels.EluKernels;
import io.hush.engine.kernels.LayoutKernels;
import io.hush.engine.kernels.PoolKernels;
import io.hush.engine.kernels.SoftmaxKernels;
import io.hush.engine.kernels.UpSamplingKernels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The layers Keras models brought to the engine (AveragePool2D, GlobalAveragePool2D, UpSampling2D, Multiply,
 * Concatenate, ZeroPadding2D, Cropping2D, ELU, Softmax): shape rules and their messages, hand-computed values,
 * finite-difference gradients, SIMD kernels against their scalar references on awkward sizes, and thread-count
 * independence. Import goldens against an independent numpy forward live in the keras module.
 */
class KerasLayersTest {
    private static Shape[] s(Shape... x) { return x; }

    private static final int[] CHANNELS = {1, 3, 17, 33};

    static MemorySegment seg(Arena a, float[] v) {
        MemorySegment m = a.allocate(Math.max(4, v.length * 4L), 64);
        MemorySegment.copy(v, 0, m, ValueLayout.JAVA_FLOAT, 0, v.length);
        return m;
    }

    static float[] arr(MemorySegment m, long n) {
        float[] v = new float[Math.toIntExact(n)];
        MemorySegment.copy(m, ValueLayout.JAVA_FLOAT, 0, v, 0, v.length);
        return v;
    }

    static void assertClose(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= tol * (1 + Math.abs(want[i])), what + " [" + i + "]: " + want[i] + " vs " + got[i]);
        }
    }

    // ---------------- AveragePool2D ----------------

    @Test
    void averagePoolShapesAndPaddingNotCounted() {
        assertEquals(Shape.of(4, 4, 3), new AveragePool2D(2, 2, 2, 2, Padding.SAME).outputShape(Shape.of(7, 7, 3)));
        assertEquals(Shape.of(3, 3, 3), new AveragePool2D(2).outputShape(Shape.of(7, 7, 3)));
        ShapeException e = assertThrows(ShapeException.class, () -> new AveragePool2D(3).name("ap").outputShape(Shape.of(2, 5, 1)));
        assertTrue(e.getMessage().contains("AveragePool2D 'ap'") && e.getMessage().contains("[2,5,1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AveragePool2D(0));
        assertThrows(IllegalArgumentException.class, () -> new AveragePool2D(2, 2, 1, 1, null));
        // 3x3 input, 2x2 SAME: the last column/row windows hold 2 (or 1) real cells and divide by that
        try (LayerRunner r = new LayerRunner(new AveragePool2D(2, 2, 2, 2, Padding.SAME), 1, false, Shape.of(1, 3, 3, 1))) {
            r.in[0].copyFrom(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
            assertArrayEquals(new float[] {3f, 4.5f, 7.5f, 9f}, r.forward());
        }
    }

    @Test
    void averagePoolGradients() {
        for (AveragePool2D p : new AveragePool2D[] {new AveragePool2D(2), new AveragePool2D(2, 2, 2, 2, Padding.SAME),
                new AveragePool2D(3, 3, 2, 2, Padding.SAME), new AveragePool2D(3, 2, 1, 1, Padding.VALID)}) {
            new GradCheck().check(p, s(Shape.of(2, 7, 6, 3)));
        }
        new GradCheck().check(new AveragePool2D(2, 2, 1, 1, Padding.SAME), s(Shape.of(1, 5, 5, 19)));
    }

    @Test
    void averagePoolSimdMatchesScalar() {
        for (int c : CHANNELS) {
            for (int[] geo : new int[][] {{7, 7, 2, 2, 2, 2}, {9, 5, 3, 3, 2, 1}, {1, 1, 1, 1, 1, 1}, {6, 6, 3, 3, 1, 1}}) {
                for (Padding pad : Padding.values()) {
                    int h = geo[0], w = geo[1];
                    if (pad == Padding.VALID && (h < geo[2] || w < geo[3])) continue;
                    Shape os = new AveragePool2D(geo[2], geo[3], geo[4], geo[5], pad).outputShape(Shape.of(h, w, c));
                    int oh = os.dim(0), ow = os.dim(1);
                    Pad.Explicit pads = Pad.of(pad).resolve(h, w, Window2D.of(geo[2], geo[3], geo[4], geo[5]));
                    var g = new PoolKernels.Geometry(h, w, c, oh, ow, geo[2], geo[3], geo[4], geo[5], pads.top(), pads.left());
                    long in = 2L * h * w * c, out = 2L * oh * ow * c;
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment x = seg(a, LayerRunner.random(in, c + h)), gy = seg(a, LayerRunner.random(out, c + 7));
                        MemorySegment y1 = a.allocate(out * 4), y2 = a.allocate(out * 4), g1 = a.allocate(in * 4), g2 = a.allocate(in * 4);
                        AveragePoolKernels.averagePool(g, x, y1, 0, 2 * oh);
                        AveragePoolKernels.averagePoolScalar(g, x, y2, 0, 2 * oh);
                        assertEquals(-1, y1.mismatch(y2), "forward c=" + c + " " + pad);
                        int cb = 16, units = 2 * ((c + cb - 1) / cb);
                        AveragePoolKernels.averagePoolBackward(g, gy, g1, cb, 0, units);
                        AveragePoolKernels.averagePoolBackwardScalar(g, gy, g2, cb, 0, units);
                        assertEquals(-1, g1.mismatch(g2), "backward c=" + c + " " + pad);
                    }
                }
            }
        }
    }

    // ---------------- GlobalAveragePool2D ----------------

    @Test
    void globalAveragePool() {
        assertEquals(Shape.of(5), new GlobalAveragePool2D().outputShape(Shape.of(3, 4, 5)));
        assertEquals(Shape.of(1, 1, 5), new GlobalAveragePool2D(true).outputShape(Shape.of(3, 4, 5)));
        assertThrows(ShapeException.class, () -> new GlobalAveragePool2D().outputShape(Shape.of(5)));
        try (LayerRunner r = new LayerRunner(new GlobalAveragePool2D(), 1, false, Shape.of(1, 2, 2, 2))) {
            r.in[0].copyFrom(new float[] {1, 10, 2, 20, 3, 30, 4, 40});
            assertArrayEquals(new float[] {2.5f, 25f}, r.forward());
        }
        new GradCheck().check(new GlobalAveragePool2D(), s(Shape.of(2, 3, 4, 5)));
        new GradCheck().check(new GlobalAveragePool2D(true), s(Shape.of(2, 3, 3, 17)));
        for (int c : CHANNELS) {
            try (Arena a = Arena.ofConfined()) {
                int h = 5, w = 7;
                long in = 2L * h * w * c;
                MemorySegment x = seg(a, LayerRunner.random(in, c)), gy = seg(a, LayerRunner.random(2L * c, c + 1));
                MemorySegment y1 = a.allocate(8L * c), y2 = a.allocate(8L * c), g1 = a.allocate(in * 4), g2 = a.allocate(in * 4);
                AveragePoolKernels.globalAverage(x, y1, h, w, c, 0, 2);
                AveragePoolKernels.globalAverageScalar(x, y2, h, w, c, 0, 2);
                assertEquals(-1, y1.mismatch(y2), "forward c=" + c);
                AveragePoolKernels.globalAverageBackward(gy, g1, h, w, c, 0, 2);
                AveragePoolKernels.globalAverageBackwardScalar(gy, g2, h, w, c, 0, 2);
                assertEquals(-1, g1.mismatch(g2), "backward c=" + c);
            }
        }
    }

    // ---------------- UpSampling2D ----------------

    @Test
    void upSamplingValues() {
        assertEquals(Shape.of(6, 4, 3), new UpSampling2D(3, 2, UpSampling2D.Interpolation.NEAREST).outputShape(Shape.of(2, 2, 3)));
        assertThrows(IllegalArgumentException.class, () -> new UpSampling2D(0));
        assertThrows(IllegalArgumentException.class, () -> new UpSampling2D(2, 2, null));
        try (LayerRunner r = new LayerRunner(new UpSampling2D(2), 1, false, Shape.of(1, 2, 2, 1))) {
            r.in[0].copyFrom(new float[] {1, 2, 3, 4});
            assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, r.forward());
        }
        // tf.image.resize([[1,2],[3,4]], (4,4), 'bilinear') (half-pixel centres, clamped edges)
        try (LayerRunner r = new LayerRunner(new UpSampling2D(2, 2, UpSampling2D.Interpolation.BILINEAR), 1, false,
                Shape.of(1, 2, 2, 1))) {
            r.in[0].copyFrom(new float[] {1, 2, 3, 4});
            assertArrayEquals(new float[] {1f, 1.25f, 1.75f, 2f, 1.5f, 1.75f, 2.25f, 2.5f,
                    2.5f, 2.75f, 3.25f, 3.5f, 3f, 3.25f, 3.75f, 4f}, r.forward());
        }
    }

    @Test
    void upSamplingGradients() {
        for (UpSampling2D.Interpolation mode : UpSampling2D.Interpolation.values()) {
            new GradCheck().check(new UpSampling2D(2, 3, mode), s(Shape.of(2, 3, 4, 3)));
            new GradCheck().check(new UpSampling2D(3, 3, mode), s(Shape.of(1, 2, 2, 17)));
        }
    }

    @Test
    void upSamplingSimdMatchesScalar() {
        for (int c : CHANNELS) {
            for (int[] g : new int[][] {{1, 1, 2, 2}, {3, 5, 2, 3}, {4, 2, 3, 1}}) {
                int h = g[0], w = g[1], sh = g[2], sw = g[3];
                long in = 2L * h * w * c, out = in * sh * sw;
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment x = seg(a, LayerRunner.random(in, c + h)), gy = seg(a, LayerRunner.random(out, c + w));
                    MemorySegment y1 = a.allocate(out * 4), y2 = a.allocate(out * 4), g1 = a.allocate(in * 4), g2 = a.allocate(in * 4);
                    UpSamplingKernels.nearest(x, y1, h, w, c, sh, sw, 0, 2 * h);
                    UpSamplingKernels.nearestScalar(x, y2, h, w, c, sh, sw, 0, 2 * h);
                    assertEquals(-1, y1.mismatch(y2), "nearest c=" + c);
                    UpSamplingKernels.nearestBackward(gy, g1, h, w, c, sh, sw, 0, 2 * h);
                    UpSamplingKernels.nearestBackwardScalar(gy, g2, h, w, c, sh, sw, 0, 2 * h);
                    assertEquals(-1, g1.mismatch(g2), "nearest backward c=" + c);
                    var ay = UpSamplingKernels.Axis.halfPixel(h, sh);
                    var ax = UpSamplingKernels.Axis.halfPixel(w, sw);
                    UpSamplingKernels.bilinear(x, y1, h, w, c, ay, ax, 0, 2 * h * sh);
                    UpSamplingKernels.bilinearScalar(x, y2, h, w, c, ay, ax, 0, 2 * h * sh);
                    assertEquals(-1, y1.mismatch(y2), "bilinear c=" + c);
                    int cb = 16, units = 2 * ((c + cb - 1) / cb);
                    UpSamplingKernels.bilinearBackward(gy, g1, h, w, c, ay, ax, cb, 0, units);
                    UpSamplingKernels.bilinearBackwardScalar(gy, g2, h, w, c, ay, ax, cb, 0, units);
                    assertEquals(-1, g1.mismatch(g2), "bilinear backward c=" + c);
                }
            }
        }
    }

    @Test
    void threadCountDoesNotChangeResults() {
        Layer[] layers = {new UpSampling2D(2, 2, UpSampling2D.Interpolation.BILINEAR), new AveragePool2D(3, 3, 2, 2, Padding.SAME),
                new Softmax(), new Concatenate(2)};
        for (Layer l : layers) {
            Shape in = Shape.of(3, 9, 9, 70);
            Shape[] ins = l.arity() == 2 ? s(in, in) : s(in);
            float[][] res = new float[2][], grads = new float[2][];
            for (int t = 1; t <= 2; t++) {
                try (LayerRunner r = new LayerRunner(l, t, true, ins).fillRandom(8)) {
                    res[t - 1] = r.forward();
                    grads[t - 1] = r.backward(LayerRunner.random(r.out.size(), 9))[0];
                }
            }
            assertArrayEquals(res[0], res[1], l.toString());
            assertArrayEquals(grads[0], grads[1], l.toString());
        }
    }

    // ---------------- Multiply, Concatenate ----------------

    @Test
    void multiply() {
        Shape sh = Shape.of(2, 3, 5, 7);
        new GradCheck().check(new Multiply(), s(sh, sh));
        try (LayerRunner r = new LayerRunner(new Multiply(), 1, false, Shape.of(1, 33), Shape.of(1, 33)).fillRandom(2)) {
            float[] a = r.in[0].toArray(), b = r.in[1].toArray(), y = r.forward();
            for (int i = 0; i < a.length; i++) assertEquals(a[i] * b[i], y[i]);
        }
        ShapeException e = assertThrows(ShapeException.class, () -> new Multiply().name("gate").outputShape(Shape.of(4, 4, 8), Shape.of(4, 4, 1)));
        assertTrue(e.getMessage().contains("Multiply 'gate'") && e.getMessage().contains("[4,4,1]"), e.getMessage());
    }

    @Test
    void concatenate() {
        Concatenate c = new Concatenate(3);
        assertEquals(3, c.arity());
        assertEquals(Shape.of(4, 4, 12), c.outputShape(Shape.of(4, 4, 3), Shape.of(4, 4, 1), Shape.of(4, 4, 8)));
        assertEquals(Shape.of(9), new Concatenate(2).outputShape(Shape.of(4), Shape.of(5)));
        ShapeException e = assertThrows(ShapeException.class, () -> new Concatenate(2).name("cat").outputShape(Shape.of(4, 4, 3), Shape.of(4, 5, 3)));
        assertTrue(e.getMessage().contains("Concatenate 'cat'") && e.getMessage().contains("[4,5,3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Concatenate(1));
        try (LayerRunner r = new LayerRunner(new Concatenate(2), 1, false, Shape.of(1, 1, 2, 1), Shape.of(1, 1, 2, 2))) {
            r.in[0].copyFrom(new float[] {1, 2});
            r.in[1].copyFrom(new float[] {10, 11, 20, 21});
            assertArrayEquals(new float[] {1, 10, 11, 2, 20, 21}, r.forward());
            float[][] g = r.backward(new float[] {1, 2, 3, 4, 5, 6});
            assertArrayEquals(new float[] {1, 4}, g[0]);
            assertArrayEquals(new float[] {2, 3, 5, 6}, g[1]);
        }
        new GradCheck().check(new Concatenate(3), s(Shape.of(2, 3, 3, 3), Shape.of(2, 3, 3, 17), Shape.of(2, 3, 3, 1)));
        try (Arena a = Arena.ofConfined()) { // copy kernel vs scalar reference
            MemorySegment x0 = seg(a, LayerRunner.random(5 * 3, 1)), x1 = seg(a, LayerRunner.random(5 * 17, 2));
            MemorySegment y1 = a.allocate(5 * 20 * 4), y2 = a.allocate(5 * 20 * 4);
            LayoutKernels.concat(new MemorySegment[] {x0, x1}, new int[] {3, 17}, y1, 0, 5);
            LayoutKernels.concatScalar(new MemorySegment[] {x0, x1}, new int[] {3, 17}, y2, 0, 5);
            assertEquals(-1, y1.mismatch(y2));
        }
    }

    // ---------------- ZeroPadding2D, Cropping2D ----------------

    @Test
    void paddingAndCropping() {
        assertEquals(Shape.of(6, 9, 2), new ZeroPadding2D(1, 2, 3, 1).outputShape(Shape.of(3, 5, 2)));
        assertEquals(Shape.of(2, 1, 2), new Cropping2D(1, 0, 3, 1).outputShape(Shape.of(3, 5, 2)));
        ShapeException e = assertThrows(ShapeException.class, () -> new Cropping2D(2, 1, 0, 0).name("crop").outputShape(Shape.of(3, 5, 2)));
        assertTrue(e.getMessage().contains("Cropping2D 'crop'") && e.getMessage().contains("leaves nothing"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ZeroPadding2D(-1));
        assertThrows(IllegalArgumentException.class, () -> new Cropping2D(0, 0, -1, 0));
        try (LayerRunner r = new LayerRunner(new ZeroPadding2D(1, 0, 0, 1), 1, false, Shape.of(1, 2, 2, 1))) {
            r.in[0].copyFrom(new float[] {1, 2, 3, 4});
            assertArrayEquals(new float[] {0, 0, 0, 1, 2, 0, 3, 4, 0}, r.forward());
            assertArrayEquals(new float[] {4, 5, 7, 8}, r.backward(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9})[0]);
        }
        try (LayerRunner r = new LayerRunner(new Cropping2D(1, 0, 0, 1), 1, false, Shape.of(1, 3, 3, 1))) {
            r.in[0].copyFrom(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
            assertArrayEquals(new float[] {4, 5, 7, 8}, r.forward());
            assertArrayEquals(new float[] {0, 0, 0, 1, 2, 0, 3, 4, 0}, r.backward(new float[] {1, 2, 3, 4})[0]);
        }
        new GradCheck().check(new ZeroPadding2D(1, 2, 0, 3), s(Shape.of(2, 3, 4, 3)));
        new GradCheck().check(new Cropping2D(1, 0, 2, 1), s(Shape.of(2, 4, 5, 17)));
        for (int c : CHANNELS) {
            for (int[] off : new int[][] {{-1, -2}, {1, 2}, {0, 3}, {-3, 0}}) {
                int sh = 4, sw = 5, dh = 3, dw = 6;
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment src = seg(a, LayerRunner.random(2L * sh * sw * c, c));
                    long n = 2L * dh * dw * c;
                    MemorySegment d1 = a.allocate(n * 4), d2 = a.allocate(n * 4);
                    LayoutKernels.window(src, sh, sw, d1, dh, dw, c, off[0], off[1], 0, 2 * dh);
                    LayoutKernels.windowScalar(src, sh, sw, d2, dh, dw, c, off[0], off[1], 0, 2 * dh);
                    assertEquals(-1, d1.mismatch(d2), "window c=" + c + " offset " + off[0] + "," + off[1]);
                }
            }
        }
    }

    // ---------------- ELU, Softmax ----------------

    @Test
    void elu() {
        assertThrows(IllegalArgumentException.class, () -> new Elu(-1f));
        assertThrows(IllegalArgumentException.class, () -> new Elu(Float.NaN));
        try (LayerRunner r = new LayerRunner(new Elu(0.5f), 1, false, Shape.of(1, 3))) {
            r.in[0].copyFrom(new float[] {2f, 0f, -1f});
            float[] y = r.forward();
            assertEquals(2f, y[0]);
            assertEquals(0f, y[1]);
            assertEquals(0.5 * (Math.exp(-1) - 1), y[2], 1e-7);
        }
        float[] away = LayerRunner.random(2 * 3 * 3 * 5, 11);
        for (int i = 0; i < away.length; i++) if (Math.abs(away[i]) < 0.05f) away[i] = 0.3f; // the kink at 0
        new GradCheck().check(new Elu(), s(Shape.of(2, 3, 3, 5)), away);
        new GradCheck().check(new Elu(0.3f), s(Shape.of(2, 3, 3, 5)), away);
        for (int n : new int[] {1, 3, 17, 33}) {
            try (Arena a = Arena.ofConfined()) {
                float[] xs = LayerRunner.random(n, n);
                for (int i = 0; i < n; i++) xs[i] *= 20;
                MemorySegment x = seg(a, xs), gy = seg(a, LayerRunner.random(n, n + 1));
                MemorySegment y1 = a.allocate(n * 4L), y2 = a.allocate(n * 4L), g1 = a.allocate(n * 4L), g2 = a.allocate(n * 4L);
                EluKernels.forward(x, y1, 0.7f, 0, n);
                EluKernels.forwardScalar(x, y2, 0.7f, 0, n);
                assertEquals(-1, y1.mismatch(y2), "forward n=" + n);
                EluKernels.backward(y1, gy, g1, 0.7f, 0, n);
                EluKernels.backwardScalar(y1, gy, g2, 0.7f, 0, n);
                assertEquals(-1, g1.mismatch(g2), "backward n=" + n);
            }
        }
    }

    @Test
    void softmax() {
        try (LayerRunner r = new LayerRunner(new Softmax(), 1, false, Shape.of(1, 1, 2, 3))) {
            r.in[0].copyFrom(new float[] {1f, 2f, 3f, 1000f, 1000f, 1000f});
            float[] y = r.forward();
            double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
            assertClose(new float[] {(float) (Math.exp(1) / z), (float) (Math.exp(2) / z), (float) (Math.exp(3) / z),
                    1f / 3, 1f / 3, 1f / 3}, y, 1e-6, "softmax"); // large inputs do not overflow
        }
        new GradCheck().check(new Softmax(), s(Shape.of(2, 3, 3, 5)));
        new GradCheck().check(new Softmax(), s(Shape.of(3, 17)));
        for (int c : CHANNELS) {
            try (Arena a = Arena.ofConfined()) {
                int rows = 5;
                float[] xs = LayerRunner.random((long) rows * c, c);
                for (int i = 0; i < xs.length; i++) xs[i] *= 8;
                MemorySegment x = seg(a, xs), gy = seg(a, LayerRunner.random((long) rows * c, c + 3));
                long n = (long) rows * c * 4;
                MemorySegment y1 = a.allocate(n), y2 = a.allocate(n), g1 = a.allocate(n), g2 = a.allocate(n);
                SoftmaxKernels.forward(x, y1, c, 0, rows);
                SoftmaxKernels.forwardScalar(x, y2, c, 0, rows);
                assertClose(arr(y2, (long) rows * c), arr(y1, (long) rows * c), 1e-6, "softmax c=" + c);
                SoftmaxKernels.backward(y2, gy, g1, c, 0, rows);
                SoftmaxKernels.backwardScalar(y2, gy, g2, c, 0, rows);
                assertClose(arr(g2, (long) rows * c), arr(g1, (long) rows * c), 1e-6, "softmax backward c=" + c);
                for (int row = 0; row < rows; row++) {
                    double sum = 0;
                    for (int k = 0; k < c; k++) sum += y1.getAtIndex(ValueLayout.JAVA_FLOAT, (long) row * c + k);
                    assertEquals(1.0, sum, 1e-6);
                }
            }
        }
    }
}
