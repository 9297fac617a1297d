package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.Elementwise;

import java.lang.foreign.MemorySegment;

/**
 * {@code y = a - b} of two inputs of the same shape: DnCNN-style residual denoisers output {@code x - f(x)}
 * (input 0 = the noisy image, input 1 = the predicted noise), and ONNX {@code Sub} without broadcasting maps here.
 */
public final class Subtract extends Layer {
    @Override public String type() { return "Subtract"; }

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
        Elementwise.inBlocks(ex.pool, n, (from, to) -> Elementwise.sub(a, b, y, from, to));
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] != null) gradIn[0].copyFrom(gradOut);
        if (gradIn[1] != null) {
            MemorySegment g = gradOut.data(), gb = gradIn[1].data();
            long n = gradOut.size();
            Elementwise.inBlocks(ex.pool, n, (from, to) -> Elementwise.scaleShift(g, -1f, 0f, gb, from, to));
        }
    }
}
