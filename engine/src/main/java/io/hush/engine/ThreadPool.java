package io.hush.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads for data-parallel loops. {@link #parallelFor} splits {@code [0,count)} into
 * one contiguous chunk per thread, always the same chunks for the same (count, threads), so a kernel that
 * keeps per-thread partial sums and reduces them in thread order is deterministic. The caller runs chunk 0
 * itself; with one thread nothing is handed off at all. No allocation per call.
 */
public final class ThreadPool implements AutoCloseable {

    /** A loop body over {@code [lo, hi)}, run by thread {@code thread} of {@link #threads()}. */
    @FunctionalInterface
    public interface Body {
        void run(int lo, int hi, int thread);
    }

    private static volatile ThreadPool common;

    private final int threads;
    private final Worker[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Thread caller;
    private volatile Throwable failure;
    private volatile boolean closed;

    public ThreadPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /**
     * The shared pool: {@code -Dhush.threads=N} or all available processors. {@link #setCommonThreads}
     * replaces it.
     */
    public static ThreadPool common() {
        ThreadPool p = common;
        if (p == null) {
            synchronized (ThreadPool.class) {
                if (common == null) {
                    int n = Integer.getInteger("hush.threads", Runtime.getRuntime().availableProcessors());
                    common = new ThreadPool(Math.max(1, n));
                }
                p = common;
            }
        }
        return p;
    }

    public static synchronized void setCommonThreads(int n) {
        if (common != null && common.threads == n) return;
        ThreadPool old = common;
        common = new ThreadPool(n);
        if (old != null) old.close();
    }

    public int threads() { return threads; }

    /** Start of chunk {@code t} when {@code count} items are split over {@code parts} parts. */
    public static int chunkStart(int count, int parts, int t) {
        return (int) ((long) count * t / parts);
    }

    /**
     * Runs {@code body} over {@code [0,count)} split into {@code min(threads, count)} chunks and waits.
     * Not re-entrant: a body must not call parallelFor on the same pool.
     */
    public void parallelFor(int count, Body body) {
        if (count <= 0) return;
        int parts = Math.min(threads, count);
        if (parts == 1) {
            body.run(0, count, 0);
            return;
        }
        synchronized (this) {
            failure = null;
            caller = Thread.currentThread();
            pending.set(parts - 1);
            for (int t = 1; t < parts; t++) {
                workers[t - 1].submit(body, chunkStart(count, parts, t), chunkStart(count, parts, t + 1));
            }
            Throwable mine = null;
            try {
                body.run(0, chunkStart(count, parts, 1), 0);
            } catch (Throwable e) {
                mine = e;
            }
            int spins = 0;
            while (pending.get() != 0) {
                if (++spins < 20_000) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 50_000);
            }
            Throwable f = mine != null ? mine : failure;
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error er) throw er;
            if (f != null) throw new RuntimeException(f);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w);
    }

    private final class Worker extends Thread {
        private final int index;
        private volatile Body body;
        private int lo, hi;

        Worker(int index) {
            super("hush-worker-" + index);
            this.index = index;
            setDaemon(true);
        }

        void submit(Body b, int lo, int hi) {
            this.lo = lo;
            this.hi = hi;
            this.body = b; // volatile write publishes lo/hi
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            int spins = 0;
            while (!closed) {
                Body b = body;
                if (b == null) {
                    // Spin briefly: kernels are called back to back, and parking costs ~50 us to wake.
                    if (++spins < 50_000) Thread.onSpinWait();
                    else LockSupport.park(this);
                    continue;
                }
                spins = 0;
                try {
                    b.run(lo, hi, index);
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    body = null;
                    pending.decrementAndGet();
                    Thread c = caller;
                    if (c != null) LockSupport.unpark(c);
                }
            }
        }
    }
}
