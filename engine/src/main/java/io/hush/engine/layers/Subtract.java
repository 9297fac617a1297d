package io.hush.engine.layers;

import io.hush.engine.Tensor;
import io.hush.engine.kernels.Elementwise;

import java.lang.foreign.MemorySegment;

/**
 * {@code y = a - b} of two inputs of the same shape: DnCNN-style residual denoisers output {@code x - f(x)}
 * (input 0 = the noisy image, input 1 = the predicted noise), and ONNX {@code Sub} without broadcasting maps here.
 */
public final class Subtract extends ElementwiseBinary {
    public Subtract() { super("Subtract", Elementwise::sub); }

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
