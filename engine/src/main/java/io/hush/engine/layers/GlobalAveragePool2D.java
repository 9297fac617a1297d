package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.AveragePoolKernels;

import java.lang.foreign.MemorySegment;

/**
 * Mean over height and width, {@code [H,W,C] -> [C]}, or {@code [1,1,C]} with {@code keepDims} (Keras
 * {@code GlobalAveragePooling2D(keepdims=...)}, ONNX {@code GlobalAveragePool}). Both outputs have the same memory
 * layout, so only the shape differs.
 */
public final class GlobalAveragePool2D extends Layer {
    private final boolean keepDims;

    /** {@code keepDims}: output {@code [1,1,C]} instead of {@code [C]}. */
    public GlobalAveragePool2D(boolean keepDims) {
        this.keepDims = keepDims;
    }

    /** Output {@code [C]} (Keras default). */
    public GlobalAveragePool2D() {
        this(false);
    }

    public boolean keepDims() { return keepDims; }

    @Override public String type() { return "GlobalAveragePool2D"; }

    @Override
    public Shape outputShape(Shape... in) {
        requireInputs(in, 3);
        int c = in[0].dim(2);
        return keepDims ? Shape.of(1, 1, c) : Shape.of(c);
    }

    @Override public long flops(Shape[] in, Shape out) { return in[0].size(); }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        Shape s = in[0].shape();
        int h = s.dim(1), w = s.dim(2), c = s.dim(3);
        MemorySegment x = in[0].data(), y = out.data();
        ex.pool.parallelFor(s.dim(0), (lo, hi, t) -> AveragePoolKernels.globalAverage(x, y, h, w, c, lo, hi));
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] == null) return;
        Shape s = in[0].shape();
        int h = s.dim(1), w = s.dim(2), c = s.dim(3);
        MemorySegment gy = gradOut.data(), gx = gradIn[0].data();
        ex.pool.parallelFor(s.dim(0), (lo, hi, t) -> AveragePoolKernels.globalAverageBackward(gy, gx, h, w, c, lo, hi));
    }

    @Override public String toString() { return super.toString() + (keepDims ? " (keep dims)" : ""); }
}
