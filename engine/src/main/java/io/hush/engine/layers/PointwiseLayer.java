package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.Elementwise;

import java.lang.foreign.MemorySegment;

/**
 * A standalone pointwise function of one input of any shape whose derivative is taken from its output
 * (ActivationLayer, Elu): the shape rule and both passes over {@link Elementwise#BLOCK}-float chunks live here; a
 * subclass names its two kernels.
 */
public abstract sealed class PointwiseLayer extends Layer permits ActivationLayer, Elu {
    PointwiseLayer() {}

    /** {@code y = f(x)} over {@code [from,to)}. */
    abstract void forwardRange(MemorySegment x, MemorySegment y, long from, long to);

    /** {@code gx = g * f'(x)}, f' taken from {@code y = f(x)}, over {@code [from,to)}. */
    abstract void backwardRange(MemorySegment y, MemorySegment g, MemorySegment gx, long from, long to);

    @Override
    public final Shape outputShape(Shape... in) { return identityShape(in); }

    @Override
    public final void forward(Tensor[] in, Tensor out, Exec ex) {
        MemorySegment x = in[0].data(), y = out.data();
        Elementwise.inBlocks(ex.pool, out.size(), (from, to) -> forwardRange(x, y, from, to));
    }

    @Override
    public final void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] == null) return;
        MemorySegment y = out.data(), g = gradOut.data(), gx = gradIn[0].data();
        Elementwise.inBlocks(ex.pool, out.size(), (from, to) -> backwardRange(y, g, gx, from, to));
    }
}
