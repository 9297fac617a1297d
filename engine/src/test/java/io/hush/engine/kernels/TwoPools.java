package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.lang.foreign.ValueLayout;

/**
 * A one-thread and a two-thread pool, opened once per test class, for kernel tests that also check that results do
 * not depend on the thread count.
 */
abstract class TwoPools {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static ThreadPool one, two;

    @BeforeAll static void openPools() {
        one = new ThreadPool(1);
        two = new ThreadPool(2);
    }

    @AfterAll static void closePools() {
        one.close();
        two.close();
    }
}
