package io.hush.engine.layers;

import io.hush.engine.Tensor;
import io.hush.engine.kernels.Elementwise;

import java.lang.foreign.MemorySegment;

/**
 * Elementwise product {@code y = a * b} of two inputs of the same shape (Keras {@code Multiply}, ONNX {@code Mul}
 * without broadcasting): gating and attention masks. Backward: {@code da = g * b}, {@code db = g * a}.
 */
public final class Multiply extends ElementwiseBinary {
    public Multiply() { super("Multiply", Elementwise::mul); }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        MemorySegment g = gradOut.data();
        long n = gradOut.size();
        for (int k = 0; k < 2; k++) {
            if (gradIn[k] == null) continue;
            MemorySegment other = in[1 - k].data(), gx = gradIn[k].data();
            Elementwise.inBlocks(ex.pool, n, (from, to) -> Elementwise.mul(g, other, gx, from, to));
        }
    }
}
