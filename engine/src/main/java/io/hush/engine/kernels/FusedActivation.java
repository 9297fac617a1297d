package io.hush.engine.kernels;

import io.hush.engine.ThreadPool;

import java.lang.foreign.MemorySegment;

/**
 * Pointwise activations over whole buffers of {@code n} floats, split over a pool's threads in
 * {@link Elementwise#BLOCK}-float chunks (the chunks do not depend on the thread count, so neither do the results):
 * what a layer with a fused activation runs after its main kernel (Dense; a convolution when its kernel cannot apply
 * the activation as it stores, see {@link ConvKernels#forward}) and at the start of its backward pass. The loops
 * themselves are {@link ActivationKernels}'.
 */
public final class FusedActivation {
    private FusedActivation() {}

    /** {@code y = f(y)} in place; nothing for a linear activation. */
    public static void applyInPlace(ThreadPool pool, Activation a, MemorySegment y, long n) {
        if (a.kind() == Activation.Kind.LINEAR) return;
        pool.parallelFor(Elementwise.blocks(n), (lo, hi, t) -> ActivationKernels.apply(a, y,
                (long) lo * Elementwise.BLOCK, Math.min((long) hi * Elementwise.BLOCK, n)));
    }

    /** {@code out = g * f'(x)} with the derivative taken from the activation's output {@code y = f(x)}. */
    public static void mulDerivFromOutput(ThreadPool pool, Activation a, MemorySegment y, MemorySegment g,
                                          MemorySegment out, long n) {
        pool.parallelFor(Elementwise.blocks(n), (lo, hi, t) -> ActivationKernels.mulDerivFromOutput(a, y, g, out,
                (long) lo * Elementwise.BLOCK, Math.min((long) hi * Elementwise.BLOCK, n)));
    }
}
