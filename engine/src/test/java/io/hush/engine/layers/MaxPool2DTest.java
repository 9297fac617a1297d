package io.hush.engine.layers;

import io.hush.engine.GradCheck;
import io.hush.engine.Shape;
import io.hush.engine.ShapeException;
import io.hush.engine.kernels.PoolKernels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class MaxPool2DTest {

    /** Distinct values spaced 0.05 apart (> 2*eps of GradCheck), shuffled: no ties within eps. */
    static float[] distinct(int n, long seed) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (i - n / 2) * 0.05f;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    @Test
    void shapes() {
        assertEquals(Shape.of(4, 4, 3), new MaxPool2D(2, Padding.SAME).outputShape(Shape.of(7, 7, 3)));
        assertEquals(Shape.of(3, 3, 3), new MaxPool2D(2).outputShape(Shape.of(7, 7, 3)));
        assertEquals(Shape.of(3, 3, 5), new MaxPool2D(3, 3, 2, 2, Padding.VALID).outputShape(Shape.of(7, 8, 5)));
        assertEquals(Shape.of(4, 4, 1), MaxPool2D.explicit(3, 3, 2, 2, 1, 1, 1, 1).outputShape(Shape.of(7, 7, 1)));
        MaxPool2D p = new MaxPool2D(3, 2, 1, 2, Padding.SAME);
        assertEquals(3, p.poolH());
        assertEquals(2, p.poolW());
        assertEquals(1, p.strideH());
        assertEquals(2, p.strideW());
        assertEquals(Pad.SAME, p.pad());
        // explicit(...) takes ONNX's order (top, left, bottom, right); Pad.Explicit is (top, bottom, left, right)
        assertEquals(Pad.explicit(1, 2, 0, 1), MaxPool2D.explicit(3, 2, 1, 1, 1, 0, 2, 1).pad());
    }

    @Test
    void shapeErrors() {
        ShapeException e = assertThrows(ShapeException.class, () -> new MaxPool2D(2).name("pool").outputShape(Shape.of(16)));
        assertTrue(e.getMessage().contains("MaxPool2D 'pool'") && e.getMessage().contains("[16]"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> new MaxPool2D(3).outputShape(Shape.of(2, 5, 1)));
        assertTrue(e.getMessage().contains("[2,5,1]") && e.getMessage().contains("3x3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2D(0));
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2D(2, 2, 0, 1, Padding.VALID));
        assertThrows(IllegalArgumentException.class, () -> MaxPool2D.explicit(2, 2, 1, 1, 2, 0, 0, 0));
    }

    @Test
    void sameOnOddSizePaddingNeverWins() {
        // all-negative input: a zero-padded cell would win if padding took part
        Shape in = Shape.of(1, 7, 7, 1);
        try (LayerRunner r = new LayerRunner(new MaxPool2D(2, Padding.SAME), 1, true, in)) {
            float[] x = new float[49];
            for (int i = 0; i < 49; i++) x[i] = -1f - i;
            r.in[0].copyFrom(x);
            float[] y = r.forward();
            assertEquals(16, y.length);
            assertEquals(-1f, y[0]);          // max of rows 0-1, cols 0-1
            assertEquals(-7f, y[3]);          // last column: only col 6 of rows 0-1 is real
            assertEquals(-43f, y[12]);        // last row: only row 6
            assertEquals(-49f, y[15]);        // corner: only (6,6)
        }
    }

    @Test
    void tiesFirstMaxWins() {
        try (LayerRunner r = new LayerRunner(new MaxPool2D(2), 1, true, Shape.of(1, 2, 2, 1))) {
            r.in[0].copyFrom(new float[] {1f, 3f, 3f, 3f});
            assertArrayEquals(new float[] {3f}, r.forward());
            float[][] g = r.backward(new float[] {5f});
            assertArrayEquals(new float[] {0f, 5f, 0f, 0f}, g[0]);
        }
    }

    @Test
    void gradients() {
        for (MaxPool2D p : new MaxPool2D[] {new MaxPool2D(2), new MaxPool2D(2, Padding.SAME),
                new MaxPool2D(3, 3, 2, 2, Padding.SAME), new MaxPool2D(3, 2, 1, 1, Padding.VALID),
                MaxPool2D.explicit(3, 3, 2, 2, 1, 1, 1, 1)}) {
            Shape in = Shape.of(2, 7, 6, 3);
            new GradCheck().check(p, new Shape[] {in}, distinct((int) in.size(), 3));
        }
        Shape wide = Shape.of(1, 5, 5, 19);
        new GradCheck().check(new MaxPool2D(2, Padding.SAME), new Shape[] {wide}, distinct((int) wide.size(), 4));
    }

    @Test
    void simdMatchesScalar() {
        for (int c : new int[] {1, 3, 17, 33}) {
            for (int[] geo : new int[][] {{7, 7, 2, 2, 2, 2}, {8, 6, 2, 2, 2, 2}, {9, 5, 3, 3, 2, 1}, {1, 1, 1, 1, 1, 1}, {6, 6, 3, 3, 1, 1}}) {
                int h = geo[0], w = geo[1];
                for (Padding pad : Padding.values()) {
                    MaxPool2D p = new MaxPool2D(geo[2], geo[3], geo[4], geo[5], pad);
                    Shape in = Shape.of(2, h, w, c);
                    Shape out;
                    try {
                        out = p.outputShape(in.dropBatch()).withBatch(2);
                    } catch (ShapeException e) {
                        continue;
                    }
                    Pad.Explicit pads = Pad.of(pad).resolve(h, w, Window2D.of(geo[2], geo[3], geo[4], geo[5]));
                    int pt = pads.top(), pl = pads.left();
                    var g = new PoolKernels.Geometry(h, w, c, out.dim(1), out.dim(2), geo[2], geo[3], geo[4], geo[5], pt, pl);
                    try (Arena a = Arena.ofConfined()) {
                        float[] xs = LayerRunner.random(in.size(), c * 31L + h);
                        for (int i = 0; i < xs.length; i += 5) xs[i] = xs[Math.max(0, i - c)]; // some ties
                        for (int i = 3; i < xs.length; i += 37) xs[i] = Float.NaN; // NaN never wins, unless first
                        MemorySegment x = a.allocate(in.size() * 4, 64);
                        MemorySegment.copy(xs, 0, x, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, xs.length);
                        MemorySegment y1 = a.allocate(out.size() * 4), y2 = a.allocate(out.size() * 4);
                        MemorySegment a1 = a.allocate(out.size() * 4), a2 = a.allocate(out.size() * 4);
                        int rows = 2 * g.oh();
                        PoolKernels.maxPool(g, x, y1, a1, true, 0, rows);
                        PoolKernels.maxPoolScalar(g, x, y2, a2, true, 0, rows);
                        assertEquals(-1, y1.mismatch(y2), "values c=" + c + " " + pad);
                        assertEquals(-1, a1.mismatch(a2), "argmax c=" + c + " " + pad);
                        MemorySegment y3 = a.allocate(out.size() * 4);
                        PoolKernels.maxPool(g, x, y3, MemorySegment.NULL, false, 0, rows); // inference: no argmax
                        assertEquals(-1, y3.mismatch(y2), "values without argmax c=" + c + " " + pad);
                        // backward from that argmax, with -0 among the gradients
                        float[] gs = LayerRunner.random(out.size(), c * 7L + w);
                        for (int i = 0; i < gs.length; i += 11) gs[i] = -0f;
                        MemorySegment gy = a.allocate(out.size() * 4);
                        MemorySegment.copy(gs, 0, gy, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, gs.length);
                        MemorySegment gx1 = a.allocate(in.size() * 4), gx2 = a.allocate(in.size() * 4);
                        gx1.fill((byte) 0x7f); // stale contents: every cell must be written (or zeroed first)
                        gx2.fill((byte) 0x7f);
                        int cb = 16, units = 2 * ((c + cb - 1) / cb);
                        PoolKernels.maxPoolBackward(g, gy, a2, gx1, cb, 0, units);
                        PoolKernels.maxPoolBackwardScalar(g, gy, a2, gx2, cb, 0, units);
                        assertEquals(-1, gx1.mismatch(gx2), "backward c=" + c + " " + pad);
                    }
                }
            }
        }
    }

    @Test
    void threadCountDoesNotChangeResults() {
        Shape in = Shape.of(3, 9, 9, 70);
        float[] xs = LayerRunner.random(in.size(), 8);
        float[] gy = null;
        float[][] res = new float[2][];
        float[][] grads = new float[2][];
        for (int t = 1; t <= 2; t++) {
            try (LayerRunner r = new LayerRunner(new MaxPool2D(3, 3, 2, 2, Padding.SAME), t, true, in)) {
                r.in[0].copyFrom(xs);
                res[t - 1] = r.forward();
                if (gy == null) gy = LayerRunner.random(r.out.size(), 9);
                grads[t - 1] = r.backward(gy)[0];
            }
        }
        assertArrayEquals(res[0], res[1]);
        assertArrayEquals(grads[0], grads[1]);
    }
}
