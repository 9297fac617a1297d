package io.hush.engine;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.hush.engine.ConcurrencyModels.bits;
import static io.hush.engine.ConcurrencyModels.input;
import static org.junit.jupiter.api.Assertions.*;

/**
 * One model shared by 8 threads, hundreds of calls each with interleaved input sizes and batch sizes through every
 * inference entry point, against serial outputs bit for bit; plan reuse and its bound; ownership of results.
 */
class ConcurrentInferenceTest {
    static final int THREADS = 8, CALLS = 80;

    /** One input of the test: shape and values, with the serial output. */
    record Case(int[] dims, float[] x, int[] expected) {}

    static List<Case> cases(Model m) {
        // even H and W (pool and transposed conv round trip); small, so cold JIT code costs little
        int[][] shapes = {{1, 6, 6, 2}, {2, 4, 6, 2}, {3, 4, 4, 2}, {1, 8, 6, 2}, {2, 2, 2, 2}};
        List<Case> cs = new ArrayList<>();
        try (Arena a = Arena.ofShared()) {
            for (int s = 0; s < shapes.length; s++) {
                for (int v = 0; v < 2; v++) {
                    int[] d = shapes[s];
                    float[] x = input(d[0] * d[1] * d[2] * d[3], 100 * s + v);
                    float[] y = m.forward(Tensor.of(a, x, d)).toArray(); // serial reference
                    cs.add(new Case(d, x, bits(y)));
                }
            }
        }
        return cs;
    }

    @Test
    void eightThreadsWithMixedShapesMatchSerialBitForBit() throws Exception {
        try (Model m = ConcurrencyModels.conv(); Arena a = Arena.ofShared()) {
            m.maxIdlePlans(64); // room for every plan the threads can hold at once: reuse is then complete
            List<Case> cs = cases(m);
            List<Tensor> inputs = new ArrayList<>();
            for (Case c : cs) inputs.add(Tensor.of(a, c.x(), c.dims()));
            long plansBefore = m.plansCreated();
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    try (Arena own = Arena.ofShared()) {
                        Tensor[] outs = new Tensor[cs.size()]; // this thread's output tensors, one per case
                        for (int k = 0; k < outs.length; k++) {
                            int[] d = cs.get(k).dims();
                            outs[k] = Tensor.allocate(own, d[0], d[1], d[2], d[3]);
                        }
                        start.await();
                        for (int i = 0; i < CALLS; i++) {
                            int k = (id * 7 + i * 3) % cs.size();
                            Case c = cs.get(k);
                            float[] y = switch ((id + i) % 3) {
                                case 0 -> m.forward(inputs.get(k)).toArray();
                                case 1 -> m.forward(inputs.get(k), outs[k]).toArray();
                                default -> m.predict(c.x(), c.dims()[0], c.dims()[1], c.dims()[2]);
                            };
                            if (!java.util.Arrays.equals(c.expected(), bits(y))) {
                                failures.add("thread " + id + " call " + i + " input " + java.util.Arrays.toString(c.dims()));
                            }
                        }
                    } catch (Throwable e) {
                        failures.add("thread " + id + ": " + e);
                    }
                });
                th.start();
                threads.add(th);
            }
            start.countDown();
            for (Thread th : threads) th.join(TimeUnit.MINUTES.toMillis(2));
            for (Thread th : threads) assertFalse(th.isAlive(), "a caller is still running");
            assertTrue(failures.isEmpty(), failures.size() + " of " + THREADS * CALLS + " calls differ from serial, e.g. "
                    + failures.stream().limit(5).toList());
            // Workspace is reused: at most one plan per thread and input shape, not one per call.
            long created = m.plansCreated() - plansBefore;
            assertTrue(created <= THREADS * 5L, created + " plans for " + THREADS * CALLS + " calls");
            assertTrue(m.idlePlanCount() <= THREADS * 5);
            // and a later serial call still agrees
            Case c = cs.get(3);
            assertArrayEquals(c.expected(), bits(m.forward(inputs.get(3)).toArray()));
        }
    }

    @Test
    void denseModelFromManyThreads() throws Exception {
        try (Model m = ConcurrencyModels.dense(); Arena a = Arena.ofShared()) {
            int[] batches = {1, 2, 3, 4, 7};
            List<Tensor> in = new ArrayList<>();
            List<int[]> expected = new ArrayList<>();
            for (int b : batches) {
                Tensor x = Tensor.of(a, input(b * 108, b), b, 6, 6, 3);
                in.add(x);
                expected.add(bits(m.forward(x).toArray()));
            }
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    for (int i = 0; i < CALLS / 2; i++) {
                        int k = (id + i) % batches.length;
                        if (!java.util.Arrays.equals(expected.get(k), bits(m.forward(in.get(k)).toArray()))) {
                            failures.add("thread " + id + " call " + i + " batch " + batches[k]);
                        }
                    }
                });
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) th.join();
            assertTrue(failures.isEmpty(), failures.size() + " calls differ, e.g. " + failures.stream().limit(5).toList());
        }
    }

    @Test
    void idlePlansAreBoundedLeastRecentlyUsedShapeFirst() {
        try (Model m = ConcurrencyModels.conv().threads(1); Arena a = Arena.ofShared()) {
            m.maxIdlePlans(2);
            Tensor x8 = Tensor.of(a, input(128, 1), 1, 8, 8, 2);
            Tensor x4 = Tensor.of(a, input(32, 2), 1, 4, 4, 2);
            Tensor x6 = Tensor.of(a, input(144, 3), 1, 6, 12, 2);
            long p0 = m.plansCreated();
            m.forward(x8);
            m.forward(x4);
            long bytesTwo = m.workspaceBytes();
            m.forward(x8);
            m.forward(x4);
            assertEquals(p0 + 2, m.plansCreated(), "the same shapes again reuse their plans");
            assertEquals(bytesTwo, m.workspaceBytes());
            m.forward(x6); // third shape: the least recently used (x8) goes
            assertEquals(List.of(x4.shape(), x6.shape()), m.idlePlanShapes());
            m.forward(x4); // x4 becomes the most recent
            assertEquals(List.of(x6.shape(), x4.shape()), m.idlePlanShapes());
            m.forward(x8); // planned again; now x6 goes
            assertEquals(p0 + 4, m.plansCreated());
            assertEquals(List.of(x4.shape(), x8.shape()), m.idlePlanShapes());
            m.maxIdlePlans(0);
            assertEquals(0, m.idlePlanCount());
            assertEquals(0, m.workspaceBytes());
            float[] again = m.forward(x8).toArray(); // still works, plans per call
            assertEquals(0, m.idlePlanCount());
            m.maxIdlePlans(Model.DEFAULT_IDLE_PLANS);
            assertArrayEquals(bits(again), bits(m.forward(x8).toArray()));
        }
    }

    @Test
    void forwardResultBelongsToTheCaller() {
        try (Model m = ConcurrencyModels.conv().threads(1); Arena a = Arena.ofShared()) {
            Tensor x1 = Tensor.of(a, input(128, 1), 1, 8, 8, 2), x2 = Tensor.of(a, input(128, 2), 1, 8, 8, 2);
            Tensor y1 = m.forward(x1);
            float[] first = y1.toArray();
            Tensor y2 = m.forward(x2);
            assertNotSame(y1, y2);
            assertArrayEquals(bits(first), bits(y1.toArray()), "a later call must not overwrite an earlier result");
            assertFalse(java.util.Arrays.equals(first, y2.toArray()));
            // into the caller's tensor: same bits, returned as is
            Tensor out = Tensor.allocate(a, 1, 8, 8, 2);
            assertSame(out, m.forward(x1, out));
            assertArrayEquals(bits(first), bits(out.toArray()));
            // predict agrees too (a 8x8 square input of the build size)
            assertArrayEquals(bits(first), bits(m.predict(x1.toArray(), 1)));
        }
    }

    @Test
    void callerOutputMustFitAndNotOverlapTheInput() {
        try (Model m = ConcurrencyModels.conv().threads(1); Arena a = Arena.ofShared()) {
            Tensor x = Tensor.of(a, input(128, 1), 1, 8, 8, 2);
            ShapeException e = assertThrows(ShapeException.class, () -> m.forward(x, Tensor.allocate(a, 1, 8, 8, 3)));
            assertTrue(e.getMessage().contains("[1,8,8,2]") && e.getMessage().contains("[1,8,8,3]"), e.getMessage());
            IllegalArgumentException o = assertThrows(IllegalArgumentException.class, () -> m.forward(x, x));
            assertTrue(o.getMessage().contains("overlaps the input"), o.getMessage());
            // the model is still usable after refused calls
            assertEquals(128, m.forward(x).size());
        }
    }
}
