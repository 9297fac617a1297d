package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * Gets the JIT to compile the inference kernels before real work reaches them. A cold JVM runs Vector API code in
 * the interpreter or through C1, where every vector is a heap object (about 100x slower than the C2 code), and C2
 * compiles a kernel only after it has run enough; on a fresh process the first image of a convolutional network
 * therefore spends seconds in that slow mode. {@link #start()} runs each main kernel on tiny tensors, over and over,
 * in a background daemon thread: the kernels reach C2's thresholds (and C2 compiles them) while the process is still
 * parsing its arguments, loading the model and decoding the image, mostly on a core that would otherwise idle.
 *
 * <p>Covered: what convolutional denoisers run: direct convolution (a 1-channel input, and stride 2), Winograd 3x3
 * (16 -> 16 channels), the few-output-channel convolution (16 -> 1 and 16 -> 3, a denoiser's last layer), transposed
 * convolution (stride 2), ReLU, elementwise add and subtract (skip connections, residual output). Not the Dense
 * matrix product nor sigmoid: each kernel covered costs C2 compile time, and those serve other models. A round takes
 * about 0.1 ms once compiled.
 *
 * <p>The warm-up ends by itself once its rounds have become fast ({@value #FAST_ROUNDS} rounds in a row under
 * {@value #FAST_NANOS} ns each: its kernels run compiled), or after the time given to {@link #start}.
 * {@link #awaitReady} waits for that: a caller about to run a large pass is better off waiting a little for the
 * compiled kernels than running its first layers in the slow mode, where a layer the compiled code does in 70 ms
 * takes seconds. {@link #close()} stops the thread (after its current round) and waits for it. Results are
 * discarded; nothing is shared with callers, so it is safe beside any other use of the engine.
 *
 * <p>The launcher lowers the JIT's thresholds for this package ({@code -XX:CompileCommand=CompileThresholdScaling})
 * so that a few dozen rounds suffice; without that the warm-up simply runs until its time limit.
 */
public final class KernelWarmup implements AutoCloseable {
    /**
     * A round faster than this (nanoseconds) counts as compiled: about 0.25 ms once C2 has compiled every kernel on a
     * 2-core AVX2 machine, 0.4-1 ms while some still run C1 code (which is already fast on these tiny tensors).
     */
    static final long FAST_NANOS = 400_000;
    /** Consecutive fast rounds after which the warm-up is done. */
    static final int FAST_ROUNDS = 8;

    private final Thread thread;
    private volatile boolean stop;
    private volatile int rounds;
    private volatile boolean ready;

    private KernelWarmup(long maxMillis) {
        thread = new Thread(() -> run(maxMillis), "hush-kernel-warmup");
        thread.setDaemon(true);
    }

    /** Starts warming up in a background daemon thread for at most {@code maxMillis} milliseconds. */
    public static KernelWarmup start(long maxMillis) {
        KernelWarmup w = new KernelWarmup(maxMillis);
        w.thread.start();
        return w;
    }

    /** Rounds run so far (each runs every covered kernel once). */
    public int rounds() { return rounds; }

    /** Whether the rounds have become fast (the kernels run compiled). */
    public boolean ready() { return ready; }

    /**
     * Waits until the warm-up has ended (its kernels compiled, or its time is up) or {@code maxMillis} have passed,
     * then stops it. Returns {@link #ready()}.
     */
    public boolean awaitReady(long maxMillis) {
        long end = System.nanoTime() + maxMillis * 1_000_000L;
        boolean interrupted = false;
        while (thread.isAlive()) {
            long left = end - System.nanoTime();
            if (left <= 0) break;
            try {
                thread.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        close();
        if (interrupted) Thread.currentThread().interrupt();
        return ready;
    }

    /** Stops the warm-up after its current round and waits for the thread to end. */
    @Override
    public void close() {
        stop = true;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void run(long maxMillis) {
        long end = System.nanoTime() + maxMillis * 1_000_000L;
        try (Arena arena = Arena.ofConfined(); ThreadPool pool = new ThreadPool(1)) {
            Work w = new Work(arena);
            int fast = 0;
            while (!stop && System.nanoTime() < end) {
                long t0 = System.nanoTime();
                w.round(pool);
                rounds++;
                fast = System.nanoTime() - t0 < FAST_NANOS ? fast + 1 : 0;
                if (fast >= FAST_ROUNDS) {
                    ready = true;
                    return;
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // a warm-up that fails changes nothing for the real work (which will report its own problem)
        }
    }

    /** The tensors of one round, allocated once. */
    private static final class Work {
        static final int S = 8, C = 16;
        final MemorySegment gray, feat, feat2, out1, out3, wFirst, wMid, wLast1, wLast3, wUp, bias, up, half;
        final ConvGeom first = geom(S, S, 1, S, S, C, 1),
                mid = geom(S, S, C, S, S, C, 1),
                last1 = geom(S, S, C, S, S, 1, 1),
                last3 = geom(S, S, C, S, S, 3, 1),
                down = geom(S, S, C, S / 2, S / 2, C, 2);

        Work(Arena a) {
            SplittableRandom r = new SplittableRandom(1);
            gray = random(a, S * S, r);
            feat = random(a, S * S * C, r);
            feat2 = a.allocate(4L * S * S * C, 64);
            out1 = a.allocate(4L * S * S, 64);
            out3 = a.allocate(4L * S * S * 3, 64);
            wFirst = random(a, 9 * C, r);
            wMid = random(a, 9 * C * C, r);
            wLast1 = random(a, 9 * C, r);
            wLast3 = random(a, 9 * C * 3, r);
            wUp = random(a, 9 * C * C, r);
            bias = random(a, C, r);
            half = a.allocate(4L * (S / 2) * (S / 2) * C, 64);
            up = a.allocate(4L * S * S * C, 64);
        }

        static ConvGeom geom(int h, int w, int cin, int oh, int ow, int cout, int stride) {
            return new ConvGeom(1, h, w, cin, oh, ow, cout, 3, 3, stride, stride, 1, 1, stride == 1 ? 1 : 0, stride == 1 ? 1 : 0);
        }

        static MemorySegment random(Arena a, int n, SplittableRandom r) {
            MemorySegment m = a.allocate(4L * n, 64);
            for (int i = 0; i < n; i++) m.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, (float) r.nextDouble() - 0.5f);
            return m;
        }

        void round(ThreadPool pool) {
            ConvKernels.forward(pool, first, gray, wFirst, false, bias, feat);          // direct, 1 input channel
            ActivationKernels.apply(Activation.RELU, feat, 0, (long) S * S * C);
            ConvKernels.forward(pool, mid, feat, wMid, false, bias, feat2);             // Winograd
            Elementwise.add(feat, feat2, feat2, 0, (long) S * S * C);
            ConvKernels.forward(pool, down, feat2, wMid, false, bias, half);            // direct, stride 2
            ConvKernels.backwardData(pool, down, half, wUp, true, bias, up);           // transposed, stride 2
            ConvKernels.forward(pool, last1, up, wLast1, false, MemorySegment.NULL, out1); // few output channels
            ConvKernels.forward(pool, last3, up, wLast3, false, MemorySegment.NULL, out3);
            Elementwise.sub(gray, out1, out1, 0, (long) S * S);
        }
    }
}
