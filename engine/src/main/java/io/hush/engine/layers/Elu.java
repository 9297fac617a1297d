package io.hush.engine.layers;

import io.hush.engine.kernels.Activation;

import io.hush.engine.Shape;
import io.hush.engine.kernels.EluKernels;

import java.lang.foreign.MemorySegment;

/**
 * ELU, {@code y = x > 0 ? x : alpha * (exp(x) - 1)}, on any shape (Keras {@code ELU} layer and
 * {@code activation='elu'}, ONNX {@code Elu}). A layer of its own rather than an {@link Activation} kind, so the fused
 * activations of Conv2D and Dense stay as they are; an importer puts an ELU after the layer instead.
 */
public final class Elu extends PointwiseLayer {
    private final float alpha;

    /** {@code alpha} must be finite and >= 0 (the derivative is taken from the output, which needs it). */
    public Elu(float alpha) {
        if (!(alpha >= 0f && Float.isFinite(alpha))) throw new IllegalArgumentException("ELU alpha must be finite and >= 0, got " + alpha);
        this.alpha = alpha;
    }

    /** alpha = 1 (Keras and ONNX default). */
    public Elu() {
        this(1f);
    }

    public float alpha() { return alpha; }

    @Override public String type() { return "ELU"; }

    @Override public long flops(Shape[] in, Shape out) { return 4 * out.size(); }

    @Override
    void forwardRange(MemorySegment x, MemorySegment y, long from, long to) {
        EluKernels.forward(x, y, alpha, from, to);
    }

    @Override
    void backwardRange(MemorySegment y, MemorySegment g, MemorySegment gx, long from, long to) {
        EluKernels.backward(y, g, gx, alpha, from, to);
    }

    @Override public String toString() { return super.toString() + " (alpha " + alpha + ")"; }
}
