package io.hush.engine.layers;

import io.hush.engine.GradCheck;
import io.hush.engine.Shape;
import io.hush.engine.ShapeException;
import io.hush.engine.kernels.BatchNormKernels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class BatchNorm2DTest {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Test
    void trainingModeGradients() {
        new GradCheck().check(new BatchNorm2D(0.9f, 1e-3f), new Shape[] {Shape.of(2, 3, 4, 5)});
        new GradCheck().check(new BatchNorm2D(), new Shape[] {Shape.of(6, 3)});
        // non-trivial gamma/beta: a layer checked after another layer set them
        BatchNorm2D inner = new BatchNorm2D(0.9f, 1e-3f);
        Layer bn = new Delegate(inner) {
            @Override public void initialize(SplittableRandom rng) {
                super.initialize(rng);
                for (int k = 0; k < 17; k++) {
                    inner.gamma().value.set(k, 0.5f + k * 0.1f);
                    inner.beta().value.set(k, -0.3f + k * 0.05f);
                }
            }
        };
        GradCheck gc = new GradCheck();
        gc.maxPerTensor = 40;
        gc.check(bn, new Shape[] {Shape.of(3, 5, 2, 17)});
    }

    /** A layer that forwards everything to another one (to override initialisation in gradient checks). */
    static class Delegate extends CustomLayer {
        final Layer l;
        Delegate(Layer l) { this.l = l; }
        @Override public String type() { return l.type(); }
        @Override public Shape outputShape(Shape... in) { return l.outputShape(in); }
        @Override public void createParams(Shape[] in, Arena arena) { l.createParams(in, arena); }
        @Override public java.util.List<Param> params() { return l.params(); }
        @Override public void initialize(SplittableRandom rng) { l.initialize(rng); }
        @Override public long stateFloats(Shape[] in, Shape out, int threads) { return l.stateFloats(in, out, threads); }
        @Override public long scratchFloats(Shape[] in, Shape out, int threads) { return l.scratchFloats(in, out, threads); }
        @Override public void forward(io.hush.engine.Tensor[] in, io.hush.engine.Tensor out, Exec ex) { l.forward(in, out, ex); }
        @Override public void backward(io.hush.engine.Tensor[] in, io.hush.engine.Tensor out, io.hush.engine.Tensor g,
                                       io.hush.engine.Tensor[] gi, Exec ex) { l.backward(in, out, g, gi, ex); }
    }

    /** Per-channel batch mean and biased variance in double. */
    static double[][] stats(float[] x, int c) {
        int p = x.length / c;
        double[] mean = new double[c], var = new double[c];
        for (int i = 0; i < x.length; i++) mean[i % c] += x[i];
        for (int k = 0; k < c; k++) mean[k] /= p;
        for (int i = 0; i < x.length; i++) var[i % c] += (x[i] - mean[i % c]) * (x[i] - mean[i % c]);
        for (int k = 0; k < c; k++) var[k] /= p;
        return new double[][] {mean, var};
    }

    @Test
    void trainingNormalisesAndUpdatesRunningStatsKerasStyle() {
        BatchNorm2D bn = new BatchNorm2D(0.9f, 1e-3f);
        Shape in = Shape.of(4, 5, 5, 3);
        try (LayerRunner r = new LayerRunner(bn, 2, true, in)) {
            float[] x = LayerRunner.random(in.size(), 3);
            for (int i = 0; i < x.length; i++) x[i] = x[i] * (1 + i % 3) + (i % 3) * 2; // channel-dependent mean/scale
            r.in[0].copyFrom(x);
            float[] y = r.forward();
            double[][] s = stats(x, 3);
            for (int i = 0; i < x.length; i++) {
                int k = i % 3;
                assertEquals((x[i] - s[0][k]) / Math.sqrt(s[1][k] + 1e-3), y[i], 1e-5);
            }
            for (int k = 0; k < 3; k++) {
                assertEquals(0.1 * s[0][k], bn.movingMean().value.get(k), 1e-6);
                assertEquals(0.9 + 0.1 * s[1][k], bn.movingVariance().value.get(k), 1e-6);
            }
            r.forward();
            for (int k = 0; k < 3; k++) assertEquals(0.19 * s[0][k], bn.movingMean().value.get(k), 1e-6);
        }
    }

    @Test
    void pytorchConventionUsesUnbiasedRunningVariance() {
        BatchNorm2D bn = BatchNorm2D.pytorch(0.1f, 1e-5f);
        assertEquals(0.9f, bn.momentum(), 1e-7f);
        assertTrue(bn.unbiasedRunningVariance());
        Shape in = Shape.of(2, 3, 3, 2);
        try (LayerRunner r = new LayerRunner(bn, 1, true, in).fillRandom(4)) {
            float[] x = r.in[0].toArray();
            r.forward();
            double[][] s = stats(x, 2);
            int m = 18;
            for (int k = 0; k < 2; k++) {
                assertEquals(0.9 + 0.1 * s[1][k] * m / (m - 1), bn.movingVariance().value.get(k), 1e-6);
            }
        }
    }

    @Test
    void inferenceUsesRunningStats() {
        BatchNorm2D bn = new BatchNorm2D(0.99f, 1e-3f);
        Shape in = Shape.of(2, 2, 2, 19);
        try (LayerRunner r = new LayerRunner(bn, 1, false, in).fillRandom(5)) {
            for (int k = 0; k < 19; k++) {
                bn.gamma().value.set(k, 1 + k * 0.1f);
                bn.beta().value.set(k, k * 0.01f);
                bn.movingMean().value.set(k, k * 0.02f - 0.1f);
                bn.movingVariance().value.set(k, 0.5f + k * 0.03f);
            }
            float[] x = r.in[0].toArray(), y = r.forward();
            for (int i = 0; i < x.length; i++) {
                int k = i % 19;
                double e = (1 + k * 0.1) * (x[i] - (k * 0.02 - 0.1)) / Math.sqrt(0.5 + k * 0.03 + 1e-3) + k * 0.01;
                assertEquals(e, y[i], 1e-5);
            }
            assertEquals(0.5f, bn.movingVariance().value.get(0)); // inference does not update
        }
    }

    @Test
    void oneAndTwoThreadsBitIdentical() {
        Shape in = Shape.of(3, 11, 9, 21); // 297 pixels: several blocks and a partial one
        float[] x = LayerRunner.random(in.size(), 6), gy = LayerRunner.random(in.size(), 7);
        float[][] out = new float[2][], gx = new float[2][], gg = new float[2][], mv = new float[2][];
        for (int t = 1; t <= 2; t++) {
            BatchNorm2D bn = new BatchNorm2D(0.9f, 1e-3f);
            try (LayerRunner r = new LayerRunner(bn, t, true, in)) {
                r.in[0].copyFrom(x);
                out[t - 1] = r.forward();
                gx[t - 1] = r.backward(gy)[0];
                gg[t - 1] = bn.gamma().grad.toArray();
                mv[t - 1] = bn.movingVariance().value.toArray();
            }
        }
        assertArrayEquals(out[0], out[1]);
        assertArrayEquals(gx[0], gx[1]);
        assertArrayEquals(gg[0], gg[1]);
        assertArrayEquals(mv[0], mv[1]);
    }

    @Test
    void kernelsSimdMatchScalar() {
        for (int c : new int[] {1, 3, 16, 17, 33}) {
            for (long p : new long[] {1, 3, 17, 64, 130}) {
                try (Arena a = Arena.ofConfined()) {
                    long n = p * c;
                    int nb = BatchNormKernels.blocks(p);
                    MemorySegment x = seg(a, n, c + p), g = seg(a, n, c * p + 1), mean = seg(a, c, 3), v1 = seg(a, c, 4), v2 = seg(a, c, 5);
                    MemorySegment p1 = a.allocate((long) nb * c * 4), p2 = a.allocate((long) nb * c * 4);
                    MemorySegment q1 = a.allocate((long) nb * c * 4), q2 = a.allocate((long) nb * c * 4);
                    BatchNormKernels.blockSums(x, c, p, p1, 0, nb);
                    BatchNormKernels.blockSumsScalar(x, c, p, p2, 0, nb);
                    assertEquals(-1, p1.mismatch(p2), "sums c=" + c + " p=" + p);
                    BatchNormKernels.blockSqDev(x, mean, c, p, p1, 0, nb);
                    BatchNormKernels.blockSqDevScalar(x, mean, c, p, p2, 0, nb);
                    assertEquals(-1, p1.mismatch(p2), "sqdev c=" + c + " p=" + p);
                    BatchNormKernels.blockGradSums(g, x, mean, c, p, p1, q1, 0, nb);
                    BatchNormKernels.blockGradSumsScalar(g, x, mean, c, p, p2, q2, 0, nb);
                    assertEquals(-1, p1.mismatch(p2));
                    assertEquals(-1, q1.mismatch(q2));
                    MemorySegment y1 = a.allocate(n * 4), y2 = a.allocate(n * 4);
                    BatchNormKernels.normalize(x, y1, v1, v2, c, 0, p);
                    BatchNormKernels.normalizeScalar(x, y2, v1, v2, c, 0, p);
                    assertEquals(-1, y1.mismatch(y2), "normalize c=" + c + " p=" + p);
                    BatchNormKernels.backwardDx(g, x, y1, v1, v2, mean, seg(a, c, 9), c, 0, p);
                    BatchNormKernels.backwardDxScalar(g, x, y2, v1, v2, mean, seg(a, c, 9), c, 0, p);
                    assertEquals(-1, y1.mismatch(y2), "dx c=" + c + " p=" + p);
                }
            }
        }
    }

    static MemorySegment seg(Arena a, long n, long seed) {
        MemorySegment s = a.allocate(n * 4, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) s.setAtIndex(F, i, (float) (r.nextDouble() * 4 - 2));
        return s;
    }

    @Test
    void shapeAndArgumentErrors() {
        ShapeException e = assertThrows(ShapeException.class, () -> new BatchNorm2D().name("bn").outputShape(Shape.of(2, 3)));
        assertTrue(e.getMessage().contains("BatchNorm2D 'bn'") && e.getMessage().contains("[2,3]"), e.getMessage());
        BatchNorm2D bn = new BatchNorm2D();
        try (Arena a = Arena.ofConfined()) {
            bn.createParams(new Shape[] {Shape.of(4, 4, 8)}, a);
            e = assertThrows(ShapeException.class, () -> bn.outputShape(Shape.of(4, 4, 16)));
            assertTrue(e.getMessage().contains("8 channels") && e.getMessage().contains("[4,4,16]"), e.getMessage());
            assertEquals(4, bn.params().size());
            assertFalse(bn.movingMean().trainable);
            assertEquals("moving_variance", bn.params().get(3).name);
        }
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2D(1.5f, 1e-3f));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2D(0.9f, 0f));
    }
}
