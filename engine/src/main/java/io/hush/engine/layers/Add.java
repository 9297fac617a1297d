package io.hush.engine.layers;

import io.hush.engine.Tensor;
import io.hush.engine.kernels.Elementwise;

import java.lang.foreign.MemorySegment;

/**
 * Residual sum {@code y = a + b} of two inputs of the same shape (Keras {@code Add}, ONNX {@code Add} without
 * broadcasting). No parameters. See {@link Subtract} for {@code a - b}.
 */
public final class Add extends ElementwiseBinary {
    @Override public String type() { return "Add"; }

    @Override
    void kernel(MemorySegment a, MemorySegment b, MemorySegment y, long from, long to) {
        Elementwise.add(a, b, y, from, to);
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        for (Tensor g : gradIn) if (g != null) g.copyFrom(gradOut);
    }
}
