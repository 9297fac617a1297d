package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.Elementwise;

import java.lang.foreign.MemorySegment;

/**
 * A layer of two same-shape inputs combined element by element (Add, Subtract, Multiply; no broadcasting): the shape
 * rule, the FLOP count and the forward loop live here; a subclass names its type and kernel and writes its backward.
 */
public abstract sealed class ElementwiseBinary extends Layer permits Add, Multiply, Subtract {
    /** {@code y = a op b} over the float range {@code [from,to)}. */
    @FunctionalInterface
    interface Kernel {
        void run(MemorySegment a, MemorySegment b, MemorySegment y, long from, long to);
    }

    private final String type;
    private final Kernel kernel;

    ElementwiseBinary(String type, Kernel kernel) {
        this.type = type;
        this.kernel = kernel;
    }

    @Override public final String type() { return type; }

    @Override public final int arity() { return 2; }

    @Override
    public final Shape outputShape(Shape... in) {
        if (in.length != 2) throw shapeError("expects 2 inputs, got " + in.length);
        if (!in[0].equals(in[1])) throw shapeError("inputs must have the same shape, got " + in[0] + " and " + in[1]);
        return in[0];
    }

    @Override public final long flops(Shape[] in, Shape out) { return out.size(); }

    @Override
    public final void forward(Tensor[] in, Tensor out, Exec ex) {
        MemorySegment a = in[0].data(), b = in[1].data(), y = out.data();
        Elementwise.inBlocks(ex.pool, out.size(), (from, to) -> kernel.run(a, b, y, from, to));
    }
}
