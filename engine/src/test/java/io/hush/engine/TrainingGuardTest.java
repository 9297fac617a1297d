package io.hush.engine;

import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Exec;
import io.hush.engine.layers.CustomLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Training-mode calls are one at a time: overlapping training calls, inference overlapping training (either way
 * round) and a backward from another thread get an IllegalStateException naming the conflict, and the model keeps
 * working afterwards. The overlap is made certain by a layer that holds its forward pass until released.
 */
class TrainingGuardTest {

    /** Identity layer whose forward pass (in the chosen mode) signals {@code entered} and waits for {@code release}. */
    static final class Gate extends CustomLayer {
        volatile boolean holdTraining, holdInference;
        volatile CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);

        @Override public String type() { return "Gate"; }

        @Override public Shape outputShape(Shape... in) { return in[0]; }

        @Override
        public void forward(Tensor[] in, Tensor out, Exec ex) {
            out.copyFrom(in[0]);
            if (ex.training ? holdTraining : holdInference) {
                entered.countDown();
                try {
                    if (!release.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("gate never released");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
            if (gradIn[0] != null) gradIn[0].copyFrom(gradOut);
        }

        void rearm() {
            entered = new CountDownLatch(1);
            release = new CountDownLatch(1);
        }
    }

    static Model model(Gate gate) {
        return Model.builder(4, 4, 1).add(new Conv2D(2, 3, Activation.TANH)).add(gate).add(new Conv2D(1, 3)).build().threads(1);
    }

    /** Runs {@code call} on a new thread named {@code name}; returns the thread. */
    static Thread start(String name, Executable call, AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            try {
                call.execute();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, name);
        t.start();
        return t;
    }

    static void refused(Executable call, String... words) {
        IllegalStateException e = assertThrows(IllegalStateException.class, call);
        for (String w : words) assertTrue(e.getMessage().contains(w), "message lacks '" + w + "': " + e.getMessage());
    }

    @Test
    void overlappingTrainingCallsAreRefused() throws Throwable {
        Gate gate = new Gate();
        try (Model m = model(gate); Arena a = Arena.ofShared()) {
            Tensor x = Tensor.of(a, ConcurrencyModels.input(32, 1), 2, 4, 4, 1);
            Tensor g = Tensor.allocate(a, 2, 4, 4, 1);
            g.fill(1f);
            m.forward(x, true); // the main thread completes a training forward pass
            gate.holdTraining = true;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread trainer = start("trainer-A", () -> {
                m.forward(x, true);
                m.backward(g);
            }, failure);
            assertTrue(gate.entered.await(30, TimeUnit.SECONDS));
            // trainer-A is inside its training forward pass now
            refused(() -> m.forward(x, true), "forward(x, true)", "overlaps a training-mode call", "trainer-A");
            refused(() -> m.backward(g), "backward", "overlaps a training-mode call", "trainer-A");
            refused(() -> m.activation(1), "activation(1)", "trainer-A");
            refused(() -> m.forward(x), "forward(x)", "overlaps a training-mode call");
            refused(() -> m.predict(new float[16], 1), "predict", "overlaps a training-mode call");
            refused(() -> m.threads(2), "threads(2)", "overlaps a training-mode call");
            refused(m::close, "close()", "overlaps a training-mode call");
            gate.release.countDown();
            trainer.join(30_000);
            if (failure.get() != null) throw failure.get();
            // trainer-A's pass is complete; its backward must not come from another thread
            gate.holdTraining = false;
            AtomicReference<Throwable> failure2 = new AtomicReference<>();
            start("trainer-A", () -> m.forward(x, true), failure2).join(30_000);
            refused(() -> m.backward(g), "backward", "on thread '" + Thread.currentThread().getName() + "'",
                    "run on thread 'trainer-A'");
            refused(() -> m.activation(2), "activation", "run on thread 'trainer-A'");
            // after all that, the model still trains and infers
            m.forward(x, true);
            m.backward(g);
            assertEquals(32, m.forward(x).size());
        }
    }

    @Test
    void trainingDuringInferenceIsRefused() throws Throwable {
        Gate gate = new Gate();
        try (Model m = model(gate); Arena a = Arena.ofShared()) {
            Tensor x = Tensor.of(a, ConcurrencyModels.input(16, 2), 1, 4, 4, 1);
            float[] serial = m.forward(x).toArray();
            gate.holdInference = true;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<float[]> got = new AtomicReference<>();
            Thread reader = start("reader", () -> got.set(m.forward(x).toArray()), failure);
            assertTrue(gate.entered.await(30, TimeUnit.SECONDS));
            refused(() -> m.forward(x, true), "forward(x, true)", "overlaps 1 inference call(s)", "BatchNorm");
            refused(() -> m.backward(x), "backward", "overlaps 1 inference call(s)");
            refused(m::close, "close()", "overlaps 1 inference call(s)");
            gate.holdInference = false;
            assertArrayEquals(serial, m.forward(x).toArray(), "inference alongside inference is fine");
            gate.release.countDown();
            reader.join(30_000);
            if (failure.get() != null) throw failure.get();
            assertArrayEquals(serial, got.get());
            m.forward(x, true); // free again
        }
    }

    @Test
    void backwardNeedsACompleteTrainingForward() {
        Gate gate = new Gate();
        try (Model m = model(gate); Arena a = Arena.ofShared()) {
            Tensor x = Tensor.of(a, ConcurrencyModels.input(16, 3), 1, 4, 4, 1);
            refused(() -> m.backward(x), "backward needs a training-mode forward pass first");
            m.forward(x); // inference plans are separate: still no training pass
            refused(() -> m.backward(x), "backward needs a training-mode forward pass first");
            refused(() -> m.activation(1), "needs a training-mode forward pass first");
        }
    }

    @Test
    void closedModelRefusesCalls() {
        Gate gate = new Gate();
        Model m = model(gate);
        try (Arena a = Arena.ofShared()) {
            Tensor x = Tensor.of(a, ConcurrencyModels.input(16, 4), 1, 4, 4, 1);
            m.forward(x);
            m.close();
            m.close(); // idempotent
            refused(() -> m.forward(x), "forward(x)", "the model is closed");
            refused(() -> m.forward(x, true), "the model is closed");
        }
    }
}
