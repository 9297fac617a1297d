package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.PoolKernels;

import java.lang.foreign.MemorySegment;

/**
 * 2-D max pooling over {@code [H,W,C]} (Keras {@code MaxPooling2D}, ONNX {@code MaxPool}). Strides default to the
 * pool size. Padding SAME/VALID follows Keras/TensorFlow ({@link Padding}): {@code MaxPooling2D((2,2),
 * padding='same')} maps 7 -> 4, the extra bottom/right cells being padding. Explicit pads (ONNX {@code pads},
 * PyTorch {@code padding=}) are supported through {@link #explicit}. Padded cells never win the max.
 *
 * <p>Backward routes each output gradient to the input cell that won (argmax kept in {@link Exec#state} during
 * training forward). Ties: the first maximum in row-major window order wins (PyTorch and TensorFlow CPU kernels
 * do the same), so gradient goes to exactly one of the tied cells.
 */
public final class MaxPool2D extends Layer {
    private final int poolH, poolW, strideH, strideW;
    private final Padding padding;          // null when explicit pads are used
    private final int padTop, padLeft, padBottom, padRight;

    private MaxPool2D(int poolH, int poolW, int strideH, int strideW, Padding padding,
                      int padTop, int padLeft, int padBottom, int padRight) {
        if (poolH <= 0 || poolW <= 0) throw new IllegalArgumentException("MaxPool2D pool must be positive, got " + poolH + "x" + poolW);
        if (strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException("MaxPool2D strides must be positive, got " + strideH + "x" + strideW);
        }
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("MaxPool2D pads must be >= 0, got " + padTop + "," + padLeft + "," + padBottom + "," + padRight);
        }
        if (padTop >= poolH || padBottom >= poolH || padLeft >= poolW || padRight >= poolW) {
            throw new IllegalArgumentException("MaxPool2D pads must be smaller than the pool " + poolH + "x" + poolW
                    + ", got " + padTop + "," + padLeft + "," + padBottom + "," + padRight);
        }
        this.poolH = poolH;
        this.poolW = poolW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padding = padding;
        this.padTop = padTop;
        this.padLeft = padLeft;
        this.padBottom = padBottom;
        this.padRight = padRight;
    }

    /** {@code pool x pool}, strides = pool, VALID (Keras defaults). */
    public MaxPool2D(int pool) {
        this(pool, pool, pool, pool, Padding.VALID);
    }

    /** {@code pool x pool}, strides = pool. */
    public MaxPool2D(int pool, Padding padding) {
        this(pool, pool, pool, pool, padding);
    }

    public MaxPool2D(int poolH, int poolW, int strideH, int strideW, Padding padding) {
        this(poolH, poolW, strideH, strideW, requireMode(padding), 0, 0, 0, 0);
    }

    private static Padding requireMode(Padding p) {
        if (p == null) throw new IllegalArgumentException("MaxPool2D padding is null (use explicit(...) for pads)");
        return p;
    }

    /** Explicit zero-cost pads (cells that never win), as ONNX {@code pads=[top,left,bottom,right]}. */
    public static MaxPool2D explicit(int poolH, int poolW, int strideH, int strideW,
                                     int padTop, int padLeft, int padBottom, int padRight) {
        return new MaxPool2D(poolH, poolW, strideH, strideW, null, padTop, padLeft, padBottom, padRight);
    }

    public int poolH() { return poolH; }

    public int poolW() { return poolW; }

    public int strideH() { return strideH; }

    public int strideW() { return strideW; }

    /** SAME or VALID, or null when the layer uses explicit pads. */
    public Padding padding() { return padding; }

    /** Explicit pads {top, left, bottom, right} (all 0 in SAME/VALID mode; see {@link #padding()}). */
    public int[] pads() { return new int[] {padTop, padLeft, padBottom, padRight}; }

    @Override public String type() { return "MaxPool2D"; }

    private int outSize(int in, int k, int s, int before, int after) {
        if (padding != null) return Padding.convOut(in, k, s, 1, padding);
        return (in + before + after - k) / s + 1;
    }

    @Override
    public Shape outputShape(Shape... in) {
        requireInputs(in, 3);
        int h = in[0].dim(0), w = in[0].dim(1);
        if (padding != Padding.SAME && (h + padTop + padBottom < poolH || w + padLeft + padRight < poolW)) {
            throw shapeError("input " + in[0] + " is smaller than the pool " + poolH + "x" + poolW
                    + (padding == Padding.VALID ? " (VALID padding)" : " plus pads"));
        }
        return Shape.of(outSize(h, poolH, strideH, padTop, padBottom), outSize(w, poolW, strideW, padLeft, padRight),
                in[0].dim(2));
    }

    private PoolKernels.Geometry geometry(Shape inB, Shape outB) {
        int h = inB.dim(1), w = inB.dim(2);
        int pt = padding == null ? padTop : Padding.convPadBefore(h, poolH, strideH, 1, padding);
        int pl = padding == null ? padLeft : Padding.convPadBefore(w, poolW, strideW, 1, padding);
        return new PoolKernels.Geometry(h, w, inB.dim(3), outB.dim(1), outB.dim(2), poolH, poolW, strideH, strideW, pt, pl);
    }

    @Override public long stateFloats(Shape[] in, Shape out, int threads) { return out.size(); }

    @Override public long flops(Shape[] in, Shape out) { return out.size() * ((long) poolH * poolW - 1); }

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

    @Override
    public String toString() {
        return super.toString() + " (" + poolH + "x" + poolW + " /" + strideH + "x" + strideW + " "
                + (padding != null ? padding : "pads " + padTop + "," + padLeft + "," + padBottom + "," + padRight) + ")";
    }
}
