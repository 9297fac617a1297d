package io.hush.engine;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads for data-parallel loops. {@link #parallelFor} splits {@code [0,count)} into
 * one contiguous chunk per thread, always the same chunks for the same (count, threads), and passes each chunk's
 * index as the body's {@code thread} argument, so a kernel that keeps per-thread partial sums (indexed by it) and
 * reduces them in thread order is deterministic. The caller runs chunk 0 itself; the other chunks go to whichever
 * worker claims them first, and any chunk still unclaimed when the caller has finished its own runs on the caller
 * (on a busy machine a worker the OS has not scheduled yet does not hold the loop up). Each chunk runs exactly
 * once, on one thread. With one thread nothing is handed off at all. No allocation per call.
 *
 * <p><b>Several callers.</b> The workers serve one loop at a time. {@link #parallelFor} on the pool itself waits
 * until the workers are free (a blocking, exclusive hand-off: what training kernels with per-thread partial sums
 * need). The view returned by {@link #inlineWhenBusy()} instead runs the whole loop on the calling thread, as
 * one chunk with thread index 0, when another caller's loop has the workers: concurrent inference calls then
 * never queue behind each other, and each keeps its own core busy. That is only correct for loops whose result
 * does not depend on how the range is split (every inference kernel in Hush computes each output element on one
 * thread in a fixed order, see {@code ThreadCountInvarianceTest}).
 *
 * <p>A loop body must not call {@code parallelFor} on the same pool: on the pool itself that is an
 * {@link IllegalStateException} (it would wait for itself); on the inline view the nested loop runs inline.
 */
public final class ThreadPool implements AutoCloseable {

    /**
     * A loop body over {@code [lo, hi)}: chunk {@code thread} of at most {@link #threads()} chunks (the chunk index,
     * the same whichever thread runs it; a thread may run several chunks one after the other).
     */
    @FunctionalInterface
    public interface Body {
        void run(int lo, int hi, int thread);
    }

    private static volatile ThreadPool common;

    private final Crew crew;
    /** True for the {@link #inlineWhenBusy()} view. */
    private final boolean inline;
    /** The inline view of this pool (this pool when it is the view). */
    private final ThreadPool inlineView;

    public ThreadPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.crew = new Crew(threads);
        this.inline = false;
        this.inlineView = new ThreadPool(crew);
    }

    private ThreadPool(Crew crew) {
        this.crew = crew;
        this.inline = true;
        this.inlineView = this;
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
        if (common != null && common.threads() == n) return;
        ThreadPool old = common;
        common = new ThreadPool(n);
        if (old != null) old.close();
    }

    public int threads() { return crew.threads; }

    /**
     * A view of this pool (same workers) whose {@link #parallelFor} runs the loop on the calling thread when the
     * workers are busy with another caller's loop, instead of waiting. Only for loops whose result is independent
     * of the split. Closing the view does nothing; close the pool.
     */
    public ThreadPool inlineWhenBusy() { return inlineView; }

    /** Whether this is an {@link #inlineWhenBusy()} view. */
    public boolean isInlineWhenBusy() { return inline; }

    /** Start of chunk {@code t} when {@code count} items are split over {@code parts} parts. */
    public static int chunkStart(int count, int parts, int t) {
        return (int) ((long) count * t / parts);
    }

    /**
     * Runs {@code body} over {@code [0,count)} split into {@code min(threads, count)} chunks and waits; on the
     * {@link #inlineWhenBusy()} view, as one chunk on the calling thread if the workers are busy.
     */
    public void parallelFor(int count, Body body) {
        if (count <= 0) return;
        int parts = Math.min(crew.threads, count);
        if (parts == 1) {
            body.run(0, count, 0);
            return;
        }
        if (inline) {
            if (crew.closed || !crew.gate.tryAcquire()) {
                body.run(0, count, 0);
                return;
            }
        } else {
            Thread me = Thread.currentThread();
            if (crew.owner == me || me instanceof Worker w && w.crew == crew) {
                throw new IllegalStateException("ThreadPool.parallelFor called from inside a loop of the same pool ("
                        + me.getName() + "): a body must not start another loop on its pool");
            }
            if (crew.closed) throw new IllegalStateException("ThreadPool of " + crew.threads + " threads is closed");
            crew.gate.acquireUninterruptibly();
        }
        try {
            crew.run(count, parts, body);
        } finally {
            crew.gate.release();
        }
    }

    /** Stops the workers (of the pool and its view). A view's close does nothing. */
    @Override
    public void close() {
        if (inline) return;
        crew.closed = true;
        for (Worker w : crew.workers) LockSupport.unpark(w);
    }

    /**
     * The worker threads, the gate that gives them to one loop at a time, and the current loop. A loop is published
     * as a new generation in {@link #ticket} ({@code generation << 32 | next unclaimed chunk}); chunk 0 is the
     * caller's, and chunks 1.. are claimed by CAS on the ticket, by whichever worker gets there first or, once its
     * own chunk is done, by the caller: a worker that the OS has not scheduled yet never holds a loop up.
     */
    private static final class Crew {
        final int threads;
        final Worker[] workers;
        /** One permit: held by the caller whose loop the workers run. */
        final Semaphore gate = new Semaphore(1);
        final AtomicLong ticket = new AtomicLong();
        /** Chunks 1..parts-1 of the current loop not finished yet. */
        final AtomicInteger pending = new AtomicInteger();
        // The current loop: written by the gate holder before it publishes the loop's generation in ticket.
        Body body;
        int count, parts;
        volatile Thread owner;
        volatile Throwable failure;
        volatile boolean closed;

        Crew(int threads) {
            this.threads = threads;
            this.workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        /** Runs one loop of {@code parts} chunks with the workers; the caller holds the gate. */
        void run(int count, int parts, Body body) {
            failure = null;
            owner = Thread.currentThread();
            try {
                this.body = body;
                this.count = count;
                this.parts = parts;
                pending.set(parts - 1);
                long gen = (ticket.get() >>> 32) + 1;
                ticket.set(gen << 32 | 1); // publishes the loop; chunk 0 is ours
                for (int i = 0; i < parts - 1; i++) LockSupport.unpark(workers[i]);
                Throwable mine = null;
                try {
                    body.run(0, chunkStart(count, parts, 1), 0);
                } catch (Throwable e) {
                    mine = e;
                }
                for (int c; (c = claim(gen, parts)) > 0; ) runChunk(body, count, parts, c);
                int spins = 0;
                while (pending.get() != 0) {
                    if (++spins < 20_000) Thread.onSpinWait();
                    else LockSupport.parkNanos(this, 50_000);
                }
                Throwable f = mine != null ? mine : failure;
                if (f instanceof RuntimeException re) throw re;
                if (f instanceof Error er) throw er;
                if (f != null) throw new RuntimeException(f);
            } finally {
                owner = null;
            }
        }

        /** The next unclaimed chunk of loop {@code gen}, or -1 when that loop has none left. */
        int claim(long gen, int parts) {
            while (true) {
                long v = ticket.get();
                if (v >>> 32 != gen || (int) v >= parts) return -1;
                if (ticket.compareAndSet(v, v + 1)) return (int) v;
            }
        }

        /** Runs chunk {@code c} (as thread index c), records a failure, and counts it done. */
        void runChunk(Body b, int count, int parts, int c) {
            try {
                b.run(chunkStart(count, parts, c), chunkStart(count, parts, c + 1), c);
            } catch (Throwable e) {
                failure = e;
            } finally {
                Thread o = owner;
                pending.decrementAndGet();
                if (o != null && o != Thread.currentThread()) LockSupport.unpark(o);
            }
        }
    }

    private static final class Worker extends Thread {
        final Crew crew;

        Worker(Crew crew, int index) {
            super("hush-worker-" + index);
            this.crew = crew;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0; // generation of the last loop with nothing left to claim
            int spins = 0;
            while (!crew.closed) {
                long gen = crew.ticket.get() >>> 32;
                if (gen == seen) {
                    // Spin briefly: kernels are called back to back, and parking costs ~50 us to wake.
                    if (++spins < 50_000) Thread.onSpinWait();
                    else LockSupport.park(this);
                    continue;
                }
                spins = 0;
                // Read after the ticket showed this generation; valid if the claim below succeeds (the loop is
                // then unfinished, so its caller has not published another one).
                Body b = crew.body;
                int count = crew.count, parts = crew.parts;
                int c = crew.claim(gen, parts);
                if (c < 0) seen = gen;
                else crew.runChunk(b, count, parts, c);
            }
        }
    }
}
