package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.PoolKernels;

import java.lang.foreign.MemorySegment;

/**
 * 2-D max pooling over {@code [H,W,C]} (Keras {@code MaxPooling2D}, ONNX {@code MaxPool}). Strides default to the
 * pool size. Padding SAME/VALID follows Keras/TensorFlow ({@link Pad}): {@code MaxPooling2D((2,2),
 * padding='same')} maps 7 -> 4, the extra bottom/right cells being padding. Explicit pads (ONNX {@code pads},
 * PyTorch {@code padding=}) are {@link Pad.Explicit}. Padded cells never win the max.
 *
 * <p>Backward routes each output gradient to the input cell that won (argmax kept in {@link Exec#state} during
 * training forward). Ties: the first maximum in row-major window order wins (PyTorch and TensorFlow CPU kernels
 * do the same), so gradient goes to exactly one of the tied cells.
 */
public final class MaxPool2D extends Pool2D {
    /** A pool window (dilation 1) with padding; explicit pads must be smaller than the pool. */
    public MaxPool2D(Window2D pool, Pad pad) {
        super(pool, pad);
        if (pad instanceof Pad.Explicit p && (p.top() >= pool.kernelH() || p.bottom() >= pool.kernelH()
                || p.left() >= pool.kernelW() || p.right() >= pool.kernelW())) {
            throw new IllegalArgumentException("MaxPool2D: pads must be smaller than the pool " + pool.kernelH() + "x"
                    + pool.kernelW() + ", got " + p);
        }
    }

    /** {@code pool x pool}, strides = pool, VALID (Keras defaults). */
    public MaxPool2D(int pool) {
        this(pool, pool, pool, pool, Padding.VALID);
    }

    /** {@code pool x pool}, strides = pool. */
    public MaxPool2D(int pool, Padding padding) {
        this(pool, pool, pool, pool, padding);
    }

    /** Keras settings: pool size, strides and a padding mode. */
    public MaxPool2D(int poolH, int poolW, int strideH, int strideW, Padding padding) {
        this(Window2D.of(poolH, poolW, strideH, strideW), Pad.of(padding));
    }

    /**
     * Explicit pads (cells that never win) in ONNX's attribute order {@code pads=[top,left,bottom,right]}; the same as
     * {@code new MaxPool2D(Window2D.of(poolH, poolW, strideH, strideW), Pad.explicit(top, bottom, left, right))}.
     */
    public static MaxPool2D explicit(int poolH, int poolW, int strideH, int strideW,
                                     int padTop, int padLeft, int padBottom, int padRight) {
        return new MaxPool2D(Window2D.of(poolH, poolW, strideH, strideW), Pad.explicit(padTop, padBottom, padLeft, padRight));
    }

    @Override public String type() { return "MaxPool2D"; }

    @Override public long stateFloats(Shape[] in, Shape out, int threads) { return out.size(); }

    @Override public long flops(Shape[] in, Shape out) { return out.size() * ((long) kernelH() * kernelW() - 1); }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        PoolKernels.Geometry g = geometry(in[0].shape(), out.shape());
        MemorySegment x = in[0].data(), y = out.data(), arg = ex.state;
        boolean withArg = ex.training;
        int rows = out.shape().dim(0) * g.oh();
        ex.pool.parallelFor(rows, (lo, hi, t) -> PoolKernels.maxPool(g, x, y, arg, withArg, lo, hi));
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] == null) return;
        PoolKernels.Geometry g = geometry(in[0].shape(), out.shape());
        MemorySegment gy = gradOut.data(), gx = gradIn[0].data(), arg = ex.state;
        int cb = PoolKernels.BACKWARD_CHANNEL_BLOCK;
        int units = in[0].shape().dim(0) * ((g.c() + cb - 1) / cb);
        ex.pool.parallelFor(units, (lo, hi, t) -> PoolKernels.maxPoolBackward(g, gy, arg, gx, cb, lo, hi));
    }
}
