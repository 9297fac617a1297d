package io.hush.engine;

import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Padding;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.function.Supplier;

import static io.hush.engine.ConcurrencyModels.bits;
import static io.hush.engine.ConcurrencyModels.input;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Inference results do not depend on the thread count (1, 2, 3): what lets a call that finds the pool busy run its
 * loops on its own thread and still return the serial bits. Covers conv (direct, small-Cout, Winograd, strided,
 * dilated), transposed conv, BatchNorm, max pooling, dense (GEMV at batch 1..3 and blocked GEMM from 4), every
 * activation, at batch 1 and above, and the pool's inline view.
 */
class ThreadCountInvarianceTest {

    static void invariant(Supplier<Model> make, int[]... shapes) {
        for (int[] d : shapes) {
            int size = 1;
            for (int v : d) size *= v;
            float[] x = input(size, size);
            int[] ref = null;
            for (int threads = 1; threads <= 3; threads++) {
                try (Model m = make.get().threads(threads); Arena a = Arena.ofShared()) {
                    int[] y = bits(m.forward(Tensor.of(a, x, d)).toArray());
                    if (ref == null) ref = y;
                    else assertArrayEquals(ref, y, "threads(" + threads + ") vs threads(1) for input " + java.util.Arrays.toString(d));
                }
            }
        }
    }

    @Test
    void convolutionModel() {
        invariant(ConcurrencyModels::conv, new int[] {1, 8, 8, 2}, new int[] {3, 10, 14, 2}, new int[] {2, 2, 2, 2});
    }

    @Test
    void denseModel() {
        for (int n = 1; n <= 5; n++) invariant(ConcurrencyModels::dense, new int[] {n, 6, 6, 3});
    }

    /** Strided and VALID convolutions, a transposed conv with output padding, pooling with stride != size. */
    @Test
    void stridedAndPaddedLayers() {
        Supplier<Model> make = () -> {
            Model.Builder b = Model.builder(9, 9, 3).seed(3);
            b.add(new Conv2D(12, 3, 2, Padding.SAME, Activation.RELU));
            b.add(new BatchNorm2D());
            b.add(new Conv2D(20, 2, 1, Padding.VALID, Activation.SIGMOID));
            b.add(new MaxPool2D(3, 3, 1, 1, Padding.SAME));
            b.add(new Conv2DTranspose(5, 3, 3, 2, 2, Padding.SAME, 1, 1, 1, 1, true, Activation.TANH));
            return ConcurrencyModels.randomize(b.build(), 9);
        };
        invariant(make, new int[] {1, 9, 9, 3}, new int[] {4, 13, 7, 3});
    }

    /** The inline view runs a loop on the caller, as one chunk, while the pool's workers are taken. */
    @Test
    void inlineViewRunsOnTheCallerWhenThePoolIsBusy() throws Exception {
        try (ThreadPool pool = new ThreadPool(2)) {
            ThreadPool view = pool.inlineWhenBusy();
            assertSame(view, pool.inlineWhenBusy());
            assertSame(view, view.inlineWhenBusy());
            assertTrue(view.isInlineWhenBusy());
            assertEquals(2, view.threads());
            // free pool: the view splits like the pool
            int[] chunks = new int[2];
            view.parallelFor(10, (lo, hi, t) -> chunks[t] = hi - lo);
            assertArrayEquals(new int[] {5, 5}, chunks);
            // busy pool: a loop holds the workers while another thread uses the view
            java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1), done = new java.util.concurrent.CountDownLatch(1);
            Thread holder = new Thread(() -> pool.parallelFor(2, (lo, hi, t) -> {
                if (t == 0) {
                    inside.countDown();
                    try {
                        done.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }));
            holder.start();
            inside.await();
            int[] seen = new int[3];
            Thread me = Thread.currentThread();
            view.parallelFor(10, (lo, hi, t) -> {
                seen[0] = lo;
                seen[1] = hi;
                seen[2] = Thread.currentThread() == me ? t : -1;
            });
            assertArrayEquals(new int[] {0, 10, 0}, seen, "whole range, thread 0, on the caller");
            done.countDown();
            holder.join();
            // a body that starts a loop on its own pool is an error, not a deadlock
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> pool.parallelFor(2, (lo, hi, t) -> pool.parallelFor(2, (a, b, c) -> {})));
            assertTrue(e.getMessage().contains("inside a loop of the same pool"), e.getMessage());
            // on the view a nested loop runs inline
            int[] nested = new int[1];
            view.parallelFor(2, (lo, hi, t) -> view.parallelFor(4, (a, b, c) -> { synchronized (nested) { nested[0] += b - a; } }));
            assertEquals(8, nested[0]);
        }
    }
}
