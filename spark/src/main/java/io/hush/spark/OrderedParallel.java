package io.hush.spark;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Maps an iterator on {@code threads} threads, keeping its order: the calling thread (a Spark task's) reads the
 * input, each element is mapped on a pool thread, and results come back in input order. At most
 * {@code 2 * threads} elements are in flight, so memory stays bounded whatever the partition's size. The input
 * iterator is only ever touched by the calling thread (Spark's iterators are not thread-safe).
 *
 * <p>{@link #close()} stops the pool (a Spark task registers it as a completion listener, so a killed or failed
 * task does not leave threads behind); the pool also stops by itself when the input is exhausted.
 */
final class OrderedParallel<I, O> implements Iterator<O>, AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Iterator<I> in;
    private final Function<I, O> fn;
    private final ExecutorService pool;
    private final int window;
    private final ArrayDeque<Future<O>> pending = new ArrayDeque<>();

    OrderedParallel(Iterator<I> in, Function<I, O> fn, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.in = in;
        this.fn = fn;
        this.window = 2 * threads;
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "hush-spark-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private void fill() {
        while (pending.size() < window && in.hasNext()) {
            I item = in.next(); // read on the caller's thread
            pending.add(pool.submit(() -> fn.apply(item)));
        }
        if (pending.isEmpty()) pool.shutdown();
    }

    @Override
    public boolean hasNext() {
        fill();
        return !pending.isEmpty();
    }

    @Override
    public O next() {
        fill();
        Future<O> f = pending.poll();
        if (f == null) throw new NoSuchElementException();
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while denoising", e);
        } catch (ExecutionException e) {
            close();
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(c);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        pending.clear();
    }
}
