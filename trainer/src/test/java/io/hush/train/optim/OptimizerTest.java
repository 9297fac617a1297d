package io.hush.train.optim;

import io.hush.engine.Tensor;
import io.hush.engine.ThreadPool;
import io.hush.engine.layers.Param;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class OptimizerTest {
    static final ThreadPool ONE = new ThreadPool(1);
    static final ThreadPool TWO = new ThreadPool(2);
    final Arena arena = Arena.ofShared();

    @AfterAll
    static void close() {
        ONE.close();
        TWO.close();
    }

    Param param(String name, boolean regularize, float... w) {
        Param p = new Param(name, Tensor.allocate(arena, w.length), Tensor.allocate(arena, w.length), true, regularize);
        p.value.copyFrom(w);
        return p;
    }

    /** Applies steps with the given per-step gradients (same for every element) and returns the values. */
    static float[] run(Optimizer opt, Param p, float... grads) {
        opt.attach(List.of(p), ONE);
        for (float g : grads) {
            p.grad.fill(g);
            opt.step();
        }
        return p.value.toArray();
    }

    @Test
    void sgdSteps() {
        // w = 1, g = 0.5, lr = 0.1: 1 - 0.05
        assertEquals(0.95f, run(new Sgd(0.1), param("w", true, 1f), 0.5f)[0], 1e-7f);
        // momentum 0.9: b1 = 0.5, w = 0.95; b2 = 0.9*0.5 + 0.5 = 0.95, w = 0.95 - 0.095 = 0.855
        assertEquals(0.855f, run(new Sgd(0.1, 0.9, false), param("w", true, 1f), 0.5f, 0.5f)[0], 1e-7f);
        // Nesterov: d1 = 0.5 + 0.9*0.5 = 0.95 -> 0.905; b2 = 0.95, d2 = 0.5 + 0.855 = 1.355 -> 0.7695
        assertEquals(0.7695f, run(new Sgd(0.1, 0.9, true), param("w", true, 1f), 0.5f, 0.5f)[0], 1e-7f);
    }

    @Test
    void adamSteps() {
        // step 1: m = 0.05, v = 0.00025, mhat = 0.5, vhat = 0.25 -> w = 1 - 0.1 * 0.5/0.5 = 0.9
        // step 2 (g = 0.25): m = 0.07, v = 0.00031225, mhat = 0.07/0.19 = 0.368421, vhat = 0.00031225/0.001999 = 0.156203,
        //   w = 0.9 - 0.1 * 0.368421/0.395225 = 0.806782
        Adam a = new Adam(0.1);
        Param p = param("w", true, 1f, 1f);
        assertEquals(0.9f, run(a, p, 0.5f)[0], 1e-6f);
        p.grad.fill(0.25f);
        a.step();
        assertEquals(0.806782f, p.value.get(1), 1e-6f);
        assertEquals(2, a.iterations());
    }

    @Test
    void adamWDecaysOnlyRegularisedParams() {
        // w = 1*(1 - 0.1*0.1) - 0.1 = 0.89 for a kernel; a bias (regularize=false) is not decayed: 0.9
        assertEquals(0.89f, run(Adam.adamW(0.1, 0.1), param("kernel", true, 1f), 0.5f)[0], 1e-6f);
        assertEquals(0.9f, run(Adam.adamW(0.1, 0.1), param("bias", false, 1f), 0.5f)[0], 1e-6f);
    }

    @Test
    void clipping() {
        Sgd s = new Sgd(1);
        Param p = param("w", true, 0f, 0f);
        s.attach(List.of(p), ONE);
        p.grad.copyFrom(new float[] {3f, 4f});
        assertEquals(5.0, s.gradNorm(), 1e-9);
        assertEquals(5.0, s.clipGradNorm(10), 1e-9);
        assertArrayEquals(new float[] {3f, 4f}, p.grad.toArray()); // under the threshold: untouched
        assertEquals(5.0, s.clipGradNorm(1), 1e-9);
        assertArrayEquals(new float[] {0.6f, 0.8f}, p.grad.toArray(), 1e-6f);
    }

    /** Vector and scalar kernels agree bit for bit on awkward lengths and offsets, and thread count does not matter. */
    @Test
    void simdMatchesScalar() {
        for (int n : new int[] {1, 3, 17, 33, 100, 20000}) {
            SplittableRandom r = new SplittableRandom(n);
            float[] w = new float[n], g = new float[n], m = new float[n], v = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) r.nextGaussian();
                g[i] = (float) r.nextGaussian();
                m[i] = (float) r.nextGaussian() * 0.1f;
                v[i] = (float) r.nextDouble() * 0.01f;
            }
            Tensor[] a = {of(w), of(g), of(m), of(v)}, b = {of(w), of(g), of(m), of(v)};
            int from = n > 3 ? 1 : 0;
            UpdateKernels.adam(a[0].data(), a[1].data(), a[2].data(), a[3].data(), from, n, 0.9f, 0.1f, 0.999f, 0.001f, 0.01f, 0.3f, 1e-8f, 0.999f);
            UpdateKernels.adamScalar(b[0].data(), b[1].data(), b[2].data(), b[3].data(), from, n, 0.9f, 0.1f, 0.999f, 0.001f, 0.01f, 0.3f, 1e-8f, 0.999f);
            for (int k = 0; k < 4; k++) assertArrayEquals(b[k].toArray(), a[k].toArray(), 0f, "adam n=" + n);
            UpdateKernels.momentum(a[0].data(), a[1].data(), a[2].data(), from, n, 0.1f, 0.9f, true);
            UpdateKernels.momentumScalar(b[0].data(), b[1].data(), b[2].data(), from, n, 0.1f, 0.9f, true);
            for (int k = 0; k < 3; k++) assertArrayEquals(b[k].toArray(), a[k].toArray(), 0f, "momentum n=" + n);
            UpdateKernels.sgd(a[0].data(), a[1].data(), from, n, 0.1f);
            UpdateKernels.sgdScalar(b[0].data(), b[1].data(), from, n, 0.1f);
            assertArrayEquals(b[0].toArray(), a[0].toArray(), 0f, "sgd n=" + n);
            UpdateKernels.scale(a[1].data(), from, n, 0.3f);
            for (int i = from; i < n; i++) assertEquals(g[i] * 0.3f, a[1].get(i), 0f, "scale n=" + n);
            a[1].copyFrom(g);
            double ss = 0;
            for (int i = from; i < n; i++) ss += (double) g[i] * g[i];
            assertEquals(ss, UpdateKernels.sumSquares(a[1].data(), from, n), 1e-5 * ss + 1e-12);
        }
        // a parameter larger than one block on one and on two threads
        float[] init = new float[Optimizer.BLOCK * 2 + 5];
        for (int i = 0; i < init.length; i++) init[i] = (float) Math.sin(i);
        float[][] res = new float[2][];
        for (int t = 0; t < 2; t++) {
            Param p = param("w", true, init);
            Adam opt = new Adam(1e-3);
            opt.attach(List.of(p), t == 0 ? ONE : TWO);
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < init.length; i++) p.grad.set(i, (float) Math.cos(i * (s + 1)));
                opt.clipGradNorm(10);
                opt.step();
            }
            res[t] = p.value.toArray();
        }
        assertArrayEquals(res[0], res[1], 0f);
    }

    Tensor of(float[] a) { return Tensor.of(arena, a, a.length); }

    @Test
    void schedules() {
        LrSchedule st = LrSchedule.step(2, 0.5);
        assertEquals(1.0, st.lr(1, 0), 0);
        assertEquals(1.0, st.lr(1, 1.9), 0);
        assertEquals(0.5, st.lr(1, 2), 0);
        assertEquals(0.25, st.lr(1, 4.5), 0);
        LrSchedule cos = LrSchedule.cosine(10, 0.0, 0);
        assertEquals(1.0, cos.lr(1, 0), 1e-12);
        assertEquals(0.5, cos.lr(1, 5), 1e-12);
        assertEquals(0.0, cos.lr(1, 10), 1e-12);
        LrSchedule warm = LrSchedule.cosine(12, 0.1, 2);
        assertEquals(0.5, warm.lr(1, 1), 1e-9);
        assertEquals(1.0, warm.lr(1, 2), 1e-12);
        assertEquals(0.55, warm.lr(1, 7), 1e-12); // halfway through the cosine part: 0.1 + 0.9 * 0.5
        // plateau: patience 2, factor 0.5, floor 0.2
        LrSchedule.Plateau pl = LrSchedule.plateau(0.5, 2, 0, 0.2, 0);
        double[] vals = {1.0, 0.9, 0.95, 0.91, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85};
        double[] want = {1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2};
        for (int e = 0; e < vals.length; e++) {
            pl.epochEnd(e, vals[e]);
            assertEquals(want[e], pl.lr(1, e + 1), 1e-12, "after epoch " + e);
        }
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(5, 0, 5));
    }
}
