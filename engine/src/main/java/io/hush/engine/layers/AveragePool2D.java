package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.AveragePoolKernels;
import io.hush.engine.kernels.PoolKernels;

import java.lang.foreign.MemorySegment;

/**
 * 2-D average pooling over {@code [H,W,C]} (Keras {@code AveragePooling2D}, ONNX {@code AveragePool} with
 * {@code count_include_pad=0}). Strides default to the pool size; padding SAME/VALID as {@link Pad} (Keras's rule:
 * SAME gives ceil(in/stride), the extra cells at the bottom/right). Each output is the mean of the window cells that
 * lie inside the image: padded cells are not counted, as in TensorFlow. No state is kept for backward.
 */
public final class AveragePool2D extends Pool2D {
    /** A pool window (dilation 1) with SAME or VALID padding. */
    public AveragePool2D(Window2D pool, Pad pad) {
        super(pool, pad);
        if (pad instanceof Pad.Explicit) {
            throw new IllegalArgumentException("AveragePool2D: explicit pads are not supported (SAME or VALID), got " + pad);
        }
    }

    /** {@code pool x pool}, strides = pool, VALID (Keras defaults). */
    public AveragePool2D(int pool) {
        this(pool, pool, pool, pool, Padding.VALID);
    }

    /** Keras settings: pool size, strides and a padding mode. */
    public AveragePool2D(int poolH, int poolW, int strideH, int strideW, Padding padding) {
        this(Window2D.of(poolH, poolW, strideH, strideW), Pad.of(padding));
    }

    @Override public String type() { return "AveragePool2D"; }

    @Override public long flops(Shape[] in, Shape out) { return out.size() * ((long) kernelH() * kernelW()); }

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
}
