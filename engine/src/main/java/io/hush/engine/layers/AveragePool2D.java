package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.AveragePoolKernels;
import io.hush.engine.kernels.PoolKernels;

import java.lang.foreign.MemorySegment;

/**
 * 2-D average pooling over {@code [H,W,C]} (Keras {@code AveragePooling2D}, ONNX {@code AveragePool} with
 * {@code count_include_pad=0}). Strides default to the pool size; padding SAME/VALID as {@link Padding} (Keras's rule:
 * SAME gives ceil(in/stride), the extra cells at the bottom/right). Each output is the mean of the window cells that
 * lie inside the image: padded cells are not counted, as in TensorFlow. No state is kept for backward.
 */
public final class AveragePool2D extends Layer {
    private final int poolH, poolW, strideH, strideW;
    private final Padding padding;

    /** {@code pool x pool}, strides = pool, VALID (Keras defaults). */
    public AveragePool2D(int pool) {
        this(pool, pool, pool, pool, Padding.VALID);
    }

    public AveragePool2D(int poolH, int poolW, int strideH, int strideW, Padding padding) {
        if (poolH <= 0 || poolW <= 0) throw new IllegalArgumentException("AveragePool2D pool must be positive, got " + poolH + "x" + poolW);
        if (strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException("AveragePool2D strides must be positive, got " + strideH + "x" + strideW);
        }
        if (padding == null) throw new IllegalArgumentException("AveragePool2D padding is null");
        this.poolH = poolH;
        this.poolW = poolW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padding = padding;
    }

    public int poolH() { return poolH; }

    public int poolW() { return poolW; }

    public int strideH() { return strideH; }

    public int strideW() { return strideW; }

    public Padding padding() { return padding; }

    @Override public String type() { return "AveragePool2D"; }

    @Override
    public Shape outputShape(Shape... in) {
        requireInputs(in, 3);
        int h = in[0].dim(0), w = in[0].dim(1);
        if (padding == Padding.VALID && (h < poolH || w < poolW)) {
            throw shapeError("input " + in[0] + " is smaller than the pool " + poolH + "x" + poolW + " (VALID padding)");
        }
        return Shape.of(Padding.convOut(h, poolH, strideH, 1, padding), Padding.convOut(w, poolW, strideW, 1, padding),
                in[0].dim(2));
    }

    private PoolKernels.Geometry geometry(Shape inB, Shape outB) {
        int h = inB.dim(1), w = inB.dim(2);
        return new PoolKernels.Geometry(h, w, inB.dim(3), outB.dim(1), outB.dim(2), poolH, poolW, strideH, strideW,
                Padding.convPadBefore(h, poolH, strideH, 1, padding), Padding.convPadBefore(w, poolW, strideW, 1, padding));
    }

    @Override public long flops(Shape[] in, Shape out) { return out.size() * ((long) poolH * poolW); }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        PoolKernels.Geometry g = geometry(in[0].shape(), out.shape());
        MemorySegment x = in[0].data(), y = out.data();
        ex.pool.parallelFor(out.shape().dim(0) * g.oh(), (lo, hi, t) -> AveragePoolKernels.averagePool(g, x, y, lo, hi));
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] == null) return;
        PoolKernels.Geometry g = geometry(in[0].shape(), out.shape());
        MemorySegment gy = gradOut.data(), gx = gradIn[0].data();
        int cb = AveragePoolKernels.BACKWARD_CHANNEL_BLOCK;
        int units = in[0].shape().dim(0) * ((g.c() + cb - 1) / cb);
        ex.pool.parallelFor(units, (lo, hi, t) -> AveragePoolKernels.averagePoolBackward(g, gy, gx, cb, lo, hi));
    }

    @Override
    public String toString() {
        return super.toString() + " (" + poolH + "x" + poolW + " /" + strideH + "x" + strideW + " " + padding + ")";
    }
}
