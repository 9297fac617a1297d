package io.hush.engine.layers;

import io.hush.engine.Tensor;
import io.hush.engine.kernels.Elementwise;

/**
 * Residual sum {@code y = a + b} of two inputs of the same shape (Keras {@code Add}, ONNX {@code Add} without
 * broadcasting). No parameters. See {@link Subtract} for {@code a - b}.
 */
public final class Add extends ElementwiseBinary {
    public Add() { super("Add", Elementwise::add); }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        for (Tensor g : gradIn) if (g != null) g.copyFrom(gradOut);
    }
}
