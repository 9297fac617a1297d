package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.Elementwise;

import java.lang.foreign.MemorySegment;

/**
 * Residual sum {@code y = a + b} of two inputs of the same shape (Keras {@code Add}, ONNX {@code Add} without
 * broadcasting). No parameters. See {@link Subtract} for {@code a - b}.
 */
public final class Add extends Layer {
    @Override public String type() { return "Add"; }

    @Override public int arity() { return 2; }

    @Override
    public Shape outputShape(Shape... in) {
        if (in.length != 2) throw shapeError("expects 2 inputs, got " + in.length);
        if (!in[0].equals(in[1])) {
            throw shapeError("inputs must have the same shape, got " + in[0] + " and " + in[1]);
        }
        return in[0];
    }

    @Override public long flops(Shape[] in, Shape out) { return out.size(); }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        MemorySegment a = in[0].data(), b = in[1].data(), y = out.data();
        long n = out.size();
        Elementwise.inBlocks(ex.pool, n, (from, to) -> Elementwise.add(a, b, y, from, to));
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        for (Tensor g : gradIn) if (g != null) g.copyFrom(gradOut);
    }
}
