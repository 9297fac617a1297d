package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.LayoutKernels;

/**
 * Pads {@code [H,W,C]} with zeros to {@code [top+H+bottom, left+W+right, C]} (Keras {@code ZeroPadding2D}, ONNX
 * {@code Pad} in constant mode). Backward crops the gradient. {@link Cropping2D} is the inverse.
 */
public final class ZeroPadding2D extends Layer {
    private final int top, bottom, left, right;

    public ZeroPadding2D(int top, int bottom, int left, int right) {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("ZeroPadding2D pads must be >= 0, got top " + top + ", bottom " + bottom
                    + ", left " + left + ", right " + right);
        }
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
    }

    /** The same pad on every side. */
    public ZeroPadding2D(int pad) {
        this(pad, pad, pad, pad);
    }

    /** {top, bottom, left, right}. */
    public int[] pads() { return new int[] {top, bottom, left, right}; }

    @Override public String type() { return "ZeroPadding2D"; }

    @Override
    public Shape outputShape(Shape... in) {
        requireInputs(in, 3);
        long h = (long) in[0].dim(0) + top + bottom, w = (long) in[0].dim(1) + left + right;
        if (h > Integer.MAX_VALUE || w > Integer.MAX_VALUE) throw shapeError("padded size of " + in[0] + " is too large");
        return Shape.of((int) h, (int) w, in[0].dim(2));
    }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        Shape s = in[0].shape(), o = out.shape();
        var x = in[0].data();
        var y = out.data();
        ex.pool.parallelFor(o.dim(0) * o.dim(1), (lo, hi, t) -> LayoutKernels.window(x, s.dim(1), s.dim(2), y, o.dim(1),
                o.dim(2), s.dim(3), -top, -left, lo, hi));
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] == null) return;
        Shape s = in[0].shape(), o = out.shape();
        var g = gradOut.data();
        var gx = gradIn[0].data();
        ex.pool.parallelFor(s.dim(0) * s.dim(1), (lo, hi, t) -> LayoutKernels.window(g, o.dim(1), o.dim(2), gx, s.dim(1),
                s.dim(2), s.dim(3), top, left, lo, hi));
    }

    @Override
    public String toString() {
        return super.toString() + " (top " + top + ", bottom " + bottom + ", left " + left + ", right " + right + ")";
    }
}
