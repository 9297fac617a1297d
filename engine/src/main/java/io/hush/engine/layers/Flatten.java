package io.hush.engine.layers;

import io.hush.engine.Shape;

/**
 * {@code [H,W,C] -> [H*W*C]} (any per-sample rank to rank 1) in memory order, i.e. NHWC order: element
 * {@code (h,w,c)} lands at {@code (h*W + w)*C + c}. Keras {@code Flatten} on channels_last data produces the same
 * order, so Keras Dense kernels load unchanged. PyTorch's {@code nn.Flatten} on NCHW tensors orders features
 * {@code (c*H + h)*W + w} instead, so a PyTorch/ONNX Linear after a flatten needs its input rows permuted
 * (the importer's job). The graph gives every node its own buffer, so this copies (cheap next to any GEMM).
 */
public final class Flatten extends Relayout {
    @Override public String type() { return "Flatten"; }

    @Override
    public Shape outputShape(Shape... in) {
        if (in.length != 1) throw shapeError("expects 1 input, got " + in.length);
        long n = in[0].size();
        if (n > Integer.MAX_VALUE) throw shapeError("input " + in[0] + " has too many features to flatten");
        return Shape.of((int) n);
    }
}
